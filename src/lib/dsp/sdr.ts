/**
 * Utterance-level SDR ("uSDR", the MDX 2021 / SDX 2023 challenge metric), in dB:
 * 10·log10((Σ s² + δ) / (Σ (s − ŝ)² + δ)) over all samples of all channels, δ = 1e-7.
 */
export const SDR_DELTA = 1e-7;

export function usdr(reference: Float32Array[], estimate: Float32Array[]): number {
	if (reference.length !== estimate.length) {
		throw new RangeError(`reference has ${reference.length} channels, estimate ${estimate.length}`);
	}
	let signal = 0;
	let error = 0;
	reference.forEach((ref, c) => {
		const est = estimate[c];
		if (est.length !== ref.length) throw new RangeError(`channel ${c}: ${ref.length} vs ${est.length} samples`);
		for (let i = 0; i < ref.length; i++) {
			const r = ref[i];
			const e = r - est[i];
			signal += r * r;
			error += e * e;
		}
	});
	return 10 * Math.log10((signal + SDR_DELTA) / (error + SDR_DELTA));
}
