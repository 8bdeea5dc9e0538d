/**
 * PyTorch checkpoints in the zip format torch.save has written since 1.6:
 * `<archive>/data.pkl` (the pickled object, tensors as persistent ids) and
 * `<archive>/data/<key>` (one raw storage per key), `<archive>/byteorder` (torch >= 2.1).
 * Only the pickle is read up front; each tensor's bytes are read when its `read()` is called.
 */
import type { ByteSource, TensorDType, TensorEntry, TensorMap } from '../types';
import { crc32 } from './crc32';
import { contiguousStrides, gatherStrided, isContiguous, ITEM_SIZE, numel, stridedExtent, toFloat32 } from './dtype';
import { CheckpointError } from './errors';
import { PyCallable, PyStateful, unpickle } from './pickle';
import { entrySource, readEntry, readZipDirectory, type ZipEntry } from './zip';

const STORAGE_DTYPES: Record<string, TensorDType> = {
	FloatStorage: 'float32',
	HalfStorage: 'float16',
	BFloat16Storage: 'bfloat16',
	DoubleStorage: 'float64',
	LongStorage: 'int64',
	IntStorage: 'int32',
	ShortStorage: 'int16',
	CharStorage: 'int8',
	ByteStorage: 'uint8',
	BoolStorage: 'bool',
	UntypedStorage: 'uint8'
};

class StorageType {
	constructor(
		readonly name: string,
		readonly dtype: TensorDType
	) {}
}

class StorageRef {
	constructor(
		readonly key: string,
		readonly dtype: TensorDType,
		readonly numel: number
	) {}
}

/** A tensor as the pickle describes it: a view (offset, shape, stride) into a storage. */
export class TensorRef {
	constructor(
		readonly storage: StorageRef,
		readonly offset: number,
		readonly shape: number[],
		readonly stride: number[]
	) {}
}

function intList(v: unknown, what: string): number[] {
	if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 0)) {
		throw new CheckpointError(`a tensor in the checkpoint has a malformed ${what} (corrupt file)`);
	}
	return v as number[];
}

/** Largest tensor read from a view with more elements than its storage (an expanded view). */
export const MAX_EXPANDED_ELEMENTS = 1 << 20;

function rebuildTensor(args: unknown[]): TensorRef {
	const [storage, offset, size, stride] = args;
	if (!(storage instanceof StorageRef)) throw new CheckpointError('a tensor in the checkpoint has no storage (corrupt file)');
	if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
		throw new CheckpointError('a tensor in the checkpoint has a malformed storage offset (corrupt file)');
	}
	const shape = intList(size, 'shape');
	const strides = stride === undefined ? contiguousStrides(shape) : intList(stride, 'stride');
	if (strides.length !== shape.length) throw new CheckpointError('a tensor in the checkpoint has a stride that does not match its shape');
	if (offset + stridedExtent(shape, strides) > storage.numel) {
		throw new CheckpointError(`a tensor in the checkpoint reaches past the end of its storage ${storage.key} (corrupt file)`);
	}
	// An expanded view (stride 0) repeats elements: reading it makes a tensor bigger than the data
	// in the file (a 1-element storage viewed as 2^28 elements is 1 GB). Small ones are read.
	const count = numel(shape);
	if (count > storage.numel && count > MAX_EXPANDED_ELEMENTS) {
		throw new CheckpointError(
			`a tensor in the checkpoint has more elements (${count}) than its storage ${storage.key} holds (${storage.numel}), an expanded view ` +
				`larger than ${MAX_EXPANDED_ELEMENTS} elements; save the state dict with contiguous tensors: {k: v.contiguous() for k, v in state_dict.items()}`
		);
	}
	return new TensorRef(storage, offset, shape, strides);
}

/** numpy.dtype('f8', False, True) + BUILD state (3, '<', ...): only what scalars need. */
class NumpyDType extends PyStateful {
	bigEndian = false;
	constructor(readonly code: string) {
		super();
	}
	setState(state: unknown): void {
		if (Array.isArray(state) && state[1] === '>') this.bigEndian = true;
	}
}

/** numpy.core.multiarray.scalar(dtype, bytes): numpy numbers some checkpoints keep next to the weights. */
function numpyScalar(args: unknown[]): number | boolean {
	const [dtype, raw] = args;
	if (!(dtype instanceof NumpyDType) || !(raw instanceof Uint8Array)) throw new CheckpointError('the checkpoint has a malformed numpy scalar');
	const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
	const le = !dtype.bigEndian;
	const need = (n: number) => {
		if (raw.byteLength < n) throw new CheckpointError('the checkpoint has a malformed numpy scalar');
	};
	switch (dtype.code) {
		case 'f8': return need(8), v.getFloat64(0, le); // prettier-ignore
		case 'f4': return need(4), v.getFloat32(0, le); // prettier-ignore
		case 'i8': return need(8), Number(v.getBigInt64(0, le)); // prettier-ignore
		case 'u8': return need(8), Number(v.getBigUint64(0, le)); // prettier-ignore
		case 'i4': return need(4), v.getInt32(0, le); // prettier-ignore
		case 'u4': return need(4), v.getUint32(0, le); // prettier-ignore
		case 'i2': return need(2), v.getInt16(0, le); // prettier-ignore
		case 'u2': return need(2), v.getUint16(0, le); // prettier-ignore
		case 'i1': return need(1), v.getInt8(0); // prettier-ignore
		case 'u1': return need(1), v.getUint8(0); // prettier-ignore
		case 'b1': return need(1), v.getUint8(0) !== 0; // prettier-ignore
		default:
			throw new CheckpointError(`the checkpoint has a numpy scalar of type ${dtype.code}, which is not read`);
	}
}

const GLOBALS: Record<string, unknown> = {
	'numpy.dtype': new PyCallable('numpy.dtype', (args) => {
		if (typeof args[0] !== 'string') throw new CheckpointError('the checkpoint has a malformed numpy dtype');
		return new NumpyDType(args[0]);
	}),
	'numpy.core.multiarray.scalar': new PyCallable('numpy.core.multiarray.scalar', numpyScalar),
	'numpy._core.multiarray.scalar': new PyCallable('numpy._core.multiarray.scalar', numpyScalar),
	'collections.OrderedDict': new PyCallable('collections.OrderedDict', (args) => {
		const m = new Map<unknown, unknown>();
		if (Array.isArray(args[0])) for (const pair of args[0]) if (Array.isArray(pair)) m.set(pair[0], pair[1]);
		return m;
	}),
	'torch._utils._rebuild_tensor_v2': new PyCallable('torch._utils._rebuild_tensor_v2', rebuildTensor),
	'torch._utils._rebuild_tensor': new PyCallable('torch._utils._rebuild_tensor', rebuildTensor),
	'torch._utils._rebuild_parameter': new PyCallable('torch._utils._rebuild_parameter', (args) => args[0]),
	'torch._utils._rebuild_parameter_with_state': new PyCallable('torch._utils._rebuild_parameter_with_state', (args) => args[0]),
	'torch.Size': new PyCallable('torch.Size', (args) => (Array.isArray(args[0]) ? [...args[0]] : [])),
	'_codecs.encode': new PyCallable('_codecs.encode', (args) => {
		const s = typeof args[0] === 'string' ? args[0] : '';
		return Uint8Array.from(s, (ch) => ch.charCodeAt(0) & 0xff);
	})
};

function findGlobal(module: string, name: string): unknown {
	const qual = `${module}.${name}`;
	if (Object.hasOwn(GLOBALS, qual)) return GLOBALS[qual];
	if ((module === 'torch' || module === 'torch.storage') && Object.hasOwn(STORAGE_DTYPES, name)) return new StorageType(name, STORAGE_DTYPES[name]);
	if (module === 'torch' && /Storage$/.test(name)) {
		throw new CheckpointError(`the checkpoint stores tensors as ${qual}, an element type that is not supported`);
	}
	throw new CheckpointError(
		`the checkpoint's pickle refers to ${qual}, which a plain state dict never contains. ` +
			'Only tensors in dicts are read (no code is run): save the weights with torch.save(model.state_dict(), path).'
	);
}

interface TorchArchive {
	/** The unpickled object: Maps, arrays, numbers, strings and TensorRefs. */
	root: unknown;
	prefix: string;
	byName: Map<string, ZipEntry>;
	bigEndian: boolean;
}

/** A zip source's torch archive: finds `<prefix>data.pkl` and unpickles it (tensors stay references). */
export async function readTorchArchive(src: ByteSource, directory?: ZipEntry[]): Promise<TorchArchive> {
	const entries = directory ?? (await readZipDirectory(src));
	const byName = new Map(entries.map((e) => [e.name, e]));
	const pkl = entries.filter((e) => /^([^/]+\/)?data\.pkl$/.test(e.name));
	if (pkl.length !== 1) {
		if (entries.some((e) => /(^|\/)constants\.pkl$/.test(e.name) || /(^|\/)code\//.test(e.name))) {
			throw new CheckpointError('this is a TorchScript archive (torch.jit.save), not a checkpoint: save the model.state_dict() with torch.save');
		}
		throw new CheckpointError(
			pkl.length === 0 ? 'the zip archive has no data.pkl: it is not a PyTorch checkpoint' : 'the zip archive holds more than one data.pkl'
		);
	}
	const prefix = pkl[0].name.slice(0, -'data.pkl'.length);
	const orderEntry = byName.get(`${prefix}byteorder`);
	const bigEndian = orderEntry ? new TextDecoder().decode(await readEntry(src, orderEntry)).trim() === 'big' : false;
	const storages = new Map<string, StorageRef>();
	const root = unpickle(await readEntry(src, pkl[0]), {
		findGlobal,
		persistentLoad(pid) {
			if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
				throw new CheckpointError('the checkpoint pickle has a persistent id that is not a storage (corrupt or unsupported file)');
			}
			const [, type, key, , count] = pid;
			if (!(type instanceof StorageType) || typeof key !== 'string' || !Number.isSafeInteger(count) || (count as number) < 0) {
				throw new CheckpointError('the checkpoint pickle has a malformed storage reference (corrupt file)');
			}
			let ref = storages.get(key);
			if (!ref) storages.set(key, (ref = new StorageRef(key, type.dtype, count as number)));
			return ref;
		}
	});
	return { root, prefix, byName, bigEndian };
}

/** The state dict of a torch zip archive, wrappers and `module.` prefixes removed. */
/** `directory`: the archive's entries when the caller has read them already. */
export async function readTorchZip(src: ByteSource, directory?: ZipEntry[]): Promise<TensorMap> {
	const { root, prefix, byName, bigEndian } = await readTorchArchive(src, directory);
	const dict = unwrapStateDict(root);
	const map: TensorMap = new Map();
	for (const [rawKey, value] of dict) {
		if (typeof rawKey !== 'string') throw new CheckpointError('the state dict has a key that is not a string');
		if (!(value instanceof TensorRef)) {
			throw new CheckpointError(`state dict entry "${rawKey}" is not a tensor (${describe(value)})`);
		}
		const name = rawKey.startsWith('module.') ? rawKey.slice('module.'.length) : rawKey;
		if (map.has(name)) throw new CheckpointError(`the state dict has "${name}" twice (with and without "module.")`);
		const entry = byName.get(`${prefix}data/${value.storage.key}`);
		if (!entry) throw new CheckpointError(`the checkpoint has no data for storage ${value.storage.key} of "${name}" (truncated or corrupt file)`);
		const storageBytes = value.storage.numel * ITEM_SIZE[value.storage.dtype];
		if (entry.size < storageBytes) {
			throw new CheckpointError(
				`the checkpoint's storage ${value.storage.key} of "${name}" needs ${storageBytes} bytes but holds ${entry.size} (truncated or corrupt file)`
			);
		}
		map.set(name, tensorEntry(src, name, value, entry, bigEndian));
	}
	return map;
}

function tensorEntry(src: ByteSource, name: string, t: TensorRef, entry: ZipEntry, bigEndian: boolean): TensorEntry {
	const { dtype } = t.storage;
	return {
		name,
		dtype,
		shape: t.shape,
		async read() {
			const item = ITEM_SIZE[dtype];
			const count = numel(t.shape);
			if (count === 0) return new Float32Array(0);
			const contiguous = isContiguous(t.shape, t.stride);
			const extent = contiguous ? count : stridedExtent(t.shape, t.stride);
			const data = await entrySource(src, entry);
			const bytes = await data.read(t.offset * item, extent * item);
			if (bytes.byteLength === entry.size && crc32(bytes) !== entry.crc32) {
				throw new CheckpointError(`the data of "${name}" fails its CRC check (corrupt file)`);
			}
			const flat = toFloat32(bytes, dtype, extent, bigEndian);
			return contiguous ? flat : gatherStrided(flat, t.shape, t.stride);
		}
	};
}

function describe(v: unknown): string {
	if (v === null) return 'None';
	if (Array.isArray(v)) return 'a list or tuple';
	if (v instanceof Map) return 'a dict';
	return typeof v;
}

/** `state_dict` / `model` / `model_state_dict` wrappers, in tools/convert.py's order. */
export function unwrapStateDict(root: unknown): Map<unknown, unknown> {
	let obj = root;
	for (const key of ['state_dict', 'model', 'model_state_dict']) {
		if (obj instanceof Map && obj.get(key) instanceof Map) obj = obj.get(key);
	}
	if (!(obj instanceof Map)) throw new CheckpointError(`the checkpoint holds ${describe(obj)}, not a state dict`);
	return obj;
}
