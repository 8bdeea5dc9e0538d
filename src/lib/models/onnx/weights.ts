/**
 * The checkpoint's tensors as graph initializers: the key set and every shape are checked against
 * the architecture first (a clear error names missing, unexpected and mis-shaped keys), then each
 * tensor is read, transformed (Linear weights transposed for MatMul) and converted only when the
 * model is serialized, one at a time.
 */
import type { TensorEntry, TensorMap } from '../types';
import { floatBytes, type Graph } from './graph';

const FLOAT_TYPES = new Set(['float32', 'float16', 'bfloat16', 'float64']);

function list(keys: string[], max = 8): string {
	return keys.slice(0, max).join(', ') + (keys.length > max ? `, ... (${keys.length - max} more)` : '');
}

/** Throws unless `weights` has exactly the keys and shapes of `expected`. */
export function checkWeights(weights: TensorMap, expected: Map<string, number[]>, what: string): void {
	const missing = [...expected.keys()].filter((k) => !weights.has(k));
	const unexpected = [...weights.keys()].filter((k) => !expected.has(k));
	const problems: string[] = [];
	if (missing.length) problems.push(`${missing.length} missing key${missing.length > 1 ? 's' : ''}: ${list(missing)}`);
	if (unexpected.length) problems.push(`${unexpected.length} unexpected key${unexpected.length > 1 ? 's' : ''}: ${list(unexpected)}`);
	const misshaped: string[] = [];
	const nonFloat: string[] = [];
	for (const [key, shape] of expected) {
		const entry = weights.get(key);
		if (!entry) continue;
		if (entry.shape.length !== shape.length || entry.shape.some((d, i) => d !== shape[i])) {
			misshaped.push(`${key} is [${entry.shape.join(', ')}], expected [${shape.join(', ')}]`);
		}
		if (!FLOAT_TYPES.has(entry.dtype)) nonFloat.push(`${key} (${entry.dtype})`);
	}
	if (misshaped.length) problems.push(`${misshaped.length} shape mismatch${misshaped.length > 1 ? 'es' : ''}: ${list(misshaped, 4)}`);
	if (nonFloat.length) problems.push(`not floating point: ${list(nonFloat, 4)}`);
	if (problems.length) throw new Error(`the checkpoint does not match ${what}: ${problems.join('; ')}`);
}

/** [rows, cols] row-major -> [cols, rows] row-major. */
export function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
	const out = new Float32Array(a.length);
	const B = 32;
	for (let r0 = 0; r0 < rows; r0 += B) {
		const r1 = Math.min(rows, r0 + B);
		for (let c0 = 0; c0 < cols; c0 += B) {
			const c1 = Math.min(cols, c0 + B);
			for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = a[r * cols + c];
		}
	}
	return out;
}

async function readChecked(entry: TensorEntry): Promise<Float32Array> {
	const data = await entry.read();
	const n = entry.shape.reduce((a, b) => a * b, 1);
	if (data.length !== n) throw new Error(`tensor ${entry.name}: read ${data.length} values, its shape [${entry.shape}] has ${n}`);
	return data;
}

export class Weights {
	constructor(
		private readonly map: TensorMap,
		private readonly graph: Graph
	) {}

	private entry(key: string): TensorEntry {
		const e = this.map.get(key);
		if (!e) throw new Error(`internal error: weight ${key} was not checked`);
		return e;
	}

	/** The tensor as stored, in the body's float type; `scale` multiplies every element (float32 math). */
	tensor(key: string, scale = 1): string {
		const e = this.entry(key);
		const type = this.graph.float;
		return this.graph.initializer(key, type, e.shape, async () => {
			let data = await readChecked(e);
			if (scale !== 1) data = data.map((v) => v * scale); // a copy: the reader may hand out a cached array
			return floatBytes(data, type);
		});
	}

	/** A Linear weight [out, in] as the [in, out] right-hand side of MatMul. */
	linear(key: string): string {
		const e = this.entry(key);
		const [rows, cols] = e.shape;
		const type = this.graph.float;
		return this.graph.initializer(`${key}.T`, type, [cols, rows], async () => floatBytes(transpose2d(await readChecked(e), rows, cols), type));
	}

	/**
	 * A tensor assembled from checkpoint tensors when the model is serialized (stacked or padded
	 * weights), in the body's float type. `build` reads what it needs through `read`.
	 */
	derived(name: string, dims: number[], build: (read: (key: string) => Promise<Float32Array>) => Promise<Float32Array>): string {
		const type = this.graph.float;
		return this.graph.initializer(name, type, dims, async () => {
			const data = await build((key) => readChecked(this.entry(key)));
			if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`internal error: ${name} has ${data.length} values for [${dims}]`);
			return floatBytes(data, type);
		});
	}

	/** Reads a (small) tensor now, while the graph is built. */
	read(key: string): Promise<Float32Array> {
		return readChecked(this.entry(key));
	}
}
