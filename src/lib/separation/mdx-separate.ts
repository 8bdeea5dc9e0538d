/**
 * Runs a UVR MDX-Net model (ONNX: input "input" [1, 4, dim_f, dim_t] -> output of the same shape)
 * over a whole mix the way UVR's SeperateMDX.demix does: n_fft/2 zeros in front, chunks of
 * hop·(dim_t-1) samples every `step`, STFT cut to dim_f bins with bins 0-2 zeroed, the model,
 * inverse STFT, symmetric-Hann weighted average, `compensate` gain. The secondary stem is the mix
 * minus the primary (UVR's default, without "invert spectrogram"). Pure apart from the injected
 * `runModel`, like separate.ts, so it runs in a worker and in Node tests.
 */
import { mdxChunkSize, mdxInverse, mdxSpectrum, planMdxChunks, symmetricHann, type MdxOverlap, type MdxStftParams } from '../dsp/mdx';
import { loadSimdFft } from '../dsp/simd-fft';
import { CancelledError } from './progress';

/** Runs the network: input [1, 4, dimF, dimT] -> output [1, 4, dimF, dimT], flat float32. */
export type RunMdxModel = (input: Float32Array, dims: number[]) => Promise<Float32Array>;

export interface MdxRunSettings extends MdxStftParams {
	/** UVR's per-model output gain (`compensate`, e.g. 1.035). */
	compensate: number;
}

export interface MdxSeparateOptions {
	/** UVR's overlap: 'default' (step = chunk - n_fft, the UVR default) or 0 <= x < 1. */
	overlap?: MdxOverlap;
	/** UVR's "Denoise Output": the mean of model(x) and -model(-x) (two model calls per chunk). */
	denoise?: boolean;
	onChunk?: (done: number, total: number) => void;
	isCancelled?: () => boolean;
}

export interface MdxStems {
	/** The model's stem (e.g. Vocals), per channel. */
	primary: Float32Array[];
	/** Mix minus primary (e.g. Instrumental), per channel. */
	secondary: Float32Array[];
}

/** Bins 0, 1, 2 of the model input are zeroed, as UVR's run_model does. */
const ZEROED_LOW_BINS = 3;

/** `mix`: 1 or 2 channels at 44.1 kHz (mono is run as dual mono and averaged back). */
export async function separateMdx(
	mix: Float32Array[],
	settings: MdxRunSettings,
	runModel: RunMdxModel,
	options: MdxSeparateOptions = {}
): Promise<MdxStems> {
	if (mix.length !== 1 && mix.length !== 2) throw new RangeError(`MDX-Net runs 1 or 2 channels, got ${mix.length}`);
	if (!(settings.compensate > 0)) throw new RangeError(`compensate must be positive, got ${settings.compensate}`);
	const stereo = mix.length === 2 ? mix : [mix[0], mix[0]];
	const length = stereo[0].length;
	const plan = planMdxChunks(length, settings, options.overlap ?? 'default');
	const { trim, chunkSize, paddedLength } = plan;
	const F = settings.dimF;
	const T = settings.dimT;
	const dims = [1, 4, F, T];
	const result = [new Float64Array(paddedLength), new Float64Array(paddedLength)];
	const divider = new Float64Array(paddedLength);
	const part = [new Float32Array(chunkSize), new Float32Array(chunkSize)];
	if (mdxChunkSize(settings) !== chunkSize) throw new Error('MDX chunk size mismatch');
	await loadSimdFft(); // the STFT/iSTFT run on the WASM SIMD FFT where it loads

	for (let c = 0; c < plan.starts.length; c++) {
		await nextTask();
		if (options.isCancelled?.()) throw new CancelledError();
		const start = plan.starts[c];
		const actual = Math.min(chunkSize, paddedLength - start);
		for (let ch = 0; ch < 2; ch++) {
			const src = stereo[ch];
			const dst = part[ch];
			for (let j = 0; j < chunkSize; j++) {
				const i = start + j - trim; // index into the mix; outside it the padded mixture is zero
				dst[j] = j < actual && i >= 0 && i < length ? src[i] : 0;
			}
		}
		const spek = mdxSpectrum(part[0], part[1], settings);
		for (let plane = 0; plane < 4; plane++) spek.fill(0, plane * F * T, plane * F * T + Math.min(ZEROED_LOW_BINS, F) * T);
		let pred = await runChecked(runModel, spek, dims);
		if (options.denoise) {
			const negated = spek.map((v) => -v);
			const other = await runChecked(runModel, negated, dims);
			const mean = new Float32Array(pred.length);
			for (let i = 0; i < mean.length; i++) mean[i] = 0.5 * pred[i] - 0.5 * other[i];
			pred = mean;
		}
		const waves = mdxInverse(pred, T, settings);
		const window = plan.windowed ? symmetricHann(actual) : null;
		for (let j = 0; j < actual; j++) {
			const w = window ? window[j] : 1;
			result[0][start + j] += waves[0][j] * w;
			result[1][start + j] += waves[1][j] * w;
			divider[start + j] += w;
		}
		options.onChunk?.(c + 1, plan.starts.length);
	}

	const primary = [new Float32Array(length), new Float32Array(length)];
	for (let ch = 0; ch < 2; ch++) {
		for (let i = 0; i < length; i++) {
			const d = divider[trim + i];
			primary[ch][i] = d !== 0 ? (result[ch][trim + i] / d) * settings.compensate : 0;
		}
	}
	const secondary = primary.map((p, ch) => {
		const out = new Float32Array(length);
		for (let i = 0; i < length; i++) out[i] = stereo[ch][i] - p[i];
		return out;
	});
	if (mix.length === 1) {
		const mono = (x: Float32Array[]) => [x[0].map((v, i) => 0.5 * (v + x[1][i]))];
		return { primary: mono(primary), secondary: mono(secondary) };
	}
	return { primary, secondary };
}

async function runChecked(runModel: RunMdxModel, input: Float32Array, dims: number[]): Promise<Float32Array> {
	const out = await runModel(input, dims);
	if (out.length !== input.length) {
		throw new Error(`the MDX-Net model returned ${out.length} values, expected ${input.length} ([${dims.join(', ')}])`);
	}
	return out;
}

function nextTask(): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, 0));
}
