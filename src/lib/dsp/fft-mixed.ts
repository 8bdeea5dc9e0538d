/**
 * Mixed-radix complex FFT for sizes whose prime factors are all small (2, 3, 5, 7), e.g. UVR's
 * MDX-Net n_fft 6144 = 2^11·3 and 7680 = 2^9·3·5: decimation in time, recursively, with a radix-p
 * butterfly per stage and twiddles from one table of N roots. Several times faster than the
 * Bluestein transform for these sizes (which needs two power-of-two FFTs of 2N or more).
 */
import type { ComplexTransform } from './fft';

const SMALL_PRIMES = [4, 2, 3, 5, 7];

/** Radices (4, 2, 3, 5, 7) whose product is n, or null when n has a larger prime factor. */
export function smallFactors(n: number): number[] | null {
	if (!Number.isInteger(n) || n < 1) return null;
	const out: number[] = [];
	let rest = n;
	for (const p of SMALL_PRIMES) {
		while (rest % p === 0) {
			out.push(p);
			rest /= p;
		}
	}
	return rest === 1 ? out : null;
}

export class MixedRadixFFT implements ComplexTransform {
	readonly size: number;
	private readonly factors: number[];
	private readonly cos: Float64Array;
	private readonly sin: Float64Array;
	private readonly outRe: Float64Array;
	private readonly outIm: Float64Array;
	private readonly tRe = new Float64Array(8);
	private readonly tIm = new Float64Array(8);
	private sign = 1;

	constructor(size: number) {
		const f = smallFactors(size);
		if (!f || size < 2) throw new RangeError(`mixed-radix FFT needs a size with prime factors 2, 3, 5, 7 only, got ${size}`);
		this.size = size;
		this.factors = f;
		this.cos = new Float64Array(size);
		this.sin = new Float64Array(size);
		for (let j = 0; j < size; j++) {
			this.cos[j] = Math.cos((2 * Math.PI * j) / size);
			this.sin[j] = -Math.sin((2 * Math.PI * j) / size);
		}
		this.outRe = new Float64Array(size);
		this.outIm = new Float64Array(size);
	}

	/** Forward (e^{-2πikn/N}); `inverse` computes the unscaled inverse. In place. */
	transform(re: Float64Array, im: Float64Array, inverse = false): void {
		this.sign = inverse ? -1 : 1;
		this.step(re, im, 0, 1, this.size, 0, 0);
		re.set(this.outRe);
		im.set(this.outIm);
	}

	/** DFT of x[inOff + stride·r], r < n, into out[outOff .. outOff + n). */
	private step(re: Float64Array, im: Float64Array, inOff: number, stride: number, n: number, outOff: number, level: number): void {
		const p = this.factors[level];
		const m = n / p;
		const oRe = this.outRe;
		const oIm = this.outIm;
		if (m === 1) {
			for (let q = 0; q < p; q++) {
				oRe[outOff + q] = re[inOff + q * stride];
				oIm[outOff + q] = im[inOff + q * stride];
			}
		} else {
			for (let q = 0; q < p; q++) this.step(re, im, inOff + q * stride, stride * p, m, outOff + q * m, level + 1);
		}
		// X[k + m·s] = Σ_q (W_n^{qk} Y_q[k]) W_p^{qs}; q·k·(N/n) < N, so the twiddle index needs no modulo
		const N = this.size;
		const unit = N / n; // W_n = W_N^unit
		const pUnit = N / p; // W_p = W_N^pUnit
		const cos = this.cos;
		const sin = this.sin;
		const sg = this.sign;
		const tRe = this.tRe;
		const tIm = this.tIm;
		for (let k = 0; k < m; k++) {
			tRe[0] = oRe[outOff + k];
			tIm[0] = oIm[outOff + k];
			for (let q = 1; q < p; q++) {
				const i = outOff + q * m + k;
				const w = q * k * unit;
				const wr = cos[w];
				const wi = sg * sin[w];
				tRe[q] = oRe[i] * wr - oIm[i] * wi;
				tIm[q] = oRe[i] * wi + oIm[i] * wr;
			}
			const i0 = outOff + k;
			if (p === 2) {
				oRe[i0] = tRe[0] + tRe[1];
				oIm[i0] = tIm[0] + tIm[1];
				oRe[i0 + m] = tRe[0] - tRe[1];
				oIm[i0 + m] = tIm[0] - tIm[1];
			} else if (p === 4) {
				const aRe = tRe[0] + tRe[2];
				const aIm = tIm[0] + tIm[2];
				const bRe = tRe[0] - tRe[2];
				const bIm = tIm[0] - tIm[2];
				const cRe = tRe[1] + tRe[3];
				const cIm = tIm[1] + tIm[3];
				// d = ∓i (t1 - t3): -i for the forward transform, +i for the inverse
				const dRe = sg * (tIm[1] - tIm[3]);
				const dIm = -sg * (tRe[1] - tRe[3]);
				oRe[i0] = aRe + cRe;
				oIm[i0] = aIm + cIm;
				oRe[i0 + m] = bRe + dRe;
				oIm[i0 + m] = bIm + dIm;
				oRe[i0 + 2 * m] = aRe - cRe;
				oIm[i0 + 2 * m] = aIm - cIm;
				oRe[i0 + 3 * m] = bRe - dRe;
				oIm[i0 + 3 * m] = bIm - dIm;
			} else {
				for (let s = 0; s < p; s++) {
					let sr = tRe[0];
					let si = tIm[0];
					for (let q = 1; q < p; q++) {
						const w = ((q * s) % p) * pUnit;
						const wr = cos[w];
						const wi = sg * sin[w];
						sr += tRe[q] * wr - tIm[q] * wi;
						si += tRe[q] * wi + tIm[q] * wr;
					}
					oRe[i0 + m * s] = sr;
					oIm[i0 + m * s] = si;
				}
			}
		}
	}
}
