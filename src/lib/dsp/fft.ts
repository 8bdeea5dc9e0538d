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

const shared = new Map<number, FFT>();

/** One FFT (tables) per size, reused across chunks; `transform` keeps no state between calls. */
export function fftOfSize(size: number): FFT {
	let fft = shared.get(size);
	if (!fft) shared.set(size, (fft = new FFT(size)));
	return fft;
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
