/**
 * STFT / iSTFT with exactly torch.stft / torch.istft's conventions for
 * window=hann_window(n_fft) (periodic), center=True, pad_mode='reflect', onesided,
 * normalized=False. Spectra are Float32Array laid out [F][T][re, im], F = nFft/2+1,
 * which is one channel of the model's [S, F, T, 2] input. nFft may be any even size (a power of
 * two runs the radix-2 FFT, others Bluestein's), e.g. UVR's MDX-Net 6144 / 7680.
 */
import { fftOfSize, packTwoReal, unpackTwoReal } from './fft';
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

export function stft(signal: Float32Array, { nFft, hopLength }: StftParams): Float32Array {
	const pad = nFft / 2;
	if (signal.length <= pad) {
		throw new RangeError(`signal of ${signal.length} samples is too short for reflect padding of ${pad}`);
	}
	const bins = nFft / 2 + 1;
	const frames = frameCount(signal.length, hopLength);
	const out = new Float32Array(bins * frames * 2);
	const fft = fftOfSize(nFft);
	const win = hannWindow(nFft);
	const re = new Float64Array(nFft);
	const im = new Float64Array(nFft);
	const aRe = new Float64Array(bins);
	const aIm = new Float64Array(bins);
	const bRe = new Float64Array(bins);
	const bIm = new Float64Array(bins);
	const n = signal.length;
	const sample = (i: number) => (i >= 0 && i < n ? signal[i] : signal[reflectIndex(i, n)]);

	// Two frames per complex FFT: frame t in the real part, frame t+1 in the imaginary part.
	for (let t = 0; t < frames; t += 2) {
		const second = t + 1 < frames;
		const startA = t * hopLength - pad;
		const startB = startA + hopLength;
		for (let i = 0; i < nFft; i++) {
			re[i] = sample(startA + i) * win[i];
			im[i] = second ? sample(startB + i) * win[i] : 0;
		}
		fft.transform(re, im);
		unpackTwoReal(re, im, aRe, aIm, bRe, bIm);
		for (let f = 0; f < bins; f++) {
			const o = (f * frames + t) * 2;
			out[o] = aRe[f];
			out[o + 1] = aIm[f];
			if (second) {
				out[o + 2] = bRe[f];
				out[o + 3] = bIm[f];
			}
		}
	}
	return out;
}

export function istft(spec: Float32Array, frames: number, length: number, { nFft, hopLength }: StftParams): Float32Array {
	const bins = nFft / 2 + 1;
	if (spec.length !== bins * frames * 2) {
		throw new RangeError(`spectrum has ${spec.length} values, expected ${bins * frames * 2}`);
	}
	const pad = nFft / 2;
	const total = nFft + hopLength * (frames - 1);
	const acc = new Float64Array(total);
	const env = new Float64Array(total);
	const fft = fftOfSize(nFft);
	const win = hannWindow(nFft);
	const re = new Float64Array(nFft);
	const im = new Float64Array(nFft);
	const aRe = new Float64Array(bins);
	const aIm = new Float64Array(bins);
	const bRe = new Float64Array(bins);
	const bIm = new Float64Array(bins);
	for (let t = 0; t < frames; t += 2) {
		const second = t + 1 < frames;
		for (let f = 0; f < bins; f++) {
			const o = (f * frames + t) * 2;
			aRe[f] = spec[o];
			aIm[f] = spec[o + 1];
			bRe[f] = second ? spec[o + 2] : 0;
			bIm[f] = second ? spec[o + 3] : 0;
		}
		packTwoReal(aRe, aIm, bRe, bIm, re, im);
		fft.transform(re, im, true);
		const startA = t * hopLength;
		for (let i = 0; i < nFft; i++) {
			const w = win[i];
			acc[startA + i] += (re[i] / nFft) * w;
			env[startA + i] += w * w;
		}
		if (second) {
			const startB = startA + hopLength;
			for (let i = 0; i < nFft; i++) {
				const w = win[i];
				acc[startB + i] += (im[i] / nFft) * w;
				env[startB + i] += w * w;
			}
		}
	}
	const out = new Float32Array(length);
	const available = Math.min(length, total - pad);
	for (let i = 0; i < available; i++) {
		const e = env[i + pad];
		out[i] = e > 1e-11 ? acc[i + pad] / e : 0;
	}
	return out;
}
