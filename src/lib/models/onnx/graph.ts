/**
 * A tiny ONNX graph-building DSL: nodes with generated value names, initializers whose bytes are
 * produced only when the model is serialized (one weight at a time), graph inputs and outputs.
 */

/** ONNX TensorProto.DataType values used here. */
export const DType = { float32: 1, int64: 7, float16: 10 } as const;
export type ElemType = keyof typeof DType;

export const ELEM_BYTES: Record<ElemType, number> = { float32: 4, int64: 8, float16: 2 };

/** Attribute values: an integer, a list of integers, or a float (`{ f }`). */
export type AttrValue = number | number[] | { f: number };

export interface NodeDef {
	opType: string;
	inputs: string[];
	outputs: string[];
	name: string;
	attrs: Record<string, AttrValue>;
}

export interface InitializerDef {
	name: string;
	type: ElemType;
	dims: number[];
	/** Produces the raw little-endian bytes (exactly numel * element size) when serializing. */
	data: () => Promise<Uint8Array> | Uint8Array;
}

export interface ValueInfoDef {
	name: string;
	type: ElemType;
	dims: number[];
}

export function numel(dims: readonly number[]): number {
	return dims.reduce((a, b) => a * b, 1);
}

export class Graph {
	readonly nodes: NodeDef[] = [];
	readonly initializers: InitializerDef[] = [];
	readonly inputs: ValueInfoDef[] = [];
	readonly outputs: ValueInfoDef[] = [];
	private counter = 0;
	private readonly names = new Set<string>();
	private readonly int64Cache = new Map<string, string>();

	/** `float` is the element type of the network's body: float32, or float16 for a half-precision graph. */
	constructor(readonly float: 'float32' | 'float16') {}

	private unique(base: string): string {
		let name = base;
		while (this.names.has(name)) name = `${base}_${++this.counter}`;
		this.names.add(name);
		return name;
	}

	input(name: string, type: ElemType, dims: number[]): string {
		const unique = this.unique(name);
		this.inputs.push({ name: unique, type, dims });
		return unique;
	}

	/** Marks `value` as a graph output named `name` (through an Identity when the names differ). */
	output(value: string, name: string, type: ElemType, dims: number[]): void {
		if (value !== name) this.nodes.push({ opType: 'Identity', inputs: [value], outputs: [this.unique(name)], name: `${name}_out`, attrs: {} });
		this.outputs.push({ name, type, dims });
	}

	/** One node with one output; returns the output's name. */
	op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
		return this.opN(opType, inputs, 1, attrs)[0];
	}

	/** One node with `count` outputs. */
	opN(opType: string, inputs: string[], count: number, attrs: Record<string, AttrValue> = {}): string[] {
		const id = `${opType}_${this.nodes.length}`;
		const outputs = Array.from({ length: count }, (_, i) => this.unique(count === 1 ? id : `${id}_${i}`));
		this.nodes.push({ opType, inputs, outputs, name: id, attrs });
		return outputs;
	}

	initializer(name: string, type: ElemType, dims: number[], data: InitializerDef['data']): string {
		const unique = this.unique(name);
		this.initializers.push({ name: unique, type, dims, data });
		return unique;
	}

	/** A constant float tensor stored as `type` (default: the body's float type). */
	floats(name: string, values: Float32Array | number[], dims: number[], type: 'float32' | 'float16' = this.float): string {
		const data = values instanceof Float32Array ? values : Float32Array.from(values);
		if (data.length !== numel(dims)) throw new Error(`constant ${name}: ${data.length} values for dims [${dims}]`);
		return this.initializer(name, type, dims, () => floatBytes(data, type));
	}

	private readonly scalarCache = new Map<string, string>();

	/** A scalar float constant (shared by value and type). */
	scalar(value: number, type: 'float32' | 'float16' = this.float): string {
		const key = `${type}:${value}`;
		let name = this.scalarCache.get(key);
		if (!name) {
			name = this.floats(`c_${value}`, [value], [], type);
			this.scalarCache.set(key, name);
		}
		return name;
	}

	/** A constant int64 tensor (shapes, axes, indices); identical small ones are shared. */
	int64s(values: number[], dims: number[] = [values.length]): string {
		const key = `${dims.join(',')}:${values.join(',')}`;
		const cached = this.int64Cache.get(key);
		if (cached) return cached;
		const data = new BigInt64Array(values.map((v) => BigInt(v)));
		const name = this.initializer(values.length <= 8 ? `i64[${values.join(',')}]` : 'i64', 'int64', dims, () => new Uint8Array(data.buffer));
		this.int64Cache.set(key, name);
		return name;
	}
}

/** float32 values as little-endian bytes of `type` (float16: round to nearest even). */
export function floatBytes(values: Float32Array, type: 'float32' | 'float16'): Uint8Array {
	if (type === 'float32') return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
	const half = toFloat16(values);
	return new Uint8Array(half.buffer, half.byteOffset, half.byteLength);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of one float32 (round to nearest even; overflow to infinity; NaN kept). */
export function float16Bits(value: number): number {
	f32[0] = value;
	const x = u32[0];
	const sign = (x >>> 16) & 0x8000;
	const exp = (x >>> 23) & 0xff;
	let mant = x & 0x7fffff;
	if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
	const e = exp - 127 + 15;
	if (e >= 0x1f) return sign | 0x7c00;
	if (e <= 0) {
		if (e < -10) return sign;
		mant |= 0x800000;
		const shift = 14 - e;
		const halfMant = mant >>> shift;
		const rem = mant & ((1 << shift) - 1);
		const halfway = 1 << (shift - 1);
		const round = rem > halfway || (rem === halfway && halfMant & 1) ? 1 : 0;
		return sign | (halfMant + round);
	}
	const halfMant = mant >>> 13;
	const rem = mant & 0x1fff;
	let bits = sign | (e << 10) | halfMant;
	if (rem > 0x1000 || (rem === 0x1000 && halfMant & 1)) bits++; // may carry into the exponent: still correct
	return bits;
}

export function toFloat16(values: Float32Array): Uint16Array {
	const out = new Uint16Array(values.length);
	for (let i = 0; i < values.length; i++) out[i] = float16Bits(values[i]);
	return out;
}
