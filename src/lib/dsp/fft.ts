import { MixedRadixFFT, smallFactors } from './fft-mixed';

/**
 * In-place iterative complex FFT for powers of two on split real/imaginary Float64Arrays,
 * plus helpers that run two real transforms through one complex transform.
 *
 * Decimation in time: a bit-reversal permutation, then the radix-2 stages two at a time
 * (radix-2², four points per butterfly: one pass over the data where radix-2 takes two), with
 * per-pass twiddle tables for each direction. Callers that write their input in bit-reversed
 * order themselves (the STFT's windowing does) skip the permutation with `transformPermuted`.
 */
export class FFT {
	readonly size: number;
	/** rev[i]: i with its log2(size) bits reversed. */
	readonly rev: Uint32Array;
	/** Per combined pass (quarter size q = 1, 4, 16, ...): twiddles [w1, w2, w3] (re, im) per k < q, forward and inverse. */
	private readonly passes: { q: number; fwd: Float64Array; inv: Float64Array }[] = [];
	/** With an odd number of stages the last one runs alone (half size `size / 2`). */
	private readonly lastRe: Float64Array | null = null;
	private readonly lastIm: Float64Array | null = null;

	constructor(size: number) {
		if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
			throw new RangeError(`FFT size must be a power of two >= 2, got ${size}`);
		}
		this.size = size;
		const bits = Math.log2(size);
		this.rev = new Uint32Array(size);
		for (let i = 0; i < size; i++) {
			let r = 0;
			for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
			this.rev[i] = r;
		}
		let h = 1; // half size of the first stage of the pass
		for (; 4 * h <= size; h *= 4) {
			// w1 = W_{2h}^k (first stage), w2 = W_{4h}^k and w3 = w1·w2 (second stage), per k < h
			const fwd = new Float64Array(6 * h);
			const inv = new Float64Array(6 * h);
			for (let k = 0; k < h; k++) {
				const angles = [(Math.PI * k) / h, (Math.PI * k) / (2 * h), (3 * Math.PI * k) / (2 * h)];
				angles.forEach((a, j) => {
					fwd[6 * k + 2 * j] = inv[6 * k + 2 * j] = Math.cos(a);
					fwd[6 * k + 2 * j + 1] = -Math.sin(a);
					inv[6 * k + 2 * j + 1] = Math.sin(a);
				});
			}
			this.passes.push({ q: h, fwd, inv });
		}
		if (h < size) {
			this.lastRe = new Float64Array(h);
			this.lastIm = new Float64Array(h);
			for (let k = 0; k < h; k++) {
				this.lastRe[k] = Math.cos((Math.PI * k) / h);
				this.lastIm[k] = -Math.sin((Math.PI * k) / h);
			}
		}
	}

	/** Forward transform (e^{-2πikn/N}); `inverse` computes the unscaled inverse. */
	transform(re: Float64Array, im: Float64Array, inverse = false): void {
		const n = this.size;
		const rev = this.rev;
		for (let i = 0; i < n; i++) {
			const j = rev[i];
			if (j > i) {
				let t = re[i];
				re[i] = re[j];
				re[j] = t;
				t = im[i];
				im[i] = im[j];
				im[j] = t;
			}
		}
		this.transformPermuted(re, im, inverse);
	}

	/** `transform` of an input already in bit-reversed order (x[rev[i]] stored at i). */
	transformPermuted(re: Float64Array, im: Float64Array, inverse = false): void {
		const n = this.size;
		const s = inverse ? -1 : 1;
		for (const { q, fwd, inv } of this.passes) {
			if (q === 1) {
				// twiddles are all 1: a plain 4-point DFT per block
				for (let i0 = 0; i0 < n; i0 += 4) {
					const y0r = re[i0] + re[i0 + 1];
					const y0i = im[i0] + im[i0 + 1];
					const y1r = re[i0] - re[i0 + 1];
					const y1i = im[i0] - im[i0 + 1];
					const y2r = re[i0 + 2] + re[i0 + 3];
					const y2i = im[i0 + 2] + im[i0 + 3];
					const y3r = re[i0 + 2] - re[i0 + 3];
					const y3i = im[i0 + 2] - im[i0 + 3];
					re[i0] = y0r + y2r;
					im[i0] = y0i + y2i;
					re[i0 + 2] = y0r - y2r;
					im[i0 + 2] = y0i - y2i;
					re[i0 + 1] = y1r + s * y3i;
					im[i0 + 1] = y1i - s * y3r;
					re[i0 + 3] = y1r - s * y3i;
					im[i0 + 3] = y1i + s * y3r;
				}
				continue;
			}
			const tw = inverse ? inv : fwd;
			const len = 4 * q;
			// Two radix-2 stages as one radix-4 butterfly (3 twiddle products instead of 4):
			// t1 = w1·x1, a = w2·x2, b = w3·x3; z0,2 = (x0 + t1) ± (a + b); z1,3 = (x0 - t1) ∓ s·i·(a - b)
			for (let a0 = 0; a0 < n; a0 += len) {
				for (let k = 0; k < q; k++) {
					const w1r = tw[6 * k];
					const w1i = tw[6 * k + 1];
					const w2r = tw[6 * k + 2];
					const w2i = tw[6 * k + 3];
					const w3r = tw[6 * k + 4];
					const w3i = tw[6 * k + 5];
					const i0 = a0 + k;
					const i1 = i0 + q;
					const i2 = i1 + q;
					const i3 = i2 + q;
					const x1r = re[i1];
					const x1i = im[i1];
					const x2r = re[i2];
					const x2i = im[i2];
					const x3r = re[i3];
					const x3i = im[i3];
					const t1r = x1r * w1r - x1i * w1i;
					const t1i = x1r * w1i + x1i * w1r;
					const ar = x2r * w2r - x2i * w2i;
					const ai = x2r * w2i + x2i * w2r;
					const br = x3r * w3r - x3i * w3i;
					const bi = x3r * w3i + x3i * w3r;
					const x0r = re[i0];
					const x0i = im[i0];
					const y0r = x0r + t1r;
					const y0i = x0i + t1i;
					const y1r = x0r - t1r;
					const y1i = x0i - t1i;
					const sr = ar + br;
					const si = ai + bi;
					// -i·(a - b) forward, +i·(a - b) inverse
					const dr = s * (ai - bi);
					const di = -s * (ar - br);
					re[i0] = y0r + sr;
					im[i0] = y0i + si;
					re[i2] = y0r - sr;
					im[i2] = y0i - si;
					re[i1] = y1r + dr;
					im[i1] = y1i + di;
					re[i3] = y1r - dr;
					im[i3] = y1i - di;
				}
			}
		}
		const lastRe = this.lastRe;
		const lastIm = this.lastIm;
		if (lastRe && lastIm) {
			const half = n >> 1;
			const sign = inverse ? -1 : 1;
			for (let k = 0; k < half; k++) {
				const wr = lastRe[k];
				const wi = sign * lastIm[k];
				const b = k + half;
				const xr = re[b] * wr - im[b] * wi;
				const xi = re[b] * wi + im[b] * wr;
				re[b] = re[k] - xr;
				im[b] = im[k] - xi;
				re[k] += xr;
				im[k] += xi;
			}
		}
	}
}

/** Any transform size: `FFT` for powers of two, Bluestein's chirp-z otherwise (UVR's MDX-Net n_fft 6144, 7680). */
export interface ComplexTransform {
	readonly size: number;
	transform(re: Float64Array, im: Float64Array, inverse?: boolean): void;
}

/**
 * Complex DFT of any length N through three power-of-two FFTs of length M >= 2N-1
 * (Bluestein): X[k] = w[k] · Σ_n (x[n] w[n]) conj(w[k-n]), w[j] = e^{-iπ j²/N}.
 */
export class BluesteinFFT implements ComplexTransform {
	readonly size: number;
	private readonly fft: FFT;
	private readonly wRe: Float64Array;
	private readonly wIm: Float64Array;
	private readonly bRe: Float64Array;
	private readonly bIm: Float64Array;
	private readonly aRe: Float64Array;
	private readonly aIm: Float64Array;

	constructor(size: number) {
		if (!Number.isInteger(size) || size < 1) throw new RangeError(`FFT size must be a positive integer, got ${size}`);
		this.size = size;
		let m = 1;
		while (m < 2 * size - 1) m <<= 1;
		m = Math.max(m, 2);
		this.fft = new FFT(m);
		this.wRe = new Float64Array(size);
		this.wIm = new Float64Array(size);
		for (let j = 0; j < size; j++) {
			const angle = (Math.PI * ((j * j) % (2 * size))) / size; // j² mod 2N keeps the angle exact
			this.wRe[j] = Math.cos(angle);
			this.wIm[j] = -Math.sin(angle);
		}
		this.bRe = new Float64Array(m);
		this.bIm = new Float64Array(m);
		for (let j = 0; j < size; j++) {
			this.bRe[j] = this.wRe[j];
			this.bIm[j] = -this.wIm[j];
			if (j > 0) {
				this.bRe[m - j] = this.wRe[j];
				this.bIm[m - j] = -this.wIm[j];
			}
		}
		this.fft.transform(this.bRe, this.bIm);
		this.aRe = new Float64Array(m);
		this.aIm = new Float64Array(m);
	}

	/** Forward (e^{-2πikn/N}); `inverse` computes the unscaled inverse. */
	transform(re: Float64Array, im: Float64Array, inverse = false): void {
		const n = this.size;
		const m = this.aRe.length;
		const { aRe, aIm, wRe, wIm, bRe, bIm } = this;
		const s = inverse ? -1 : 1; // inverse = conj(forward(conj(x)))
		for (let j = 0; j < n; j++) {
			const xr = re[j];
			const xi = s * im[j];
			aRe[j] = xr * wRe[j] - xi * wIm[j];
			aIm[j] = xr * wIm[j] + xi * wRe[j];
		}
		aRe.fill(0, n);
		aIm.fill(0, n);
		this.fft.transform(aRe, aIm);
		for (let j = 0; j < m; j++) {
			const r = aRe[j] * bRe[j] - aIm[j] * bIm[j];
			aIm[j] = aRe[j] * bIm[j] + aIm[j] * bRe[j];
			aRe[j] = r;
		}
		this.fft.transform(aRe, aIm, true);
		for (let k = 0; k < n; k++) {
			const cr = aRe[k] / m;
			const ci = aIm[k] / m;
			re[k] = cr * wRe[k] - ci * wIm[k];
			im[k] = s * (cr * wIm[k] + ci * wRe[k]);
		}
	}
}

/** The transform for `size`: radix-2 for a power of two, mixed radix for sizes made of 2, 3, 5 and 7, else Bluestein. */
export function createFFT(size: number): ComplexTransform {
	if (Number.isInteger(size) && size >= 2 && (size & (size - 1)) === 0) return new FFT(size);
	return size >= 2 && smallFactors(size) ? new MixedRadixFFT(size) : new BluesteinFFT(size);
}

const shared = new Map<number, ComplexTransform>();

/** One transform (tables, scratch) per size, reused across chunks; `transform` keeps no state between calls. */
export function fftOfSize(size: number): ComplexTransform {
	let fft = shared.get(size);
	if (!fft) shared.set(size, (fft = createFFT(size)));
	return fft;
}
