/**
 * Running median of a row-major [rows][cols] matrix along one axis, window `width` (odd),
 * with the window shrunk at the edges (scipy.ndimage.median_filter with mode='nearest'
 * would repeat edge values instead; shrinking keeps onsets at the edges sharper).
 */
export function medianFilter(
	values: Float32Array,
	rows: number,
	cols: number,
	axis: 'rows' | 'cols',
	width: number
): Float32Array {
	if (values.length !== rows * cols) throw new RangeError(`expected ${rows * cols} values, got ${values.length}`);
	if (!(width >= 1) || width % 2 !== 1) throw new RangeError(`median width must be odd, got ${width}`);
	const out = new Float32Array(values.length);
	const half = (width - 1) / 2;
	const buf = new Float64Array(width);
	// along 'cols': each row is a sequence; along 'rows': each column is a sequence
	const sequences = axis === 'cols' ? rows : cols;
	const length = axis === 'cols' ? cols : rows;
	const step = axis === 'cols' ? 1 : cols;
	for (let s = 0; s < sequences; s++) {
		const base = axis === 'cols' ? s * cols : s;
		for (let i = 0; i < length; i++) {
			const lo = Math.max(0, i - half);
			const hi = Math.min(length - 1, i + half);
			let n = 0;
			for (let j = lo; j <= hi; j++) {
				// insertion into the sorted prefix of buf
				const v = values[base + j * step];
				let k = n++;
				while (k > 0 && buf[k - 1] > v) {
					buf[k] = buf[k - 1];
					k--;
				}
				buf[k] = v;
			}
			out[base + i * step] = n % 2 ? buf[(n - 1) / 2] : 0.5 * (buf[n / 2 - 1] + buf[n / 2]);
		}
	}
	return out;
}
