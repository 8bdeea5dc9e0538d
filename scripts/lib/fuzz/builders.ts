/**
 * Writers of the formats the parsers read, for fuzz seeds, structure-aware generators and the
 * unit tests that reproduce parser bugs: pickle opcodes, torch zip archives, .npy / .npz,
 * safetensors, AIFF and hand-made FLAC streams of CONSTANT frames (with valid CRCs, so the
 * decoder gets past its checksums). Test and tooling code only: never part of the app bundle.
 */
import { zipSync, type Zippable } from 'fflate';
import { BitWriter } from '../../../src/lib/dsp/flac/bits';
import { crc16, crc8 } from '../../../src/lib/dsp/flac/crc';

/** Pickle opcodes used by the builders (protocol 2–4). */
export const OP = {
	PROTO: 0x80,
	STOP: 0x2e,
	MARK: 0x28,
	EMPTY_DICT: 0x7d,
	EMPTY_LIST: 0x5d,
	EMPTY_TUPLE: 0x29,
	LIST: 0x6c,
	TUPLE: 0x74,
	TUPLE1: 0x85,
	TUPLE2: 0x86,
	TUPLE3: 0x87,
	DICT: 0x64,
	NONE: 0x4e,
	NEWTRUE: 0x88,
	BININT: 0x4a,
	BININT1: 0x4b,
	LONG1: 0x8a,
	LONG4: 0x8b,
	SHORT_BINUNICODE: 0x8c,
	BINUNICODE: 0x58,
	GLOBAL: 0x63,
	REDUCE: 0x52,
	BUILD: 0x62,
	BINPERSID: 0x51,
	SETITEM: 0x73,
	SETITEMS: 0x75,
	APPEND: 0x61,
	APPENDS: 0x65,
	DUP: 0x32,
	BINPUT: 0x71,
	BINGET: 0x68,
	MEMOIZE: 0x94,
	POP: 0x30
} as const;

/** Appends pickle opcodes and their arguments. */
export class PickleWriter {
	private readonly out: number[] = [];

	op(...codes: number[]): this {
		this.out.push(...codes);
		return this;
	}
	proto(version = 2): this {
		return this.op(OP.PROTO, version);
	}
	int(n: number): this {
		if (n >= 0 && n < 256) return this.op(OP.BININT1, n);
		this.out.push(OP.BININT, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff);
		return this;
	}
	/** LONG1 of an int up to 2^53 (little-endian two's complement, 8 bytes). */
	long(n: number): this {
		let v = BigInt(n);
		if (v < 0n) v += 1n << 64n;
		const bytes: number[] = [];
		for (let i = 0; i < 8; i++) bytes.push(Number((v >> BigInt(8 * i)) & 0xffn));
		return this.op(OP.LONG1, 8, ...bytes);
	}
	str(s: string): this {
		const b = new TextEncoder().encode(s);
		if (b.length < 256) return this.op(OP.SHORT_BINUNICODE, b.length, ...b);
		this.out.push(OP.BINUNICODE, b.length & 0xff, (b.length >> 8) & 0xff, (b.length >> 16) & 0xff, b.length >>> 24);
		for (const x of b) this.out.push(x);
		return this;
	}
	global(module: string, name: string): this {
		this.op(OP.GLOBAL, ...new TextEncoder().encode(`${module}\n${name}\n`));
		return this;
	}
	/** A tuple of ints (MARK ... TUPLE). */
	intTuple(values: number[]): this {
		this.op(OP.MARK);
		for (const v of values) this.long(v);
		return this.op(OP.TUPLE);
	}
	stop(): Uint8Array {
		this.out.push(OP.STOP);
		return Uint8Array.from(this.out);
	}
}

export interface TorchTensorSpec {
	name: string;
	/** torch storage class, e.g. FloatStorage. */
	storage: string;
	key: string;
	storageNumel: number;
	offset: number;
	shape: number[];
	stride: number[];
}

/** The pickle of an OrderedDict state dict whose values are _rebuild_tensor_v2 views. */
export function stateDictPickle(tensors: TorchTensorSpec[]): Uint8Array {
	const w = new PickleWriter().proto(2).global('collections', 'OrderedDict').op(OP.EMPTY_TUPLE, OP.REDUCE);
	for (const t of tensors) {
		w.str(t.name);
		w.global('torch._utils', '_rebuild_tensor_v2');
		w.op(OP.MARK);
		// persistent id ('storage', torch.FloatStorage, key, 'cpu', numel)
		w.op(OP.MARK).str('storage').global('torch', t.storage).str(t.key).str('cpu').long(t.storageNumel).op(OP.TUPLE, OP.BINPERSID);
		w.long(t.offset).intTuple(t.shape).intTuple(t.stride).op(OP.NONE); // requires_grad=False as None: ignored
		w.op(OP.TUPLE, OP.REDUCE, OP.SETITEM);
	}
	return w.stop();
}

/** A torch.save-style zip: `archive/data.pkl`, `archive/data/<key>` per storage, stored (or deflated). */
export function torchZip(
	pickle: Uint8Array,
	storages: Record<string, Uint8Array> = {},
	options: { deflate?: boolean; prefix?: string; version?: boolean } = {}
): Uint8Array {
	const prefix = options.prefix ?? 'archive/';
	const level = options.deflate ? 6 : 0;
	const files: Zippable = { [`${prefix}data.pkl`]: [pickle, { level }] };
	for (const [key, bytes] of Object.entries(storages)) files[`${prefix}data/${key}`] = [bytes, { level }];
	if (options.version !== false) files[`${prefix}version`] = [new TextEncoder().encode('3\n'), { level: 0 }];
	return zipSync(files);
}

/** A .npy (version 1 or 2) of little-endian float32 data. */
export function npy(shape: number[], data: Float32Array, version: 1 | 2 = 1): Uint8Array {
	let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
	const pre = version === 1 ? 10 : 12;
	while ((pre + header.length + 1) % 64 !== 0) header += ' ';
	header += '\n';
	const out = new Uint8Array(pre + header.length + data.byteLength);
	out.set([0x93, ...new TextEncoder().encode('NUMPY'), version, 0]);
	const v = new DataView(out.buffer);
	if (version === 1) v.setUint16(8, header.length, true);
	else v.setUint32(8, header.length, true);
	out.set(new TextEncoder().encode(header), pre);
	out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), pre + header.length);
	return out;
}

/** An np.savez archive of the given .npy files (name -> bytes, ".npy" added). */
export function npz(arrays: Record<string, Uint8Array>): Uint8Array {
	const files: Zippable = {};
	for (const [name, bytes] of Object.entries(arrays)) files[`${name}.npy`] = [bytes, { level: 0 }];
	return zipSync(files);
}

/** A .safetensors file of float32 tensors. */
export function safetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>): Uint8Array {
	const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
	let offset = 0;
	for (const [name, t] of Object.entries(tensors)) {
		header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
		offset += t.data.byteLength;
	}
	const json = new TextEncoder().encode(JSON.stringify(header));
	const out = new Uint8Array(8 + json.length + offset);
	new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
	out.set(json, 8);
	let at = 8 + json.length;
	for (const t of Object.values(tensors)) {
		out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
		at += t.data.byteLength;
	}
	return out;
}

/** IEEE 754 80-bit extended of a positive integer rate (AIFF's COMM sample rate). */
export function extended80(rate: number): Uint8Array {
	const out = new Uint8Array(10);
	if (rate <= 0) return out;
	const exp = Math.floor(Math.log2(rate));
	const v = new DataView(out.buffer);
	v.setUint16(0, 16383 + exp);
	const mant = rate / 2 ** exp; // [1, 2)
	v.setUint32(2, Math.floor(mant * 2 ** 31) >>> 0);
	v.setUint32(6, Math.floor((mant * 2 ** 31 - Math.floor(mant * 2 ** 31)) * 2 ** 32) >>> 0);
	return out;
}

/** A big-endian 16-bit PCM AIFF (or an AIFF-C with `compression`, e.g. 'sowt'). */
export function aiff16(channels: Float32Array[], rate: number, compression?: string): Uint8Array {
	const frames = channels[0].length;
	const n = channels.length;
	const commSize = compression ? 24 : 18;
	const dataBytes = frames * n * 2;
	const out = new Uint8Array(12 + 8 + commSize + 8 + 8 + dataBytes);
	const v = new DataView(out.buffer);
	const id = (o: number, s: string) => [...s].forEach((c, i) => (out[o + i] = c.charCodeAt(0)));
	id(0, 'FORM');
	v.setUint32(4, out.length - 8);
	id(8, compression ? 'AIFC' : 'AIFF');
	id(12, 'COMM');
	v.setUint32(16, commSize);
	v.setUint16(20, n);
	v.setUint32(22, frames);
	v.setUint16(26, 16);
	out.set(extended80(rate), 28);
	if (compression) {
		id(38, compression);
		out[42] = 0; // empty pascal string (name) + pad
	}
	const ssnd = 20 + commSize;
	id(ssnd, 'SSND');
	v.setUint32(ssnd + 4, 8 + dataBytes);
	const little = compression === 'sowt';
	let o = ssnd + 16;
	for (let i = 0; i < frames; i++) {
		for (let c = 0; c < n; c++) {
			v.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(channels[c][i] * 32768))), little);
			o += 2;
		}
	}
	return out;
}

export interface ConstantFlacSpec {
	channels: number;
	sampleRate: number;
	bitsPerSample: number;
	/** Samples per frame (1–65536). */
	blockSize: number;
	frames: number;
	/** The constant sample value of every subframe. */
	value: number;
	/** STREAMINFO's total sample count (default: blockSize × frames). */
	totalSamples?: number;
	/** STREAMINFO's maximum block size (default: blockSize). */
	maxBlockSize?: number;
}

/**
 * A FLAC stream of CONSTANT subframes only, with valid CRCs: a few bytes per frame of up to
 * 65536 samples per channel, the most audio a FLAC file can announce per byte.
 */
export function constantFlac(spec: ConstantFlacSpec): Uint8Array {
	const { channels, sampleRate, bitsPerSample: bps, blockSize, frames, value } = spec;
	const w = new BitWriter(64 + frames * (16 + channels * 6));
	w.write(0x664c6143, 32); // fLaC
	w.write(1, 1); // last metadata block
	w.write(0, 7); // STREAMINFO
	w.write(34, 24);
	const max = spec.maxBlockSize ?? blockSize;
	w.write(Math.min(blockSize, 65535), 16);
	w.write(Math.min(max, 65535), 16);
	w.write(0, 24);
	w.write(0, 24);
	w.write(sampleRate, 20);
	w.write(channels - 1, 3);
	w.write(bps - 1, 5);
	w.write(spec.totalSamples ?? blockSize * frames, 36);
	for (let i = 0; i < 16; i++) w.write(0, 8); // no MD5
	for (let f = 0; f < frames; f++) {
		const at = w.byteLength;
		w.write(0x7ffc, 15);
		w.write(0, 1); // fixed block size
		w.write(7, 4); // 16-bit (block size - 1) follows the frame number
		w.write(0, 4); // sample rate from STREAMINFO
		w.write(channels - 1, 4); // independent channels
		w.write(0, 3); // sample size from STREAMINFO
		w.write(0, 1);
		w.writeUtf8(f);
		w.write(blockSize - 1, 16);
		w.write(crc8(w.slice(at)), 8);
		for (let c = 0; c < channels; c++) {
			w.write(0, 1);
			w.write(0, 6); // CONSTANT
			w.write(0, 1); // no wasted bits
			w.writeSigned(value, bps);
		}
		w.align();
		w.write(crc16(w.slice(at)), 16);
	}
	return w.finish();
}
