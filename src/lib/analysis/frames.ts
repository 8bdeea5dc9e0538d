/**
 * Magnitude spectra of a mono signal frame by frame (Hann window), handed to a callback one at a
 * time so long songs need no spectrogram in memory.
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
		for (let k = 0; k <= nFft / 2; k++) mag[k] = Math.hypot(re[k], im[k]);
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
