/**
 * .safetensors: 8-byte little-endian header length N, N bytes of JSON
 * {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the data
 * (offsets relative to byte 8 + N, C order, little-endian).
 */
import type { ByteSource, TensorDType, TensorMap } from '../types';
import { ITEM_SIZE, numel, toFloat32 } from './dtype';
import { CheckpointError } from './errors';

const DTYPES: Record<string, TensorDType> = {
	F32: 'float32',
	F16: 'float16',
	BF16: 'bfloat16',
	F64: 'float64',
	I64: 'int64',
	I32: 'int32',
	I16: 'int16',
	I8: 'int8',
	U8: 'uint8',
	BOOL: 'bool'
};

const MAX_HEADER = 100 << 20;

/** The header length if the source looks like a safetensors file, else null. */
export async function safetensorsHeaderLength(src: ByteSource): Promise<number | null> {
	if (src.size < 10) return null;
	const head = await src.read(0, 9);
	const n = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
	return head[8] === 0x7b && n >= 2 && n <= MAX_HEADER ? n : null;
}

export async function readSafetensors(src: ByteSource): Promise<TensorMap> {
	const n = await safetensorsHeaderLength(src);
	if (n === null) throw new CheckpointError('not a safetensors file (bad header)');
	if (8 + n > src.size) throw new CheckpointError('the safetensors header runs past the end of the file (truncated)');
	let header: Record<string, unknown>;
	try {
		header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await src.read(8, n)));
	} catch {
		throw new CheckpointError('the safetensors header is not valid JSON (corrupt file)');
	}
	if (!header || typeof header !== 'object' || Array.isArray(header)) throw new CheckpointError('the safetensors header is not an object');
	const base = 8 + n;
	const map: TensorMap = new Map();
	for (const [rawName, info] of Object.entries(header)) {
		if (rawName === '__metadata__') continue;
		const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
		// only a string is looked up or shown (turning a damaged value into text can recurse without end)
		const dtypeName = typeof t?.dtype === 'string' ? t.dtype : null;
		const dtype = dtypeName !== null && Object.hasOwn(DTYPES, dtypeName) ? DTYPES[dtypeName] : undefined;
		if (!dtype) {
			throw new CheckpointError(`safetensors tensor "${rawName}" has element type ${dtypeName ?? 'that is not a name'}, which is not supported`);
		}
		const shape = t.shape;
		const offs = t.data_offsets;
		if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || !Array.isArray(offs) || offs.length !== 2) {
			throw new CheckpointError(`safetensors tensor "${rawName}" has a malformed entry (corrupt file)`);
		}
		const [begin, end] = offs as number[];
		const count = numel(shape as number[]);
		if (!(Number.isInteger(begin) && Number.isInteger(end) && begin >= 0 && end - begin === count * ITEM_SIZE[dtype])) {
			throw new CheckpointError(`safetensors tensor "${rawName}" has data offsets that do not match its shape (corrupt file)`);
		}
		if (base + end > src.size) throw new CheckpointError(`the data of "${rawName}" runs past the end of the file (truncated)`);
		const name = rawName.startsWith('module.') ? rawName.slice('module.'.length) : rawName;
		if (map.has(name)) throw new CheckpointError(`the file has "${name}" twice (with and without "module.")`);
		map.set(name, {
			name,
			dtype,
			shape: shape as number[],
			read: async () => (count === 0 ? new Float32Array(0) : toFloat32(await src.read(base + begin, end - begin), dtype, count))
		});
	}
	return map;
}
