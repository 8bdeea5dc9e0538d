import { MixedRadixFFT, smallFactors } from './fft-mixed';

/**
 * In-place iterative radix-2 complex FFT on split real/imaginary Float64Arrays,
 * plus helpers that run two real transforms through one complex transform.
 */
export class FFT {
	readonly size: number;
	/** Twiddles of every stage, contiguous: stage with half-size h starts at h - 1. */
	private readonly twRe: Float64Array;
	private readonly twIm: Float64Array;
	private readonly rev: Uint32Array;

	constructor(size: number) {
		if (!Number.isInteger(size) || size < 2 || (size & (size - 1)) !== 0) {
			throw new RangeError(`FFT size must be a power of two >= 2, got ${size}`);
		}
		this.size = size;
		this.twRe = new Float64Array(size);
		this.twIm = new Float64Array(size);
		for (let half = 1; half < size; half <<= 1) {
			for (let k = 0; k < half; k++) {
				this.twRe[half - 1 + k] = Math.cos((Math.PI * k) / half);
				this.twIm[half - 1 + k] = -Math.sin((Math.PI * k) / half);
			}
		}
		const bits = Math.log2(size);
		this.rev = new Uint32Array(size);
		for (let i = 0; i < size; i++) {
			let r = 0;
			for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
			this.rev[i] = r;
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
		// First stage: twiddle 1.
		for (let a = 0; a < n; a += 2) {
			const xr = re[a + 1];
			const xi = im[a + 1];
			re[a + 1] = re[a] - xr;
			im[a + 1] = im[a] - xi;
			re[a] += xr;
			im[a] += xi;
		}
		const sign = inverse ? -1 : 1;
		const twRe = this.twRe;
		const twIm = this.twIm;
		for (let half = 2; half < n; half <<= 1) {
			const len = half << 1;
			for (let k = 0; k < half; k++) {
				const wr = twRe[half - 1 + k];
				const wi = sign * twIm[half - 1 + k];
				for (let a = k; a < n; a += len) {
					const b = a + half;
					const xr = re[b] * wr - im[b] * wi;
					const xi = re[b] * wi + im[b] * wr;
					re[b] = re[a] - xr;
					im[b] = im[a] - xi;
					re[a] += xr;
					im[a] += xi;
				}
			}
		}
	}
}

/**
 * Spectra of two real signals packed as z = a + i·b (re = a, im = b) after `fft.transform`.
 * Writes the one-sided spectra (N/2+1 bins) of a and b.
 */
export function unpackTwoReal(
	re: Float64Array,
	im: Float64Array,
	aRe: Float64Array,
	aIm: Float64Array,
	bRe: Float64Array,
	bIm: Float64Array
): void {
	const n = re.length;
	for (let k = 0; k <= n / 2; k++) {
		const j = (n - k) % n;
		// A[k] = (Z[k] + conj(Z[N-k])) / 2 ; B[k] = (Z[k] - conj(Z[N-k])) / 2i
		aRe[k] = 0.5 * (re[k] + re[j]);
		aIm[k] = 0.5 * (im[k] - im[j]);
		bRe[k] = 0.5 * (im[k] + im[j]);
		bIm[k] = -0.5 * (re[k] - re[j]);
	}
}

/**
 * Inverse of `unpackTwoReal`: builds Z = A + i·B over all N bins from two one-sided
 * spectra (imaginary parts of the DC and Nyquist bins are ignored, as irfft does),
 * so that an inverse transform yields a in re and b in im.
 */
export function packTwoReal(
	aRe: Float64Array,
	aIm: Float64Array,
	bRe: Float64Array,
	bIm: Float64Array,
	re: Float64Array,
	im: Float64Array
): void {
	const n = re.length;
	const half = n / 2;
	for (let k = 0; k <= half; k++) {
		const ai = k === 0 || k === half ? 0 : aIm[k];
		const bi = k === 0 || k === half ? 0 : bIm[k];
		re[k] = aRe[k] - bi;
		im[k] = ai + bRe[k];
		if (k > 0 && k < half) {
			// Z[N-k] = conj(A[k]) + i·conj(B[k])
			re[n - k] = aRe[k] + bi;
			im[n - k] = -ai + bRe[k];
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
