/**
 * STFT / iSTFT with exactly torch.stft / torch.istft's conventions for
 * window=hann_window(n_fft) (periodic), center=True, pad_mode='reflect', onesided,
 * normalized=False. Spectra are Float32Array laid out [F][T][re, im], F = nFft/2+1,
 * which is one channel of the model's [S, F, T, 2] input. nFft may be any even size (a power of
 * two runs the radix-2 FFT, others Bluestein's), e.g. UVR's MDX-Net 6144 / 7680. Once
 * ./simd-fft is loaded, sizes it supports (2048, 6144, 7680, ...) run on its WASM SIMD real
 * FFT instead, one frame per transform.
 */
import { FFT, fftOfSize } from './fft';
import { simdRealFft, type RealFft } from './simd-fft';
import { hannWindow } from './window';

export interface StftParams {
	nFft: number;
	hopLength: number;
}

export function frameCount(length: number, hopLength: number): number {
	return 1 + Math.floor(length / hopLength);
}

/** Reflect-padded sample (torch 'reflect': the edge sample is not repeated). */
function reflectIndex(i: number, length: number): number {
	if (length === 1) return 0;
	const period = 2 * (length - 1);
	let j = i % period;
	if (j < 0) j += period;
	return j < length ? j : period - j;
}

interface Transform {
	/** The order the input may be written in: bit-reversed for power-of-two sizes, else natural. */
	perm: Uint32Array;
	run(re: Float64Array, im: Float64Array, inverse: boolean): void;
}
const transforms = new Map<number, Transform>();

/** The transform for nFft, one per size. */
function transformOf(nFft: number): Transform {
	let t = transforms.get(nFft);
	if (!t) {
		const fft = fftOfSize(nFft);
		t =
			fft instanceof FFT
				? { perm: fft.rev, run: (re, im, inv) => fft.transformPermuted(re, im, inv) }
				: { perm: Uint32Array.from({ length: nFft }, (_, i) => i), run: (re, im, inv) => fft.transform(re, im, inv) };
		transforms.set(nFft, t);
	}
	return t;
}

/** Per-size scratch arrays (re, im), reused across calls: the STFT of a chunk allocates nothing else. */
const scratch = new Map<number, { re: Float64Array; im: Float64Array }>();
function scratchOf(nFft: number) {
	let s = scratch.get(nFft);
	if (!s) scratch.set(nFft, (s = { re: new Float64Array(nFft), im: new Float64Array(nFft) }));
	return s;
}

/** The spectrum [F][T][re, im]; into `out` (exactly that size) when given, else a new array. */
export function stft(signal: Float32Array, { nFft, hopLength }: StftParams, out?: Float32Array): Float32Array {
	const pad = nFft / 2;
	if (signal.length <= pad) {
		throw new RangeError(`signal of ${signal.length} samples is too short for reflect padding of ${pad}`);
	}
	const bins = nFft / 2 + 1;
	const frames = frameCount(signal.length, hopLength);
	if (out && out.length !== bins * frames * 2) throw new RangeError(`STFT output needs ${bins * frames * 2} values, got ${out.length}`);
	out ??= new Float32Array(bins * frames * 2);
	const simd = simdRealFft(nFft);
	if (simd) return stftSimd(signal, hopLength, frames, simd, out);
	const { perm, run } = transformOf(nFft);
	const win = hannWindow(nFft);
	const { re, im } = scratchOf(nFft);
	const n = signal.length;
	const sample = (i: number) => (i >= 0 && i < n ? signal[i] : signal[reflectIndex(i, n)]);

	// Two frames per complex FFT: frame t in the real part, frame t+1 in the imaginary part,
	// written straight into the transform's bit-reversed input order.
	for (let t = 0; t < frames; t += 2) {
		const second = t + 1 < frames;
		const startA = t * hopLength - pad;
		const startB = startA + hopLength;
		if (startA >= 0 && startB + nFft <= n) {
			for (let i = 0; i < nFft; i++) {
				const j = perm[i];
				re[j] = signal[startA + i] * win[i];
				im[j] = signal[startB + i] * win[i];
			}
		} else {
			for (let i = 0; i < nFft; i++) {
				const j = perm[i];
				re[j] = sample(startA + i) * win[i];
				im[j] = second ? sample(startB + i) * win[i] : 0;
			}
		}
		run(re, im, false);
		// A[k] = (Z[k] + conj(Z[N-k])) / 2 ; B[k] = (Z[k] - conj(Z[N-k])) / 2i
		for (let k = 0; k < bins; k++) {
			const j = k === 0 ? 0 : nFft - k;
			const o = (k * frames + t) * 2;
			out[o] = 0.5 * (re[k] + re[j]);
			out[o + 1] = 0.5 * (im[k] - im[j]);
			if (second) {
				out[o + 2] = 0.5 * (im[k] + im[j]);
				out[o + 3] = -0.5 * (re[k] - re[j]);
			}
		}
	}
	return out;
}

/**
 * Frames per block in the SIMD paths. The spectrum [F][T] holds a frame's bins one row (T
 * frames) apart, so reading or writing it frame by frame touches a new cache line and often a
 * new page per bin; a block of frames is moved through a frame-major buffer instead, so each
 * bin's values for the whole block are one contiguous run.
 */
const BLOCK = 8;
const blocks = new Map<number, Float32Array>();
function blockOf(nFft: number): Float32Array {
	let b = blocks.get(nFft);
	if (!b) blocks.set(nFft, (b = new Float32Array(BLOCK * nFft)));
	return b;
}

/** What both SIMD paths work with: the frame size and half of it, the window, the transform's buffers, the block buffer. */
function simdSetup(fft: RealFft) {
	const nFft = fft.size;
	return { nFft, half: nFft / 2, win: hannWindow(nFft), input: fft.input, output: fft.output, block: blockOf(nFft) };
}

/** `stft` on the SIMD real FFT: one frame per transform, a block of frames at a time into `out` [F][T][re, im]. */
function stftSimd(signal: Float32Array, hopLength: number, frames: number, fft: RealFft, out: Float32Array): Float32Array {
	const { nFft, half, win, input, output, block } = simdSetup(fft);
	const n = signal.length;
	for (let t0 = 0; t0 < frames; t0 += BLOCK) {
		const count = Math.min(BLOCK, frames - t0);
		for (let g = 0; g < count; g++) {
			const start = (t0 + g) * hopLength - half;
			if (start >= 0 && start + nFft <= n) {
				for (let i = 0; i < nFft; i++) input[i] = signal[start + i] * win[i];
			} else {
				for (let i = 0; i < nFft; i++) {
					const j = start + i;
					input[i] = (j >= 0 && j < n ? signal[j] : signal[reflectIndex(j, n)]) * win[i];
				}
			}
			fft.forward();
			block.set(output, g * nFft); // [X0.re, X(N/2).re, X1.re, X1.im, ...]
		}
		for (let g = 0; g < count; g++) {
			const o = (t0 + g) * 2;
			const on = o + half * frames * 2;
			out[o] = block[g * nFft]; // DC and Nyquist are real
			out[o + 1] = 0;
			out[on] = block[g * nFft + 1];
			out[on + 1] = 0;
		}
		for (let k = 1; k < half; k++) {
			let o = (k * frames + t0) * 2;
			for (let b = 2 * k, end = b + count * nFft; b < end; b += nFft, o += 2) {
				out[o] = block[b];
				out[o + 1] = block[b + 1];
			}
		}
	}
	return out;
}

/** 1 / (nFft · Σ window²) per output sample of an iSTFT (0 where the sum vanishes), shared per layout. */
const envelopes = new Map<string, Float64Array>();
function inverseEnvelope(nFft: number, hopLength: number, frames: number): Float64Array {
	const key = `${nFft}/${hopLength}/${frames}`;
	let inv = envelopes.get(key);
	if (!inv) {
		const win = hannWindow(nFft);
		const total = nFft + hopLength * (frames - 1);
		const env = new Float64Array(total);
		for (let t = 0; t < frames; t++) for (let i = 0; i < nFft; i++) env[t * hopLength + i] += win[i] * win[i];
		inv = env.map((e) => (e > 1e-11 ? 1 / (nFft * e) : 0));
		if (envelopes.size > 16) envelopes.clear();
		envelopes.set(key, inv);
	}
	return inv;
}

const accumulators = new Map<number, Float64Array>();

/** The signal of `length` samples; into `out` (exactly that length) when given, else a new array. */
export function istft(spec: Float32Array, frames: number, length: number, { nFft, hopLength }: StftParams, out?: Float32Array): Float32Array {
	const bins = nFft / 2 + 1;
	if (spec.length !== bins * frames * 2) {
		throw new RangeError(`spectrum has ${spec.length} values, expected ${bins * frames * 2}`);
	}
	if (out && out.length !== length) throw new RangeError(`iSTFT output needs ${length} values, got ${out.length}`);
	const half = nFft / 2; // also the centre padding
	const total = nFft + hopLength * (frames - 1);
	let acc = accumulators.get(total);
	if (!acc) {
		if (accumulators.size > 8) accumulators.clear();
		accumulators.set(total, (acc = new Float64Array(total)));
	}
	acc.fill(0);
	const simd = simdRealFft(nFft);
	if (simd) istftSimd(spec, frames, hopLength, simd, acc);
	else istftJs(spec, frames, hopLength, nFft, acc);
	const inv = inverseEnvelope(nFft, hopLength, frames);
	out ??= new Float32Array(length);
	const available = Math.min(length, total - half);
	for (let i = 0; i < available; i++) out[i] = acc[i + half] * inv[i + half];
	out.fill(0, available);
	return out;
}

/** Adds every frame's unscaled inverse transform, windowed, into `acc` at its hop (two frames per complex FFT). */
function istftJs(spec: Float32Array, frames: number, hopLength: number, nFft: number, acc: Float64Array): void {
	const half = nFft / 2;
	const { perm, run } = transformOf(nFft);
	const win = hannWindow(nFft);
	const { re, im } = scratchOf(nFft);
	for (let t = 0; t < frames; t += 2) {
		const second = t + 1 < frames;
		// Z = A + i·B over all N bins (Z[N-k] = conj(A[k]) + i·conj(B[k])); the imaginary parts of
		// the DC and Nyquist bins are ignored, as irfft does. Written in bit-reversed order.
		for (let k = 0; k <= half; k++) {
			const o = (k * frames + t) * 2;
			const edge = k === 0 || k === half;
			const ar = spec[o];
			const ai = edge ? 0 : spec[o + 1];
			const br = second ? spec[o + 2] : 0;
			const bi = second && !edge ? spec[o + 3] : 0;
			const p = perm[k];
			re[p] = ar - bi;
			im[p] = ai + br;
			if (!edge) {
				const q = perm[nFft - k];
				re[q] = ar + bi;
				im[q] = br - ai;
			}
		}
		run(re, im, true);
		const startA = t * hopLength;
		for (let i = 0; i < nFft; i++) acc[startA + i] += re[i] * win[i];
		if (second) {
			const startB = startA + hopLength;
			for (let i = 0; i < nFft; i++) acc[startB + i] += im[i] * win[i];
		}
	}
}

/** `istftJs` on the SIMD real FFT: one frame per transform, a block of frames at a time (the imaginary parts of DC and Nyquist are ignored, as irfft does). */
function istftSimd(spec: Float32Array, frames: number, hopLength: number, fft: RealFft, acc: Float64Array): void {
	const { nFft, half, win, input, output, block } = simdSetup(fft);
	for (let t0 = 0; t0 < frames; t0 += BLOCK) {
		const count = Math.min(BLOCK, frames - t0);
		for (let g = 0; g < count; g++) {
			const o = (t0 + g) * 2;
			block[g * nFft] = spec[o];
			block[g * nFft + 1] = spec[o + half * frames * 2];
		}
		for (let k = 1; k < half; k++) {
			let o = (k * frames + t0) * 2;
			for (let b = 2 * k, end = b + count * nFft; b < end; b += nFft, o += 2) {
				block[b] = spec[o];
				block[b + 1] = spec[o + 1];
			}
		}
		for (let g = 0; g < count; g++) {
			input.set(block.subarray(g * nFft, (g + 1) * nFft));
			fft.backward();
			const start = (t0 + g) * hopLength;
			for (let i = 0; i < nFft; i++) acc[start + i] += output[i] * win[i];
		}
	}
}
