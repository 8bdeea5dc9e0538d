/**
 * Magnitude spectra of a mono signal frame by frame (Hann window), handed to a callback one at a
 * time so long songs need no spectrogram in memory; mono mix and decimation for analysis.
 */
import { fftOfSize } from '../dsp/fft';
import { hannWindow } from '../dsp/window';

export function forEachMagnitudeFrame(
	signal: Float32Array,
	nFft: number,
	hop: number,
	onFrame: (magnitude: Float64Array, index: number) => void
): number {
	const fft = fftOfSize(nFft);
	const win = hannWindow(nFft);
	const re = new Float64Array(nFft);
	const im = new Float64Array(nFft);
	const mag = new Float64Array(nFft / 2 + 1);
	let index = 0;
	for (let start = 0; start + nFft <= signal.length; start += hop, index++) {
		for (let i = 0; i < nFft; i++) {
			re[i] = signal[start + i] * win[i];
			im[i] = 0;
		}
		fft.transform(re, im);
		for (let k = 0; k <= nFft / 2; k++) mag[k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
		onFrame(mag, index);
	}
	return index;
}

export function monoMix(channels: Float32Array[]): Float32Array {
	if (channels.length === 1) return channels[0];
	const out = new Float32Array(channels[0].length);
	for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] += ch[i] / channels.length;
	return out;
}

/**
 * Integer-factor decimation for analysis: a Kaiser-windowed sinc low-pass (64 taps, cut-off at
 * 0.45 of the new rate) evaluated only at the kept samples — far cheaper than the general
 * resampler and plenty for pitch-class and onset analysis.
 */
export function decimate(signal: Float32Array, factor: number): Float32Array {
	if (factor <= 1) return signal;
	const taps = 64;
	const half = taps / 2;
	const cutoff = 0.45 / factor; // cycles per input sample
	const h = new Float64Array(taps);
	let sum = 0;
	for (let t = 0; t < taps; t++) {
		const x = t - half + 0.5;
		const sinc = Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
		const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (t + 0.5)) / taps);
		h[t] = sinc * w;
		sum += h[t];
	}
	for (let t = 0; t < taps; t++) h[t] /= sum;
	const n = Math.floor(signal.length / factor);
	const out = new Float32Array(n);
	for (let i = 0; i < n; i++) {
		const centre = i * factor;
		let acc = 0;
		for (let t = 0; t < taps; t++) {
			const j = centre + t - half;
			if (j >= 0 && j < signal.length) acc += h[t] * signal[j];
		}
		out[i] = acc;
	}
	return out;
}
