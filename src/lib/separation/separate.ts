/**
 * The model loop: chunks -> STFT (TS) -> network -> iSTFT (TS) -> overlap-add.
 * Pure apart from the injected `runModel`, so it runs the same in a browser worker
 * and in Node (tests, evaluation).
 */
import { StreamingOverlapAdd, planChunks, readChunk } from '../dsp/chunking';
import { loadSimdFft } from '../dsp/simd-fft';
import { istft, stft } from '../dsp/stft';
import { modelStems, type ModelManifest } from './manifest';
import { CancelledError } from './progress';

/** Runs the network: input [1, S, F, T, 2] -> output [1, N, S, F, T, 2], flat float32. */
export type RunModel = (input: Float32Array, dims: number[]) => Promise<Float32Array>;

export interface SeparateOptions {
	/** Crossfade between chunks as a fraction of the chunk (default 0.25). */
	overlapFraction?: number;
	/** Called with done = 0 before the first chunk, then after every chunk. */
	onChunk?: (done: number, total: number) => void;
	isCancelled?: () => boolean;
}

/**
 * Final samples of every stem from `start` on: stems[stem][channel], all the same length.
 * Regions arrive in order and cover the song exactly once.
 */
export type RegionSink = (start: number, stems: Float32Array[][]) => void | Promise<void>;

/** `mix`: model channels at the model rate. Returns the network's stems, [stem][channel]. */
export async function separateChunks(
	mix: Float32Array[],
	manifest: ModelManifest,
	runModel: RunModel,
	options: SeparateOptions = {}
): Promise<Float32Array[][]> {
	const length = mix[0].length;
	const outputs = modelStems(manifest).map(() => mix.map(() => new Float32Array(length)));
	await separateChunksStream(mix, manifest, runModel, (start, stems) => {
		stems.forEach((chs, n) => chs.forEach((region, s) => outputs[n][s].set(region, start)));
	}, options);
	return outputs;
}

/**
 * The chunk loop with bounded memory: after each chunk, the samples before the next
 * chunk's start are final and go to `sink` (then are dropped here), so only one chunk per
 * stem and channel is held. `mix` is read chunk by chunk and never copied whole.
 *
 * Pipelined: chunk c+1's STFT is computed before waiting for chunk c's run, and the next
 * run starts before chunk c's iSTFT and overlap-add. When `runModel` computes elsewhere (the
 * GPU), that DSP work overlaps the network instead of adding to it. A WASM run holds the
 * calling thread while it computes, so there the DSP runs between runs and adds to them; the
 * order costs nothing extra. Each run gets its own input array, which
 * `runModel` may keep or transfer.
 */
export async function separateChunksStream(
	mix: Float32Array[],
	manifest: ModelManifest,
	runModel: RunModel,
	sink: RegionSink,
	options: SeparateOptions = {}
): Promise<void> {
	const { nFft, hopLength } = manifest.stft;
	const { frames, samples } = manifest.chunk;
	const S = mix.length;
	const F = nFft / 2 + 1;
	const stems = modelStems(manifest);
	const N = stems.length;
	const length = mix[0].length;
	const plan = planChunks(length, samples, Math.round(samples * (options.overlapFraction ?? 0.25)));
	const outputs = stems.map(() => mix.map(() => new StreamingOverlapAdd(length, plan)));
	const block = F * frames * 2;
	const dims = [1, S, F, frames, 2];
	const count = plan.starts.length;
	await loadSimdFft(); // the STFT/iSTFT run on the WASM SIMD FFT where it loads
	const inputOf = (c: number) => {
		const input = new Float32Array(S * block);
		const start = plan.starts[c];
		for (let s = 0; s < S; s++) {
			// a chunk inside the song is read in place; the last one is zero-padded
			const chunk = start + samples <= length ? mix[s].subarray(start, start + samples) : readChunk(mix[s], start, samples);
			stft(chunk, manifest.stft, input.subarray(s * block, (s + 1) * block));
		}
		return input;
	};
	const signal = new Float32Array(samples); // each iSTFT's output, added into the overlap-add at once
	const checkCancel = async () => {
		await nextTask(); // lets a worker handle incoming messages (cancel) between chunks
		if (options.isCancelled?.()) throw new CancelledError();
	};
	options.onChunk?.(0, count);
	await checkCancel();
	let running: Promise<Float32Array> | null = runModel(inputOf(0), dims);
	try {
		for (let c = 0; c < count; c++) {
			const next = c + 1 < count ? inputOf(c + 1) : null;
			const out: Float32Array = await running!;
			running = null;
			if (out.length !== N * S * block) {
				throw new Error(`model returned ${out.length} values, expected ${N * S * block} (${N} stems)`);
			}
			await checkCancel();
			if (next) running = runModel(next, dims);
			for (let n = 0; n < N; n++) {
				for (let s = 0; s < S; s++) {
					const spec = out.subarray((n * S + s) * block, (n * S + s + 1) * block);
					outputs[n][s].add(c, istft(spec, frames, samples, { nFft, hopLength }, signal));
				}
			}
			const upTo = c + 1 < count ? plan.starts[c + 1] : length;
			const start = outputs[0][0].flushed;
			await sink(start, outputs.map((chs) => chs.map((o) => o.flush(upTo))));
			options.onChunk?.(c + 1, count);
		}
	} finally {
		// a run still in flight when the loop stops early (cancel, a failing sink): its result is not wanted
		(running as Promise<Float32Array> | null)?.catch(() => {});
	}
}

function nextTask(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}
