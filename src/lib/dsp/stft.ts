/**
 * STFT / iSTFT with exactly torch.stft / torch.istft's conventions for
 * window=hann_window(n_fft) (periodic), center=True, pad_mode='reflect', onesided,
 * normalized=False. Spectra are Float32Array laid out [F][T][re, im], F = nFft/2+1,
 * which is one channel of the model's [S, F, T, 2] input. nFft may be any even size (a power of
 * two runs the radix-2 FFT, others Bluestein's), e.g. UVR's MDX-Net 6144 / 7680.
 */
import { FFT, fftOfSize } from './fft';
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
	const inv = inverseEnvelope(nFft, hopLength, frames);
	out ??= new Float32Array(length);
	const available = Math.min(length, total - half);
	for (let i = 0; i < available; i++) out[i] = acc[i + half] * inv[i + half];
	out.fill(0, available);
	return out;
}
