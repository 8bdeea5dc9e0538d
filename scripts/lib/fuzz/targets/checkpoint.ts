/**
 * Fuzz targets for the checkpoint readers: PyTorch zip (pickle), safetensors and NumPy .npz, each
 * run through readCheckpoint and then every tensor's read(), as a model import does. The clean
 * error is CheckpointError. Zip-level generators rebuild the archive around a mutated pickle or
 * .npy (so CRCs are right and the mutation reaches the parser behind them).
 */
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { bytesSource } from '../../../../src/lib/models/byte-source';
import { CheckpointError, readCheckpoint } from '../../../../src/lib/models/checkpoint';
import { npy, npz, OP, PickleWriter, safetensors, stateDictPickle, torchZip, type TorchTensorSpec } from '../builders';
import { concat, MUTATORS, mutate, writeUint } from '../mutate';
import type { Rng } from '../rng';
import { fixture, type FuzzTarget } from './target';

const isClean = (e: unknown) => e instanceof CheckpointError;

async function readAll(bytes: Uint8Array): Promise<void> {
	const map = await readCheckpoint(bytesSource(bytes));
	for (const entry of map.values()) await entry.read();
}

const ascii = (s: string) => new TextEncoder().encode(s);

/** The archive's files in order, or null when fflate cannot read it. */
function unzip(bytes: Uint8Array): [string, Uint8Array][] | null {
	try {
		return Object.entries(unzipSync(bytes));
	} catch {
		return null;
	}
}

function rezip(files: [string, Uint8Array][], rng: Rng): Uint8Array {
	const input: Zippable = {};
	const level = rng.chance(0.15) ? 6 : 0;
	for (const [name, data] of files) input[name] = [data, { level }];
	return zipSync(input);
}

/** One archive entry (chosen by `pick`) replaced by `change(bytes)`, the archive rebuilt with valid CRCs. */
function withEntry(seed: Uint8Array, rng: Rng, pick: (name: string) => boolean, change: (bytes: Uint8Array) => Uint8Array): Uint8Array {
	const files = unzip(seed);
	if (!files) return MUTATORS.bitflip(seed, rng, []);
	const candidates = files.filter(([name]) => pick(name));
	if (!candidates.length) return rezip(files, rng);
	const [name] = rng.pick(candidates);
	return rezip(
		files.map(([n, b]) => [n, n === name ? change(b) : b]),
		rng
	);
}

const STORAGES = ['FloatStorage', 'HalfStorage', 'BFloat16Storage', 'DoubleStorage', 'LongStorage', 'IntStorage', 'ShortStorage', 'CharStorage', 'ByteStorage', 'BoolStorage', 'UntypedStorage', 'ComplexFloatStorage'];
const GLOBALS: [string, string][] = [
	['collections', 'OrderedDict'],
	['torch._utils', '_rebuild_tensor_v2'],
	['torch._utils', '_rebuild_tensor'],
	['torch._utils', '_rebuild_parameter'],
	['torch', 'Size'],
	['numpy', 'dtype'],
	['numpy.core.multiarray', 'scalar'],
	['_codecs', 'encode'],
	['torch', 'FloatStorage'],
	['builtins', 'eval'],
	['torch', 'constructor'],
	['torch', '__proto__'],
	['__main__', 'Model']
];

/** A random run of opcodes with plausible arguments (the VM's whole repertoire and some it refuses). */
function randomOps(rng: Rng, count: number): number[] {
	const w = new PickleWriter();
	for (let i = 0; i < count; i++) {
		switch (rng.int(16)) {
			case 0:
				w.op(rng.pick([OP.NONE, OP.NEWTRUE, OP.EMPTY_DICT, OP.EMPTY_LIST, OP.EMPTY_TUPLE]));
				break;
			case 1:
				w.int(rng.pick([0, 1, 255, 256, -1, 2 ** 31 - 1, rng.int(1000)]));
				break;
			case 2:
				w.long(rng.pick([0, -1, 2 ** 40, 2 ** 53 - 1, rng.int(1 << 20)]));
				break;
			case 3:
				w.str(rng.pick(['storage', 'cpu', 'state_dict', 'model', 'weight', 'module.w', '0', 'f4', '<', '']));
				break;
			case 4:
				w.op(OP.MARK);
				break;
			case 5:
				w.op(rng.pick([OP.LIST, OP.TUPLE, OP.DICT, OP.TUPLE1, OP.TUPLE2, OP.TUPLE3]));
				break;
			case 6:
				w.op(rng.pick([OP.APPEND, OP.APPENDS, OP.SETITEM, OP.SETITEMS, OP.BUILD]));
				break;
			case 7:
				w.op(rng.pick([OP.BINPUT, OP.BINGET]), rng.int(8));
				break;
			case 8:
				w.op(rng.pick([OP.MEMOIZE, OP.DUP, OP.POP, 0x31 /* POP_MARK */]));
				break;
			case 9: {
				const [m, n] = rng.pick(GLOBALS);
				if (rng.chance(0.5)) w.global(m, n);
				else w.str(m).str(n).op(0x93); // STACK_GLOBAL
				break;
			}
			case 10:
				w.op(OP.REDUCE);
				break;
			case 11:
				w.op(OP.MARK).str('storage').global('torch', rng.pick(STORAGES)).str(rng.pick(['0', '1', '9'])).str('cpu').long(rng.pick([0, 1, 4, 16, 2 ** 31, 2 ** 53 - 1]));
				w.op(OP.TUPLE, OP.BINPERSID);
				break;
			case 12:
				w.op(0x43, 4, ...[1, 2, 3, 4]); // SHORT_BINBYTES
				break;
			case 13:
				w.op(0x47, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0); // BINFLOAT 1.0
				break;
			case 14:
				w.op(rng.pick([0x6a, 0x72]), rng.int(8), 0, 0, 0); // LONG_BINGET / LONG_BINPUT
				break;
			default:
				w.op(rng.int(256)); // any byte: unknown opcodes, or arguments read as opcodes
		}
	}
	return Array.from(w.stop().subarray(0, -1));
}

function randomPickle(rng: Rng): Uint8Array {
	const ops = randomOps(rng, rng.size(300));
	return Uint8Array.from([OP.PROTO, rng.pick([2, 3, 4, 5, 6]), ...ops, OP.STOP]);
}

/** Structures nested `depth` deep, in the shapes that recursive code trips over. */
function nestedPickle(rng: Rng): Uint8Array {
	const depth = rng.size(50_000) + 1;
	const w = new PickleWriter().proto(2);
	switch (rng.int(5)) {
		case 0:
			for (let i = 0; i < depth; i++) w.op(OP.MARK);
			for (let i = 0; i < depth; i++) w.op(rng.pick([OP.LIST, OP.TUPLE]));
			break;
		case 1:
			w.op(OP.EMPTY_DICT, OP.EMPTY_LIST);
			for (let i = 0; i < depth; i++) w.op(OP.TUPLE1);
			w.op(OP.NONE, OP.SETITEM);
			break;
		case 2:
			// a DAG of shared tuples (2^depth leaves from `depth` objects) as a dict key
			w.op(OP.EMPTY_DICT, OP.NONE);
			for (let i = 0; i < Math.min(depth, 64); i++) w.op(OP.DUP, OP.TUPLE2);
			w.op(OP.NONE, OP.SETITEM);
			break;
		case 3:
			for (let i = 0; i < depth; i++) w.op(OP.EMPTY_LIST);
			for (let i = 1; i < depth; i++) w.op(OP.APPEND);
			break;
		default:
			// a list that contains itself, used as a key and a value
			w.op(OP.EMPTY_DICT, OP.EMPTY_LIST, OP.BINPUT, 0, OP.BINGET, 0, OP.APPEND, OP.BINGET, 0, OP.SETITEM);
	}
	return w.stop();
}

function weirdDims(rng: Rng): number[] {
	return Array.from({ length: rng.int(5) }, () => (rng.chance(0.6) ? rng.range(0, 8) : rng.pick([0, 1, 64, 65536, 2 ** 31, 2 ** 40, 2 ** 53 - 1, -1])));
}

function tensorFields(rng: Rng): Uint8Array {
	const tensors: TorchTensorSpec[] = [];
	const storages: Record<string, Uint8Array> = {};
	for (let i = rng.range(1, 4); i > 0; i--) {
		const key = String(rng.int(3));
		const shape = rng.chance(0.5) ? [rng.range(0, 6), rng.range(0, 6)] : weirdDims(rng);
		const contiguous = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
		const expanded = rng.chance(0.2); // a view that repeats its storage's elements (stride 0)
		const stride = expanded ? shape.map(() => 0) : rng.chance(0.5) ? contiguous : shape.map(() => rng.pick([0, 1, 2, 3, 2 ** 31, 2 ** 53 - 1, -1]));
		const need = expanded ? 1 : rng.chance(0.7) ? Math.max(1, shape.reduce((a, b) => a * Math.max(b, 0), 1)) : rng.pick([0, 1, 2 ** 31, 2 ** 40]);
		tensors.push({ name: rng.pick(['w', 'b', 'module.w', 'layer.0.weight', String(i)]), storage: rng.pick(STORAGES), key, storageNumel: need, offset: rng.chance(0.8) ? 0 : rng.pick([1, 2 ** 31, -1]), shape, stride });
		storages[key] ??= new Uint8Array(rng.chance(0.7) ? Math.min(need * 8, 4096) : rng.size(4096));
	}
	return torchZip(stateDictPickle(tensors), storages, { deflate: rng.chance(0.2) });
}

const ZIP_FIELDS: Record<number, [number, 2 | 4][]> = {
	0x02014b50: [[10, 2], [16, 4], [20, 4], [24, 4], [28, 2], [30, 2], [32, 2], [42, 4]],
	0x04034b50: [[8, 2], [18, 4], [22, 4], [26, 2], [28, 2]],
	0x06054b50: [[8, 2], [10, 2], [12, 4], [16, 4], [20, 2]],
	0x06064b50: [[24, 4], [32, 4], [40, 4], [48, 4]],
	0x07064b50: [[8, 4]]
};

/** A size, count, offset or method field of a zip header (central, local, end records) rewritten. */
function zipFields(seed: Uint8Array, rng: Rng): Uint8Array {
	const out = seed.slice();
	const v = new DataView(out.buffer);
	const places: [number, 2 | 4][] = [];
	for (let i = 0; i + 4 <= out.length; i++) {
		const fields = ZIP_FIELDS[v.getUint32(i, true)];
		if (fields) for (const [at, width] of fields) if (i + at + width <= out.length) places.push([i + at, width]);
	}
	if (!places.length) return MUTATORS.lengthField(seed, rng, []);
	for (let n = rng.range(1, 3); n > 0; n--) {
		const [at, width] = rng.pick(places);
		const value = rng.pick(width === 2 ? [0, 1, 8, 12, 99, 0xfffe, 0xffff] : [0, 1, 22, 0x7fffffff, 0xfffffff0, 0xffffffff, out.length, rng.int(out.length + 1)]);
		writeUint(out, at, width, true, value);
	}
	return out;
}

/** The archive with every entry deflated (torch.save stores them; zip tools may not). */
function deflated(seed: Uint8Array): Uint8Array {
	const files = unzip(seed);
	if (!files) return seed;
	return zipSync(Object.fromEntries(files.map(([name, data]) => [name, [data, { level: 6 }]])));
}

function pickleMutation(seed: Uint8Array, rng: Rng): Uint8Array {
	return withEntry(
		seed,
		rng,
		(name) => name.endsWith('data.pkl'),
		(pkl) => {
			if (rng.chance(0.5)) return mutate(pkl, rng, []).bytes;
			// opcodes inserted before a random position (STOP stays last)
			const at = rng.int(pkl.length);
			return concat(pkl.subarray(0, at), Uint8Array.from(randomOps(rng, rng.range(1, 12))), pkl.subarray(at));
		}
	);
}

function torchSeeds(): Uint8Array[] {
	const files = ['toy-plain.pth', 'toy-fp16.pth', 'toy-bf16.pth', 'toy-fp64.pth', 'toy-big-endian.pth', 'toy-deflated.pth', 'toy-zip64.pth', 'toy-module-wrapped.ckpt', 'toy-model-key.pth', 'toy-model-state-dict.pt', 'views.pt', 'tiny-bs.ckpt'];
	const built = torchZip(
		stateDictPickle([
			{ name: 'w', storage: 'FloatStorage', key: '0', storageNumel: 6, offset: 0, shape: [2, 3], stride: [3, 1] },
			{ name: 't', storage: 'FloatStorage', key: '0', storageNumel: 6, offset: 0, shape: [3, 2], stride: [1, 3] }
		]),
		{ '0': new Uint8Array(new Float32Array([1, 2, 3, 4, 5, 6]).buffer) }
	);
	return [...files.map((f) => fixture(`checkpoints/${f}`)), built];
}

export const torchTarget: FuzzTarget = {
	name: 'torch',
	isClean,
	seeds: torchSeeds,
	run: readAll,
	generators: {
		pickle: (rng, seeds) => pickleMutation(rng.pick(seeds), rng),
		program: (rng) => torchZip(randomPickle(rng), { '0': new Uint8Array(64), '1': new Uint8Array(rng.size(256)) }),
		nesting: (rng) => torchZip(nestedPickle(rng)),
		tensors: (rng) => tensorFields(rng),
		zip: (rng, seeds) => zipFields(rng.pick(seeds), rng),
		deflated: (rng, seeds) => zipFields(deflated(rng.pick(seeds)), rng),
		storage: (rng, seeds) => withEntry(rng.pick(seeds), rng, (n) => n.includes('/data/'), (b) => mutate(b, rng, []).bytes)
	}
};

// ---- safetensors ----

function jsonValue(rng: Rng, depth = 0): unknown {
	switch (rng.int(depth > 3 ? 4 : 7)) {
		case 0:
			return rng.pick([0, -1, 1.5, 2 ** 31, 2 ** 53, 1e308, -0]);
		case 1:
			return rng.pick(['F32', 'F16', 'BF16', 'F64', 'I64', 'BOOL', 'U8', 'F8_E4M3', 'C64', '', 'constructor', 'toString', 'x'.repeat(rng.size(1000))]);
		case 2:
			return rng.pick([null, true, false]);
		case 3:
			return [];
		case 4:
			return Array.from({ length: rng.int(4) }, () => jsonValue(rng, depth + 1));
		case 5:
			return Object.fromEntries(Array.from({ length: rng.int(3) }, () => [rng.pick(['dtype', 'shape', 'data_offsets', 'x']), jsonValue(rng, depth + 1)]));
		default:
			return `${DEEP}${rng.size(100_000)}`; // written as that many nested arrays (JSON.stringify would recurse)
	}
}

const DEEP = '\u0000deep:';

function safetensorsFile(header: unknown, data: Uint8Array, rng: Rng): Uint8Array {
	const text = JSON.stringify(header).replace(/"\\u0000deep:(\d+)"/g, (_, n) => '['.repeat(Number(n)) + ']'.repeat(Number(n)));
	const json = ascii(text);
	const out = new Uint8Array(8 + json.length + data.length);
	const n = rng.chance(0.85) ? json.length : rng.pick([0, 1, 2, json.length - 1, json.length + 1, 100 << 20, 2 ** 32, 2 ** 53 - 1]);
	writeUint(out, 0, 8, true, Math.max(0, n));
	out.set(json, 8);
	out.set(data, 8 + json.length);
	return out;
}

function splitSafetensors(bytes: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } | null {
	if (bytes.length < 8) return null;
	const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
	try {
		const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
		return header && typeof header === 'object' ? { header, data: bytes.subarray(8 + n) } : null;
	} catch {
		return null;
	}
}

/** A tensor entry's dtype, shape or offsets (or the metadata) replaced, the header length kept right. */
function safetensorsHeader(seed: Uint8Array, rng: Rng): Uint8Array {
	const parts = splitSafetensors(seed);
	if (!parts) return MUTATORS.lengthField(seed, rng, []);
	const header = parts.header;
	const names = Object.keys(header);
	for (let n = rng.range(1, 3); n > 0; n--) {
		const name = rng.chance(0.1) ? rng.pick(['__metadata__', 'module.w', '__proto__', '']) : rng.pick(names);
		const entry = { ...((header[name] ?? {}) as Record<string, unknown>) };
		const field = rng.pick(['dtype', 'shape', 'data_offsets', 'entry']);
		if (field === 'shape') entry.shape = rng.chance(0.5) ? weirdDims(rng) : jsonValue(rng);
		else if (field === 'data_offsets') {
			const end = parts.data.length;
			entry.data_offsets = rng.chance(0.6) ? [rng.pick([0, 1, end, -1, 2 ** 53]), rng.pick([0, end, end + 1, 2 ** 40, 1.5])] : jsonValue(rng);
		} else if (field === 'dtype') entry.dtype = jsonValue(rng);
		header[name] = field === 'entry' ? jsonValue(rng) : entry;
	}
	return safetensorsFile(header, parts.data, rng);
}

function safetensorsSeeds(): Uint8Array[] {
	return [
		fixture('checkpoints/mixed.safetensors'),
		fixture('checkpoints/tiny-bs.safetensors'),
		safetensors({ w: { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) }, 'module.b': { shape: [], data: new Float32Array([7]) } })
	];
}

export const safetensorsTarget: FuzzTarget = {
	name: 'safetensors',
	isClean,
	seeds: safetensorsSeeds,
	run: readAll,
	generators: {
		header: (rng, seeds) => safetensorsHeader(rng.pick(seeds), rng),
		length: (rng, seeds) => {
			const out = rng.pick(seeds).slice();
			writeUint(out, 0, 8, true, rng.pick([0, 1, 2, 9, out.length - 8, out.length, 100 << 20, (100 << 20) + 1, 2 ** 53 - 1]));
			return out;
		}
	}
};

// ---- npz ----

function npyFromFields(rng: Rng): Uint8Array {
	const descr = rng.pick(['<f4', '>f4', '|u1', '<f2', '<f8', '>i8', '<i4', '|b1', '<c8', '<U10', '|O', '<f16', 'f4', "<f4', 'x"]);
	const order = rng.pick(['False', 'False', 'True', '0', 'garbage']);
	const shape = rng.pick(['()', '(3,)', '(2, 3)', '(1000000000, 1000000000)', '(-1,)', '(1099511627776,)', '(0, 5)', '(1e3,)', '(2, 3', ',,,', `(${weirdDims(rng).join(', ')},)`]);
	let header = `{'descr': '${descr}', 'fortran_order': ${order}, 'shape': ${shape}, }`;
	if (rng.chance(0.1)) header = 'x'.repeat(rng.size(70_000)) + header;
	const version = rng.pick([1, 1, 2, 3, 0, 4]);
	const pre = version === 1 ? 10 : 12;
	const text = ascii(header + '\n');
	const data = new Uint8Array(rng.size(256));
	const out = new Uint8Array(pre + text.length + data.length);
	out.set([0x93, ...ascii('NUMPY'), version, 0]);
	const declared = rng.chance(0.85) ? text.length : rng.pick([0, 1, text.length + 1, 0xffff, 0xffffffff]);
	writeUint(out, 8, version === 1 ? 2 : 4, true, version === 1 ? declared & 0xffff : declared);
	out.set(text, pre);
	out.set(data, pre + text.length);
	if (rng.chance(0.1)) return out.subarray(0, rng.int(16)); // inside the magic, version or length
	return rng.chance(0.15) ? out.subarray(0, rng.int(out.length + 1)) : out;
}

function npzFromFields(rng: Rng): Uint8Array {
	const files: [string, Uint8Array][] = [];
	for (let i = rng.range(1, 3); i > 0; i--) files.push([`${rng.pick(['w', 'module.w', 'b', 'x.y'])}.npy`, npyFromFields(rng)]);
	return rezip(files, rng);
}

function npzSeeds(): Uint8Array[] {
	return [
		fixture('checkpoints/tiny-bs.npz'),
		npz({ w: npy([2, 3], new Float32Array([1, 2, 3, 4, 5, 6])), b: npy([3], new Float32Array([7, 8, 9]), 2) })
	];
}

export const npzTarget: FuzzTarget = {
	name: 'npz',
	isClean,
	seeds: npzSeeds,
	run: readAll,
	generators: {
		npy: (rng) => npzFromFields(rng),
		entry: (rng, seeds) => withEntry(rng.pick(seeds), rng, (n) => n.endsWith('.npy'), (b) => mutate(b, rng, []).bytes),
		zip: (rng, seeds) => zipFields(rng.pick(seeds), rng),
		deflated: (rng, seeds) => zipFields(deflated(rng.pick(seeds)), rng)
	}
};
