/**
 * The page's side of the decode worker (workers/decode.worker.ts): one worker, started by the
 * first file. A worker that dies while reading (out of memory) fails that file with a message
 * (WorkerCrashedError) and the next file starts a new one.
 */
import * as Comlink from 'comlink';
import { channelBuffers, type AudioData } from '../dsp/audio';
import type { PlatformDecoder } from '../dsp/decode';
import { GuardedWorker, type WorkerLike } from '../runtime/worker-guard';
import type { DecodeApi } from './decode-api';

export class FileDecoder {
	private readonly worker: GuardedWorker<DecodeApi>;

	constructor(spawn: () => WorkerLike = () => new Worker(new URL('../workers/decode.worker.ts', import.meta.url), { type: 'module' })) {
		this.worker = new GuardedWorker<DecodeApi>(spawn, 'the file reader');
	}

	/** decodeUserFile in the worker; `platform` (the page's Web Audio decoder) decodes compressed formats. */
	decode(file: File, platform: PlatformDecoder): Promise<AudioData> {
		const onPage = async (bytes: ArrayBuffer, sampleRate: number | null) => {
			const audio = await platform(bytes, sampleRate);
			return Comlink.transfer(audio, channelBuffers(audio));
		};
		return this.worker.api.decode(file, Comlink.proxy(onPage));
	}

	terminate(): void {
		this.worker.terminate();
	}
}
