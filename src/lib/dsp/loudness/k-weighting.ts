/**
 * ITU-R BS.1770-4 K-weighting: a high-shelf "pre-filter" (head effects) followed by the RLB
 * high-pass, as two biquads. Coefficients for any sample rate come from the analog prototype
 * through the bilinear transform (the parameters libebur128 and pyloudnorm use); at 48 kHz they
 * reproduce the coefficients tabulated in BS.1770 to 1e-8.
 */
export interface Biquad {
	b0: number;
	b1: number;
	b2: number;
	a1: number;
	a2: number;
}

export function kWeightingFilters(sampleRate: number): [Biquad, Biquad] {
	// Stage 1: high shelf, +4 dB above ~1.5 kHz.
	let f0 = 1681.974450955533;
	const gainDb = 3.999843853973347;
	let q = 0.7071752369554196;
	let k = Math.tan((Math.PI * f0) / sampleRate);
	const vh = 10 ** (gainDb / 20);
	const vb = vh ** 0.4996667741545416;
	let a0 = 1 + k / q + k * k;
	const shelf: Biquad = {
		b0: (vh + (vb * k) / q + k * k) / a0,
		b1: (2 * (k * k - vh)) / a0,
		b2: (vh - (vb * k) / q + k * k) / a0,
		a1: (2 * (k * k - 1)) / a0,
		a2: (1 - k / q + k * k) / a0
	};
	// Stage 2: RLB high-pass at ~38 Hz (numerator 1, -2, 1 as in BS.1770's table).
	f0 = 38.13547087602444;
	q = 0.5003270373238773;
	k = Math.tan((Math.PI * f0) / sampleRate);
	a0 = 1 + k / q + k * k;
	const highPass: Biquad = { b0: 1, b1: -2, b2: 1, a1: (2 * (k * k - 1)) / a0, a2: (1 - k / q + k * k) / a0 };
	return [shelf, highPass];
}

/** Runs a cascade of biquads (direct form II transposed, float64 state). */
export function filterCascade(input: Float32Array, filters: Biquad[]): Float64Array {
	const out = Float64Array.from(input);
	for (const { b0, b1, b2, a1, a2 } of filters) {
		let z1 = 0;
		let z2 = 0;
		for (let i = 0; i < out.length; i++) {
			const x = out[i];
			const y = b0 * x + z1;
			z1 = b1 * x - a1 * y + z2;
			z2 = b2 * x - a2 * y;
			out[i] = y;
		}
	}
	return out;
}
