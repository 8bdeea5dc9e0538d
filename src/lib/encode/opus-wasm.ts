/**
 * Opus packets from libopus compiled to WebAssembly (`libopus-wasm`: libopus 1.6.1, its WASM
 * inlined in one ES module), for browsers whose WebCodecs cannot encode Opus. Loaded with a
 * dynamic import only when needed, so the export worker's own bundle does not grow; the chunk is
 * precached with the worker's other files (scripts/precache-workers.mjs) and works offline.
 * Same settings as the WebCodecs encoder (opus-support.ts); the pre-skip is the encoder's own
 * lookahead (OPUS_GET_LOOKAHEAD).
 */
import { OPUS_COMPLEXITY, OPUS_FRAME, OPUS_KBPS_PER_CHANNEL, OPUS_RATE, type OpusPacketEncoder } from './opus-support';

export async function wasmOpusEncoder(channels: 1 | 2): Promise<OpusPacketEncoder> {
	const { Application, Signal, createEncoder, loadLibopus } = await import('libopus-wasm');
	const { version } = await loadLibopus();
	const encoder = await createEncoder({
		sampleRate: OPUS_RATE,
		channels,
		application: Application.Audio,
		signal: Signal.Music,
		bitrate: OPUS_KBPS_PER_CHANNEL * 1000 * channels,
		vbr: true,
		complexity: OPUS_COMPLEXITY,
		frameSize: OPUS_FRAME
	});
	const preSkip = encoder.getLookahead();
	const packets: Uint8Array[] = [];
	const frame = new Float32Array(OPUS_FRAME * channels); // interleaved, as libopus takes it
	let filled = 0; // samples (per channel) in `frame`
	let fed = 0; // samples given to the encoder, padding included

	const put = (planar: Float32Array[]) => {
		const n = planar[0].length;
		for (let at = 0; at < n; ) {
			const take = Math.min(n - at, OPUS_FRAME - filled);
			for (let c = 0; c < channels; c++) {
				const ch = planar[c];
				for (let i = 0; i < take; i++) frame[(filled + i) * channels + c] = ch[at + i];
			}
			filled += take;
			at += take;
			if (filled === OPUS_FRAME) {
				packets.push(encoder.encodeFloat(frame));
				filled = 0;
			}
		}
		fed += n;
	};

	return {
		vendor: `Stemsafe (${version} via WebAssembly)`,
		async encode(planar) {
			put(planar);
		},
		async finish(samples) {
			// A decoder returns each sample `preSkip` samples late: feed zeros until it has returned
			// every input sample, to the end of a packet (the last granule position trims the zeros).
			const total = Math.ceil(Math.max(fed, samples + preSkip) / OPUS_FRAME) * OPUS_FRAME;
			if (total > fed) put(Array.from({ length: channels }, () => new Float32Array(total - fed)));
			return { packets, preSkip };
		},
		close() {
			encoder.free();
		}
	};
}
