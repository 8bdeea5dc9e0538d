/**
 * What the decode worker offers the page (workers/decode.worker.ts exposes it): decodeUserFile
 * of a dropped file, off the page's thread. Compressed formats need Web Audio, which workers do
 * not have: the page passes its decoder in (a Comlink proxy) and is handed the bytes. Decoded
 * samples are handed over (transferred) both ways, never copied.
 */
import * as Comlink from 'comlink';
import { channelBuffers, type AudioData } from '../dsp/audio';
import { decodeUserFile, type PlatformDecoder, type UserFile } from '../dsp/decode';

export const decodeApi = {
	async decode(file: UserFile, platform: PlatformDecoder): Promise<AudioData> {
		try {
			const audio = await decodeUserFile(file, (bytes, rate) => platform(Comlink.transfer(bytes, [bytes]), rate));
			return Comlink.transfer(audio, channelBuffers(audio));
		} finally {
			// the page's decoder arrives as a Comlink proxy: let go of its channel
			(platform as { [Comlink.releaseProxy]?: () => void })[Comlink.releaseProxy]?.();
		}
	}
};

export type DecodeApi = typeof decodeApi;
