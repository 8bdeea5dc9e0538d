/**
 * Ogg Opus files. The samples are resampled to 48 kHz here (zero phase: no delay of our own),
 * encoded in 20 ms packets and muxed into Ogg (ogg.ts) with the encoder's lookahead as pre-skip
 * and the input's length as the last granule position, so a decoder returns exactly the input's
 * samples. The encoder is the browser's own (WebCodecs AudioEncoder: libopus in Chromium, Firefox
 * 130+ and Safari 26) where it can encode Opus, else libopus compiled to WebAssembly
 * (opus-wasm.ts, loaded only then); a WebCodecs encoder that fails before its first packet (say,
 * it refuses the configuration it claimed to support) hands over to the WebAssembly one too.
 */
import { StreamResampler } from '../dsp/resample';
import { oggOpusFile } from './ogg';
import { OPUS_FRAME, OPUS_RATE, opusEncoderKind, webCodecsOpusConfig, type OpusEncoderKind, type OpusPacketEncoder } from './opus-support';
import type { AudioTags } from './tags';

export { OPUS_KBPS_PER_CHANNEL, OPUS_RATE, opusSupported } from './opus-support';

/** libopus's lookahead at 48 kHz for the 'audio' application (2.5 ms + 4 ms): the pre-skip when WebCodecs does not say. */
export const DEFAULT_PRE_SKIP = 312;

/** WebCodecs failed before it gave a packet: the WebAssembly encoder takes over. */
class WebCodecsUnavailable extends Error {}

/** Pre-skip from the encoder's decoder description (an OpusHead, when given), else libopus's usual lookahead. */
function preSkipOf(description: AllowSharedBufferSource | undefined): number {
	if (!description) return DEFAULT_PRE_SKIP;
	const bytes = ArrayBuffer.isView(description) ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength) : new Uint8Array(description);
	if (bytes.length >= 19 && new TextDecoder().decode(bytes.subarray(0, 8)) === 'OpusHead') return bytes[10] | (bytes[11] << 8);
	return DEFAULT_PRE_SKIP;
}

/** The browser's Opus encoder (WebCodecs). Its failures before the first packet are WebCodecsUnavailable. */
function webCodecsEncoder(channels: number): OpusPacketEncoder {
	const packets: Uint8Array[] = [];
	let preSkip = DEFAULT_PRE_SKIP;
	let failure: Error | null = null;
	let sent = 0; // samples handed to the encoder, for the timestamps
	const fail = (e: unknown) => {
		const error = e instanceof Error ? e : new Error(String(e));
		return packets.length ? error : new WebCodecsUnavailable(`WebCodecs could not encode Opus: ${error.message}`, { cause: error });
	};
	let encoder: AudioEncoder;
	try {
		encoder = new AudioEncoder({
			output: (chunk, meta) => {
				if (meta?.decoderConfig) preSkip = preSkipOf(meta.decoderConfig.description);
				const bytes = new Uint8Array(chunk.byteLength);
				chunk.copyTo(bytes);
				packets.push(bytes);
			},
			error: (e) => (failure = fail(e))
		});
		encoder.configure(webCodecsOpusConfig(channels));
	} catch (e) {
		throw fail(e);
	}
	const send = async (planar: Float32Array[]) => {
		const n = planar[0].length;
		if (!n) return;
		const data = new Float32Array(n * channels);
		planar.forEach((ch, c) => data.set(ch, c * n));
		const audio = new AudioData({ format: 'f32-planar', sampleRate: OPUS_RATE, numberOfFrames: n, numberOfChannels: channels, timestamp: Math.round((sent * 1e6) / OPUS_RATE), data });
		try {
			encoder.encode(audio);
		} catch (e) {
			throw failure ?? fail(e);
		} finally {
			audio.close();
		}
		sent += n;
		// back-pressure: let the encoder catch up before reading more
		while (encoder.encodeQueueSize > 8 && !failure) await new Promise((r) => setTimeout(r, 0));
		if (failure) throw failure;
	};
	return {
		vendor: 'Stemsafe (libopus via WebCodecs)',
		encode: send,
		async finish() {
			// a packet of silence past the end, so that the encoder's lookahead lets the last samples
			// out whether or not its flush does (the last granule position trims it away again)
			await send(Array.from({ length: channels }, () => new Float32Array(OPUS_FRAME)));
			try {
				await encoder.flush();
			} catch (e) {
				throw failure ?? fail(e);
			}
			if (failure) throw failure;
			return { packets, preSkip };
		},
		close() {
			if (encoder.state !== 'closed') encoder.close();
		}
	};
}

/** Reads the regions, resamples them to 48 kHz where needed, encodes them and muxes the packets. */
async function encodeWith(
	encoder: OpusPacketEncoder,
	read: (start: number, end: number) => Promise<Float32Array[]> | Float32Array[],
	frames: number,
	channels: number,
	sampleRate: number,
	tags: AudioTags | undefined,
	block: number
): Promise<Uint8Array> {
	try {
		const resamplers = sampleRate === OPUS_RATE ? null : Array.from({ length: channels }, () => new StreamResampler(frames, sampleRate, OPUS_RATE));
		let samples = 0; // 48 kHz samples encoded
		const send = async (planar: Float32Array[]) => {
			if (!planar[0].length) return;
			await encoder.encode(planar);
			samples += planar[0].length;
		};
		for (let f = 0; f < frames; f += block) {
			const region = await read(f, Math.min(frames, f + block));
			if (region.length !== channels || region.some((ch) => ch.length !== region[0].length)) {
				throw new RangeError(`expected ${channels} channels of equal length for frames ${f}-${Math.min(frames, f + block)}`);
			}
			await send(resamplers ? region.map((ch, c) => resamplers[c].push(ch)) : region);
		}
		if (resamplers) await send(resamplers.map((r) => r.end()));
		const { packets, preSkip } = await encoder.finish(samples);
		return oggOpusFile(packets, { channels, preSkip, inputRate: sampleRate }, samples, encoder.vendor, tags);
	} finally {
		encoder.close();
	}
}

export interface OpusEncodeOptions {
	/** Frames read at a time. */
	block?: number;
	/** Which encoder (default: WebCodecs where it encodes Opus, else WebAssembly). */
	encoder?: OpusEncoderKind;
}

/**
 * Encodes planar channels (1 or 2), read region by region (`read` may be asked for a region
 * again when WebCodecs fails at its start), as an Ogg Opus file with the tags as Vorbis comments.
 */
export async function encodeOpus(
	read: (start: number, end: number) => Promise<Float32Array[]> | Float32Array[],
	frames: number,
	channels: number,
	sampleRate: number,
	tags?: AudioTags,
	{ block = 1 << 16, encoder }: OpusEncodeOptions = {}
): Promise<Uint8Array> {
	if (channels !== 1 && channels !== 2) throw new RangeError(`Opus files here hold one or two channels, not ${channels}`);
	if (!(Number.isInteger(frames) && frames >= 0)) throw new RangeError(`bad frame count ${frames}`);
	const kind = encoder ?? (await opusEncoderKind(channels));
	if (!kind) throw new Error('This browser cannot encode Opus (it has neither a WebCodecs Opus encoder nor WebAssembly); choose WAV or FLAC instead.');
	if (kind === 'webcodecs') {
		try {
			return await encodeWith(webCodecsEncoder(channels), read, frames, channels, sampleRate, tags, block);
		} catch (e) {
			if (!(e instanceof WebCodecsUnavailable)) throw e;
			console.warn(`${e.message}; using the WebAssembly libopus instead`);
		}
	}
	const { wasmOpusEncoder } = await import('./opus-wasm');
	return encodeWith(await wasmOpusEncoder(channels), read, frames, channels, sampleRate, tags, block);
}
