/**
 * Magnitude spectra (Hann window) of the mono mix of a song, decimated for analysis, handed to a
 * callback frame by frame: neither the mono mix nor the decimated signal is ever held whole, so a
 * 60-minute song costs one frame of memory. The decimation is a Hann-windowed sinc low-pass
 * (64 taps, cut-off at 0.45 of the new rate) evaluated only at the kept samples — far cheaper
 * than the general resampler and plenty for pitch-class and onset analysis. The spectra come from
 * the WASM SIMD real FFT when this thread has loaded it (`loadSimdFft`), else from the
 * TypeScript FFT; both give the same magnitudes to float32 precision.
 */
import { fftOfSize } from '../dsp/fft';
import { simdRealFft, type RealFft } from '../dsp/simd-fft';
import { hannWindow } from '../dsp/window';

const TAPS = 64;
const filters = new Map<number, Float64Array>();

function decimationFilter(factor: number): Float64Array {
	let h = filters.get(factor);
	if (h) return h;
	h = new Float64Array(TAPS);
	const half = TAPS / 2;
	const cutoff = 0.45 / factor; // cycles per input sample
	let sum = 0;
	for (let t = 0; t < TAPS; t++) {
		const x = t - half + 0.5;
		const sinc = Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
		const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (t + 0.5)) / TAPS);
		h[t] = sinc * w;
		sum += h[t];
	}
	for (let t = 0; t < TAPS; t++) h[t] /= sum;
	filters.set(factor, h);
	return h;
}

/** The mono mix (float32, the channels' mean), `factor`-fold decimated, produced block by block. */
export class DecimatedMono {
	readonly length: number;
	private readonly h: Float64Array;
	private readonly factor: number;
	private next = 0;
	private mono = new Float32Array(0);

	constructor(
		private readonly channels: Float32Array[],
		factor: number
	) {
		this.factor = Math.max(1, factor);
		const n = channels[0]?.length ?? 0;
		this.length = Math.floor(n / this.factor);
		this.h = decimationFilter(this.factor);
	}

	/** Mono mix of input samples [from, to) (zeros outside the song) into this.mono. */
	private mixRange(from: number, to: number): Float32Array {
		if (this.mono.length < to - from) this.mono = new Float32Array(to - from);
		const out = this.mono;
		out.fill(0, 0, to - from);
		const n = this.channels[0].length;
		const lo = Math.max(0, from);
		const hi = Math.min(n, to);
		const chs = this.channels;
		for (const ch of chs) {
			if (chs.length === 1) for (let j = lo; j < hi; j++) out[j - from] = ch[j];
			else for (let j = lo; j < hi; j++) out[j - from] += ch[j] / chs.length;
		}
		return out;
	}

	/** Fills `out` with the next decimated samples; returns how many (0 at the end). */
	read(out: Float32Array): number {
		const count = Math.min(out.length, this.length - this.next);
		if (count <= 0) return 0;
		const f = this.factor;
		const i0 = this.next;
		this.next += count;
		if (f === 1) {
			out.set(this.mixRange(i0, i0 + count).subarray(0, count));
			return count;
		}
		const half = TAPS / 2;
		const from = i0 * f - half;
		const mono = this.mixRange(from, (i0 + count - 1) * f - half + TAPS);
		const h = this.h;
		for (let k = 0; k < count; k++) {
			const base = (i0 + k) * f - half - from;
			let acc = 0;
			for (let t = 0; t < TAPS; t++) acc += h[t] * mono[base + t];
			out[k] = acc;
		}
		return count;
	}
}

/**
 * Magnitude spectra of the decimated mono mix, frames of `nFft` every `hop` samples (at the
 * decimated rate); returns the number of frames.
 */
export function forEachMixFrame(
	channels: Float32Array[],
	factor: number,
	nFft: number,
	hop: number,
	onFrame: (magnitude: Float64Array, index: number) => void
): number {
	const source = new DecimatedMono(channels, factor);
	const win = hannWindow(nFft);
	const frame = new Float32Array(nFft);
	const mag = new Float64Array(nFft / 2 + 1);
	const simd = simdRealFft(nFft);
	const magnitudes = simd ? () => simdMagnitude(simd, frame, win, mag) : tsMagnitudes(frame, win, mag);
	let filled = 0;
	let index = 0;
	for (;;) {
		while (filled < nFft) {
			const got = source.read(frame.subarray(filled));
			if (got === 0) return index;
			filled += got;
		}
		magnitudes();
		onFrame(mag, index++);
		frame.copyWithin(0, hop);
		filled = nFft - hop;
	}
}

/** |X[k]|, k = 0..N/2, of the windowed frame into `mag`, on the TypeScript FFT (the fallback). */
function tsMagnitudes(frame: Float32Array, win: Float64Array, mag: Float64Array): () => void {
	const n = frame.length;
	const fft = fftOfSize(n);
	const re = new Float64Array(n);
	const im = new Float64Array(n);
	return () => {
		for (let i = 0; i < n; i++) {
			re[i] = frame[i] * win[i];
			im[i] = 0;
		}
		fft.transform(re, im);
		for (let k = 0; k <= n / 2; k++) mag[k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
	};
}

/** |X[k]|, k = 0..N/2, of the windowed frame on the SIMD real FFT (its packed output layout). */
function simdMagnitude(simd: RealFft, frame: Float32Array, win: Float64Array, mag: Float64Array): void {
	const n = simd.size;
	const input = simd.input;
	for (let i = 0; i < n; i++) input[i] = frame[i] * win[i];
	simd.forward();
	const out = simd.output;
	mag[0] = Math.abs(out[0]);
	mag[n / 2] = Math.abs(out[1]);
	for (let k = 1; k < n / 2; k++) {
		const r = out[2 * k];
		const i = out[2 * k + 1];
		mag[k] = Math.sqrt(r * r + i * i);
	}
}
