/** mix − Σ parts, per channel: the stem that makes a set of stems sum exactly to the mix. */
export function residual(mix: Float32Array[], parts: Float32Array[][]): Float32Array[] {
	return mix.map((ch, c) => {
		const r = ch.slice();
		for (const part of parts) {
			const p = part[c];
			for (let i = 0; i < r.length; i++) r[i] -= p[i];
		}
		return r;
	});
}
