/**
 * Ogg Opus through the browser's own encoder (WebCodecs AudioEncoder, libopus in Chromium,
 * Firefox and Safari 26): the samples are resampled to 48 kHz here (zero phase: no delay of our
 * own), encoded in 20 ms packets, and muxed into Ogg (ogg.ts) with the encoder's lookahead as
 * pre-skip and the input's length as the last granule position, so a decoder returns exactly the
 * input's samples. Where the browser has no Opus encoder, `opusSupported` says so and the format
 * menu offers MP3 instead (the WASM LAME encoder works everywhere).
 */
import { StreamResampler } from '../dsp/resample';
import { oggOpusFile } from './ogg';
import type { AudioTags } from './tags';

export const OPUS_RATE = 48000;
/** libopus's lookahead at 48 kHz for the 'audio' application (2.5 ms + 4 ms): the pre-skip when the encoder does not say. */
export const DEFAULT_PRE_SKIP = 312;
/** kbit/s per channel: 96 (192 for stereo), well past transparency for music. */
export const OPUS_KBPS_PER_CHANNEL = 96;

const config = (channels: number): AudioEncoderConfig => ({
	codec: 'opus',
	sampleRate: OPUS_RATE,
	numberOfChannels: channels,
	bitrate: OPUS_KBPS_PER_CHANNEL * 1000 * channels,
	bitrateMode: 'variable',
	opus: { frameDuration: 20_000, complexity: 10, application: 'audio', signal: 'music' } as AudioEncoderConfig['opus']
});

/** Whether this browser (or worker) can encode Opus. */
export async function opusSupported(channels = 2): Promise<boolean> {
	if (typeof AudioEncoder === 'undefined') return false;
	try {
		return (await AudioEncoder.isConfigSupported(config(channels))).supported === true;
	} catch {
		return false;
	}
}

/** Pre-skip from the encoder's decoder description (an OpusHead, when given), else libopus's usual lookahead. */
function preSkipOf(description: AllowSharedBufferSource | undefined): number {
	if (!description) return DEFAULT_PRE_SKIP;
	const bytes = ArrayBuffer.isView(description) ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength) : new Uint8Array(description);
	if (bytes.length >= 19 && new TextDecoder().decode(bytes.subarray(0, 8)) === 'OpusHead') return bytes[10] | (bytes[11] << 8);
	return DEFAULT_PRE_SKIP;
}

/**
 * Encodes planar channels (1 or 2), read region by region, as an Ogg Opus file with the tags as
 * Vorbis comments. Needs WebCodecs (a browser or its workers).
 */
export async function encodeOpus(
	read: (start: number, end: number) => Promise<Float32Array[]> | Float32Array[],
	frames: number,
	channels: number,
	sampleRate: number,
	tags?: AudioTags,
	block = 1 << 16
): Promise<Uint8Array> {
	if (channels !== 1 && channels !== 2) throw new RangeError(`Opus files here hold one or two channels, not ${channels}`);
	if (!(await opusSupported(channels))) throw new Error('This browser cannot encode Opus; choose MP3 instead.');
	const packets: Uint8Array[] = [];
	let preSkip = DEFAULT_PRE_SKIP;
	let failure: Error | null = null;
	const encoder = new AudioEncoder({
		output: (chunk, meta) => {
			if (meta?.decoderConfig) preSkip = preSkipOf(meta.decoderConfig.description);
			const bytes = new Uint8Array(chunk.byteLength);
			chunk.copyTo(bytes);
			packets.push(bytes);
		},
		error: (e) => (failure = e instanceof Error ? e : new Error(String(e)))
	});
	encoder.configure(config(channels));
	const resamplers = sampleRate === OPUS_RATE ? null : Array.from({ length: channels }, () => new StreamResampler(frames, sampleRate, OPUS_RATE));
	let sent = 0; // 48 kHz samples handed to the encoder
	const send = async (planar: Float32Array[]) => {
		const n = planar[0].length;
		if (!n) return;
		const data = new Float32Array(n * channels);
		planar.forEach((ch, c) => data.set(ch, c * n));
		const audio = new AudioData({ format: 'f32-planar', sampleRate: OPUS_RATE, numberOfFrames: n, numberOfChannels: channels, timestamp: Math.round((sent * 1e6) / OPUS_RATE), data });
		encoder.encode(audio);
		audio.close();
		sent += n;
		// back-pressure: let the encoder catch up before reading more
		while (encoder.encodeQueueSize > 8) await new Promise((r) => setTimeout(r, 0));
		if (failure) throw failure;
	};
	try {
		for (let f = 0; f < frames; f += block) {
			const region = await read(f, Math.min(frames, f + block));
			await send(resamplers ? region.map((ch, c) => resamplers[c].push(ch)) : region);
		}
		if (resamplers) await send(resamplers.map((r) => r.end()));
		const samples = sent;
		// a packet of silence past the end, so that the encoder's lookahead lets the last samples out
		// whether or not its flush does (the last granule position trims it away again)
		await send(Array.from({ length: channels }, () => new Float32Array(960)));
		sent = samples;
		await encoder.flush();
	} finally {
		if (encoder.state !== 'closed') encoder.close();
	}
	if (failure) throw failure;
	return oggOpusFile(packets, { channels, preSkip, inputRate: sampleRate }, sent, 'Stemsafe (libopus via WebCodecs)', tags);
}
