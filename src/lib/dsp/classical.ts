/**
 * An oracle-free classical 4-stem separator, the baseline the trained model is compared
 * with (scripts/eval.ts). Per STFT bin (n_fft 2048, hop 441, the model's own STFT):
 *
 *   harmonic/percussive split by median filtering (Fitzgerald 2010): H = median over 17
 *   frames of |X|, P = median over 17 bins; soft masks H²/(H²+P²), P²/(H²+P²);
 *   drums  = percussive part;
 *   bass   = harmonic part below a 180 Hz crossover (8th-order-like roll-off);
 *   vocals = harmonic part above the crossover, 150 Hz–8 kHz, weighted by the inter-channel
 *            similarity 2|L·R*| / (|L|²+|R|²) to the 4th power (centre-panned sound);
 *   other  = the mixture minus the three, so the stems sum to the mix.
 */
import type { AudioData } from './audio';
import { medianFilter } from './median';
import { residual } from './residual';
import { istft, stft, type StftParams } from './stft';

const PARAMS: StftParams = { nFft: 2048, hopLength: 441 };
const EPS = 1e-12;

function lowpass(freq: number, cutoff: number): number {
	return 1 / (1 + (freq / cutoff) ** 8);
}

function vocalBand(freq: number): number {
	return (1 - lowpass(freq, 150)) * lowpass(freq, 8000);
}

export function classicalSeparate(audio: AudioData, params: StftParams = PARAMS): Record<string, Float32Array[]> {
	const { sampleRate, channels } = audio;
	const length = channels[0].length;
	const bins = params.nFft / 2 + 1;
	const specs = channels.map((c) => stft(c, params)); // [F][T][re, im]
	const frames = specs[0].length / (bins * 2);
	const size = bins * frames;
	// magnitudes averaged over channels: one set of H/P masks for all channels keeps the image
	const mag = new Float32Array(size);
	for (const s of specs) for (let i = 0; i < size; i++) mag[i] += Math.hypot(s[2 * i], s[2 * i + 1]) / specs.length;
	const harm = medianFilter(mag, bins, frames, 'cols', 17);
	const perc = medianFilter(mag, bins, frames, 'rows', 17);
	const similarity = new Float32Array(size).fill(1);
	if (specs.length === 2) {
		const [l, r] = specs;
		for (let i = 0; i < size; i++) {
			const lr = l[2 * i], li = l[2 * i + 1], rr = r[2 * i], ri = r[2 * i + 1];
			const cross = Math.hypot(lr * rr + li * ri, li * rr - lr * ri);
			similarity[i] = (2 * cross) / (lr * lr + li * li + rr * rr + ri * ri + EPS);
		}
	}
	const masks = { vocals: new Float32Array(size), drums: new Float32Array(size), bass: new Float32Array(size) };
	for (let f = 0; f < bins; f++) {
		const freq = (f * sampleRate) / params.nFft;
		const low = lowpass(freq, 180);
		const band = vocalBand(freq);
		for (let t = 0; t < frames; t++) {
			const i = f * frames + t;
			const h2 = harm[i] * harm[i];
			const p2 = perc[i] * perc[i];
			const mh = h2 / (h2 + p2 + EPS);
			masks.drums[i] = 1 - mh;
			masks.bass[i] = mh * low;
			masks.vocals[i] = mh * (1 - low) * band * similarity[i] ** 4;
		}
	}
	const out: Record<string, Float32Array[]> = {};
	for (const [name, mask] of Object.entries(masks)) {
		out[name] = specs.map((s) => {
			const y = new Float32Array(s.length);
			for (let i = 0; i < size; i++) {
				y[2 * i] = s[2 * i] * mask[i];
				y[2 * i + 1] = s[2 * i + 1] * mask[i];
			}
			return istft(y, frames, length, params);
		});
	}
	out.other = residual(channels, [out.vocals, out.drums, out.bass]);
	return out;
}
