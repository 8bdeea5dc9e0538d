/**
 * Graph -> ONNX ModelProto bytes as a list of parts: the small structure in a few buffers and every
 * initializer's raw data as its own part, produced one at a time, so a 640 MB model is never
 * concatenated into one more copy. All lengths are known before any weight is read (element counts
 * times element sizes), which is what lets the length-prefixed GraphProto be written up front.
 */
import { DType, ELEM_BYTES, numel, type AttrValue, type Graph, type InitializerDef, type NodeDef, type ValueInfoDef } from './graph';
import { ProtoWriter } from './protobuf';

const IR_VERSION = 8; // onnx 1.10+; opset 17 needs >= 8
export const OPSET = 17;

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

function attribute(name: string, value: AttrValue): ProtoWriter {
	const w = new ProtoWriter().string(1, name);
	if (typeof value === 'number') {
		if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer (use { f })`);
		w.int64(3, value).int64(20, ATTR_INT);
	} else if (Array.isArray(value)) {
		for (const v of value) w.int64(8, v);
		w.int64(20, ATTR_INTS);
	} else {
		w.float(2, value.f).int64(20, ATTR_FLOAT);
	}
	return w;
}

function node(n: NodeDef): ProtoWriter {
	const w = new ProtoWriter();
	for (const i of n.inputs) w.string(1, i);
	for (const o of n.outputs) w.string(2, o);
	w.string(3, n.name).string(4, n.opType);
	for (const [k, v] of Object.entries(n.attrs)) w.message(5, attribute(k, v));
	return w;
}

function valueInfo(v: ValueInfoDef): ProtoWriter {
	const shape = new ProtoWriter();
	for (const d of v.dims) shape.message(1, new ProtoWriter().int64(1, d));
	const tensorType = new ProtoWriter().int64(1, DType[v.type]).message(2, shape);
	return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

/** TensorProto fields before raw_data, ending with raw_data's tag and length. */
function tensorHeader(init: InitializerDef, dataBytes: number): Uint8Array {
	const w = new ProtoWriter();
	for (const d of init.dims) w.int64(1, d);
	w.int64(2, DType[init.type]).string(8, init.name).lenHeader(9, dataBytes);
	return w.finish();
}

export interface SerializeOptions {
	onProgress?: (fraction: number) => void;
	signal?: AbortSignal;
	producer?: string;
}

export interface SerializedModel {
	parts: Uint8Array[];
	bytes: number;
}

function abortError(signal: AbortSignal): unknown {
	return signal.reason ?? new DOMException('The import was cancelled', 'AbortError');
}

export async function serializeModel(graph: Graph, opts: SerializeOptions = {}): Promise<SerializedModel> {
	const structure = new ProtoWriter();
	for (const n of graph.nodes) structure.message(1, node(n));
	structure.string(2, 'stemsafe');
	for (const v of graph.inputs) structure.message(11, valueInfo(v));
	for (const v of graph.outputs) structure.message(12, valueInfo(v));
	const structureBytes = structure.finish();

	const headers = graph.initializers.map((init) => {
		const dataBytes = numel(init.dims) * ELEM_BYTES[init.type];
		const header = tensorHeader(init, dataBytes);
		const fieldHeader = new ProtoWriter().lenHeader(5, header.length + dataBytes).finish();
		return { init, dataBytes, header: concatBytes(fieldHeader, header) };
	});
	const graphBytes = structureBytes.length + headers.reduce((s, h) => s + h.header.length + h.dataBytes, 0);
	const totalData = headers.reduce((s, h) => s + h.dataBytes, 0);

	const model = new ProtoWriter()
		.int64(1, IR_VERSION)
		.string(2, opts.producer ?? 'stemsafe')
		.message(8, new ProtoWriter().string(1, '').int64(2, OPSET))
		.lenHeader(7, graphBytes);
	const parts: Uint8Array[] = [model.finish().slice(), structureBytes.slice()];
	let done = 0;
	for (const { init, dataBytes, header } of headers) {
		if (opts.signal?.aborted) throw abortError(opts.signal);
		const data = await init.data();
		if (data.length !== dataBytes) throw new Error(`initializer ${init.name}: ${data.length} bytes, expected ${dataBytes}`);
		parts.push(header, data);
		done += dataBytes;
		opts.onProgress?.(totalData ? done / totalData : 1);
	}
	const bytes = parts.reduce((s, p) => s + p.length, 0);
	const expected = parts[0].length + graphBytes;
	if (bytes !== expected) throw new Error(`internal error: wrote ${bytes} bytes, expected ${expected}`);
	return { parts, bytes };
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
	const out = new Uint8Array(a.length + b.length);
	out.set(a);
	out.set(b, a.length);
	return out;
}

/** The parts as one .onnx buffer (for sessions and comparisons; the import writes parts one by one). */
export function joinParts(parts: Uint8Array[], bytes: number): Uint8Array {
	const out = new Uint8Array(bytes);
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	if (at !== bytes) throw new Error(`parts hold ${at} bytes, not ${bytes}`);
	return out;
}
