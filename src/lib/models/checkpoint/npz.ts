/**
 * NumPy .npz archives (np.savez: a zip of <key>.npy files), what tools/train.py writes: each
 * .npy is a magic string, a version, a header dict ({'descr': '<f4', 'fortran_order': False,
 * 'shape': (64, 128)}) and the raw C-order data, read lazily like the other formats.
 */
import type { ByteSource, TensorDType, TensorMap } from '../types';
import { ITEM_SIZE, numel, toFloat32 } from './dtype';
import { CheckpointError } from './errors';
import { entrySource, type ZipEntry } from './zip';

const DESCR: Record<string, TensorDType> = {
	f4: 'float32',
	f2: 'float16',
	f8: 'float64',
	i8: 'int64',
	i4: 'int32',
	i2: 'int16',
	i1: 'int8',
	u1: 'uint8',
	b1: 'bool'
};

/** True when every entry of the archive is a .npy file (an .npz, not a torch checkpoint). */
export function isNpz(entries: ZipEntry[]): boolean {
	return entries.length > 0 && entries.every((e) => e.name.endsWith('.npy'));
}

function parseHeader(text: string, name: string): { dtype: TensorDType; bigEndian: boolean; shape: number[] } {
	const descr = /'descr'\s*:\s*'([<>|=])([a-z]\d+)'/.exec(text);
	const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
	const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
	if (!descr || !fortran || !shape) throw new CheckpointError(`"${name}" has an unreadable .npy header (corrupt file)`);
	const dtype = DESCR[descr[2]];
	if (!dtype) throw new CheckpointError(`"${name}" has element type ${descr[2]}, which is not supported`);
	if (fortran[1] === 'True') throw new CheckpointError(`"${name}" is stored in Fortran order; save it from a C-contiguous array`);
	const dims = shape[1]
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean)
		.map(Number);
	if (!dims.every((d) => Number.isInteger(d) && d >= 0)) throw new CheckpointError(`"${name}" has a malformed shape (corrupt file)`);
	return { dtype, bigEndian: descr[1] === '>', shape: dims };
}

export async function readNpz(src: ByteSource, entries: ZipEntry[]): Promise<TensorMap> {
	const map: TensorMap = new Map();
	for (const entry of entries) {
		const name = entry.name.slice(0, -'.npy'.length).replace(/^module\./, '');
		const data = await entrySource(src, entry);
		const head = await data.read(0, Math.min(data.size, 12));
		const magic = String.fromCharCode(...head.subarray(1, 6));
		if (head[0] !== 0x93 || magic !== 'NUMPY' || head.length < 10) throw new CheckpointError(`"${entry.name}" is not a .npy array (corrupt file)`);
		const version = head[6];
		if (version < 1 || version > 3) throw new CheckpointError(`"${entry.name}" is a .npy of format version ${version}, which is not supported`);
		const v1 = version === 1;
		if (!v1 && head.length < 12) throw new CheckpointError(`"${entry.name}" is truncated`);
		const view = new DataView(head.buffer, head.byteOffset, head.length);
		const headerLength = v1 ? view.getUint16(8, true) : view.getUint32(8, true);
		const dataStart = (v1 ? 10 : 12) + headerLength;
		if (dataStart > data.size) throw new CheckpointError(`"${entry.name}" is truncated`);
		const header = parseHeader(new TextDecoder('latin1').decode(await data.read(v1 ? 10 : 12, headerLength)), entry.name);
		const count = numel(header.shape);
		const bytes = count * ITEM_SIZE[header.dtype];
		if (dataStart + bytes > data.size) throw new CheckpointError(`the data of "${name}" runs past the end of its .npy (truncated)`);
		if (map.has(name)) throw new CheckpointError(`the archive has "${name}" twice (with and without "module.")`);
		map.set(name, {
			name,
			dtype: header.dtype,
			shape: header.shape,
			read: async () => (count === 0 ? new Float32Array(0) : toFloat32(await data.read(dataStart, bytes), header.dtype, count, header.bigEndian))
		});
	}
	return map;
}
