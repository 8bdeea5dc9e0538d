const cache = new Map<number, Float64Array>();

/** Periodic Hann window, as torch.hann_window(n) (periodic=True). Shared per size: do not modify. */
export function hannWindow(n: number): Float64Array {
	let w = cache.get(n);
	if (w) return w;
	w = new Float64Array(n);
	for (let i = 0; i < n; i++) w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
	cache.set(n, w);
	return w;
}
