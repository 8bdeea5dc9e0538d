/** Test helpers for the ONNX builder: a safetensors reader (F32 only) and a minimal ONNX protobuf reader. */
import { readFileSync } from 'node:fs';
import type { TensorMap } from '../../src/lib/models/types';

export function readSafetensors(path: string): TensorMap {
	const buf = readFileSync(path);
	const headerLen = Number(buf.readBigUInt64LE(0));
	const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
	const base = 8 + headerLen;
	const map: TensorMap = new Map();
	for (const [name, t] of Object.entries(header)) {
		if (name === '__metadata__') continue;
		if (t.dtype !== 'F32') throw new Error(`${name}: ${t.dtype}`);
		const [a, b] = t.data_offsets;
		map.set(name, {
			name,
			dtype: 'float32',
			shape: t.shape,
			read: async () => new Float32Array(buf.buffer.slice(buf.byteOffset + base + a, buf.byteOffset + base + b))
		});
	}
	return map;
}

export { joinParts } from '../../src/lib/models/onnx/serialize';

type Field = { field: number; wire: number; value: number | Uint8Array };

function readVarint(b: Uint8Array, pos: { at: number }): number {
	let result = 0;
	let mul = 1;
	for (;;) {
		const byte = b[pos.at++];
		result += (byte & 127) * mul;
		if (byte < 128) return result;
		mul *= 128;
	}
}

/** The top-level fields of one protobuf message (varint, 32-bit and length-delimited only). */
export function fields(b: Uint8Array): Field[] {
	const out: Field[] = [];
	const pos = { at: 0 };
	while (pos.at < b.length) {
		const key = readVarint(b, pos);
		const field = Math.floor(key / 8);
		const wire = key & 7;
		if (wire === 0) out.push({ field, wire, value: readVarint(b, pos) });
		else if (wire === 2) {
			const len = readVarint(b, pos);
			out.push({ field, wire, value: b.subarray(pos.at, pos.at + len) });
			pos.at += len;
		} else if (wire === 5) {
			out.push({ field, wire, value: b.subarray(pos.at, pos.at + 4) });
			pos.at += 4;
		} else throw new Error(`wire type ${wire}`);
	}
	return out;
}

const text = (v: Field['value']) => new TextDecoder().decode(v as Uint8Array);

export interface OnnxSummary {
	opset: number;
	nodes: { op: string; inputs: number; outputs: number }[];
	initializers: { name: string; type: number; dims: number[] }[];
}

export function summarize(model: Uint8Array): OnnxSummary {
	const top = fields(model);
	const opset = fields(top.find((f) => f.field === 8)!.value as Uint8Array).find((f) => f.field === 2)!.value as number;
	const graph = fields(top.find((f) => f.field === 7)!.value as Uint8Array);
	const nodes = graph
		.filter((f) => f.field === 1)
		.map((f) => {
			const n = fields(f.value as Uint8Array);
			return { op: text(n.find((x) => x.field === 4)!.value), inputs: n.filter((x) => x.field === 1).length, outputs: n.filter((x) => x.field === 2).length };
		});
	const initializers = graph
		.filter((f) => f.field === 5)
		.map((f) => {
			const t = fields(f.value as Uint8Array);
			return { name: text(t.find((x) => x.field === 8)!.value), type: t.find((x) => x.field === 2)!.value as number, dims: t.filter((x) => x.field === 1).map((x) => x.value as number) };
		});
	return { opset, nodes, initializers };
}
