/**
 * The graph inputs and outputs of an .onnx file (names, element types, shapes), read over random
 * access without loading the file: the protobuf is walked field by field and the weights
 * (initializers) are skipped by their length. Used to check an imported MDX-Net model's
 * [batch, 4, dim_f, dim_t] interface against its settings, or to fill dim_f / dim_t in.
 */
import type { ByteSource } from './types';

export interface OnnxValueInfo {
	name: string;
	/** ONNX TensorProto.DataType (1 = float32, 10 = float16). */
	elemType: number;
	/** Fixed sizes as numbers, symbolic ones as their names, unknown as null. */
	dims: (number | string | null)[];
}

export interface OnnxInterface {
	inputs: OnnxValueInfo[];
	outputs: OnnxValueInfo[];
}

class Reader {
	private buf: Uint8Array = new Uint8Array(0);
	private bufStart = 0;
	constructor(private readonly src: ByteSource) {}

	private async byteAt(pos: number): Promise<number> {
		if (pos < this.bufStart || pos >= this.bufStart + this.buf.length) {
			if (pos >= this.src.size) throw new Error('the ONNX file ends early (truncated?)');
			this.bufStart = pos;
			this.buf = await this.src.read(pos, Math.min(1 << 16, this.src.size - pos));
		}
		return this.buf[pos - this.bufStart];
	}

	/** -> [value, next position] */
	async varint(pos: number): Promise<[number, number]> {
		let result = 0;
		let mul = 1;
		for (let i = 0; i < 10; i++) {
			const b = await this.byteAt(pos++);
			result += (b & 127) * mul;
			if (b < 128) return [result, pos];
			mul *= 128;
		}
		throw new Error('the ONNX file is malformed (bad varint)');
	}

	async bytes(pos: number, length: number): Promise<Uint8Array> {
		if (pos + length > this.src.size) throw new Error('the ONNX file ends early (truncated?)');
		return this.src.read(pos, length);
	}
}

type FieldVisitor = (field: number, wire: number, start: number, length: number, varint: number) => Promise<void> | void;

async function walk(r: Reader, start: number, end: number, visit: FieldVisitor): Promise<void> {
	let pos = start;
	while (pos < end) {
		const [key, p] = await r.varint(pos);
		const field = Math.floor(key / 8);
		const wire = key & 7;
		pos = p;
		if (wire === 0) {
			const [v, q] = await r.varint(pos);
			await visit(field, wire, pos, q - pos, v);
			pos = q;
		} else if (wire === 2) {
			const [len, q] = await r.varint(pos);
			if (q + len > end) throw new Error('the ONNX file is malformed or truncated');
			await visit(field, wire, q, len, 0);
			pos = q + len;
		} else if (wire === 1) pos += 8;
		else if (wire === 5) pos += 4;
		else throw new Error(`the ONNX file is malformed (wire type ${wire})`);
	}
	if (pos !== end) throw new Error('the ONNX file is malformed or truncated');
}

/** Decodes one small message held in memory. */
function fieldsOf(b: Uint8Array): { field: number; wire: number; value: number | Uint8Array }[] {
	const out: { field: number; wire: number; value: number | Uint8Array }[] = [];
	let pos = 0;
	const varint = () => {
		let result = 0;
		let mul = 1;
		for (;;) {
			if (pos >= b.length) throw new Error('the ONNX file is malformed');
			const x = b[pos++];
			result += (x & 127) * mul;
			if (x < 128) return result;
			mul *= 128;
		}
	};
	while (pos < b.length) {
		const key = varint();
		const field = Math.floor(key / 8);
		const wire = key & 7;
		if (wire === 0) out.push({ field, wire, value: varint() });
		else if (wire === 2) {
			const len = varint();
			out.push({ field, wire, value: b.subarray(pos, pos + len) });
			pos += len;
		} else if (wire === 1) pos += 8;
		else if (wire === 5) pos += 4;
		else throw new Error('the ONNX file is malformed');
	}
	return out;
}

function valueInfo(b: Uint8Array): OnnxValueInfo {
	const text = new TextDecoder();
	const info: OnnxValueInfo = { name: '', elemType: 0, dims: [] };
	for (const f of fieldsOf(b)) {
		if (f.field === 1 && f.value instanceof Uint8Array) info.name = text.decode(f.value);
		if (f.field === 2 && f.value instanceof Uint8Array) {
			for (const t of fieldsOf(f.value)) {
				if (t.field !== 1 || !(t.value instanceof Uint8Array)) continue; // tensor_type
				for (const tt of fieldsOf(t.value)) {
					if (tt.field === 1 && typeof tt.value === 'number') info.elemType = tt.value;
					if (tt.field === 2 && tt.value instanceof Uint8Array) {
						for (const d of fieldsOf(tt.value)) {
							if (d.field !== 1 || !(d.value instanceof Uint8Array)) continue;
							let dim: number | string | null = null;
							for (const x of fieldsOf(d.value)) {
								if (x.field === 1 && typeof x.value === 'number') dim = x.value;
								if (x.field === 2 && x.value instanceof Uint8Array) dim = text.decode(x.value);
							}
							info.dims.push(dim);
						}
					}
				}
			}
		}
	}
	return info;
}

export async function readOnnxInterface(src: ByteSource): Promise<OnnxInterface> {
	const r = new Reader(src);
	const inputs: OnnxValueInfo[] = [];
	const outputs: OnnxValueInfo[] = [];
	const initializers = new Set<string>();
	let graphs = 0;
	await walk(r, 0, src.size, async (field, wire, start, length) => {
		if (field !== 7 || wire !== 2) return; // ModelProto.graph
		graphs++;
		await walk(r, start, start + length, async (gf, gw, s, l) => {
			if (gw !== 2) return;
			if (gf === 11) inputs.push(valueInfo(await r.bytes(s, l)));
			else if (gf === 12) outputs.push(valueInfo(await r.bytes(s, l)));
			else if (gf === 5) {
				// TensorProto: only its name (field 8) is needed; read the head, not the data
				const head = await r.bytes(s, Math.min(l, 4096));
				const name = initializerName(head);
				if (name) initializers.add(name);
			}
		});
	});
	if (graphs !== 1) throw new Error('not an ONNX model (no graph)');
	// old exporters list the weights among the inputs too
	return { inputs: inputs.filter((i) => !initializers.has(i.name)), outputs };
}

/** The name field (8) of a TensorProto, if it lies within the bytes given. */
function initializerName(head: Uint8Array): string | null {
	let pos = 0;
	const varint = () => {
		let result = 0;
		let mul = 1;
		for (let i = 0; i < 10 && pos < head.length; i++) {
			const x = head[pos++];
			result += (x & 127) * mul;
			if (x < 128) return result;
			mul *= 128;
		}
		return -1;
	};
	while (pos < head.length) {
		const key = varint();
		if (key < 0) return null;
		const field = Math.floor(key / 8);
		const wire = key & 7;
		if (wire === 0) {
			if (varint() < 0) return null;
		} else if (wire === 2) {
			const len = varint();
			if (len < 0) return null;
			if (field === 8) return pos + len <= head.length ? new TextDecoder().decode(head.subarray(pos, pos + len)) : null;
			pos += len;
		} else if (wire === 1) pos += 8;
		else if (wire === 5) pos += 4;
		else return null;
	}
	return null;
}
