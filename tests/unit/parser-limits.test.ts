// Bounded parsers (issue 23, item 4): every finding of the fuzzing, reproduced. Each input is
// small; before the fixes each one hung, allocated gigabytes, overflowed the stack or escaped
// as a raw RangeError / TypeError instead of the parser's own error.
import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../src/lib/dsp/audio';
import { decodeAudioFile } from '../../src/lib/dsp/decode';
import { decodeFlac } from '../../src/lib/dsp/flac/decode';
import { encodeFlac } from '../../src/lib/dsp/flac/encode';
import { seededRandom } from '../../src/lib/dsp/random';
import { parseWav } from '../../src/lib/dsp/wav';
import { parseAiff } from '../../src/lib/dsp/aiff';
import { bytesSource } from '../../src/lib/models/byte-source';
import { CheckpointError, readCheckpoint } from '../../src/lib/models/checkpoint';
import { unpickle } from '../../src/lib/models/checkpoint/pickle';
import { parseYaml, YamlError } from '../../src/lib/models/yaml';
import { aiff16, constantFlac, npy, npz, OP, PickleWriter, safetensors, stateDictPickle, torchZip } from '../../scripts/lib/fuzz/builders';

const noPlatform = async () => {
	throw new Error('no platform decoder in this test');
};

/** Runs `f`, returning what it threw (or null) and how long it took. */
async function outcome(f: () => unknown): Promise<{ error: unknown; ms: number }> {
	const t0 = performance.now();
	try {
		await f();
		return { error: null, ms: performance.now() - t0 };
	} catch (error) {
		return { error, ms: performance.now() - t0 };
	}
}

describe('FLAC: limits are enforced while decoding, buffers grow with what was decoded', () => {
	it('a 10 KB file of CONSTANT subframes that announces 7.4 minutes of 8 channels is refused, not decoded to 1.27 GB', () => {
		const bytes = constantFlac({ channels: 8, sampleRate: 44100, bitsPerSample: 16, blockSize: 65535, frames: 300, value: 1000 });
		expect(bytes.length).toBeLessThan(11_000);
		expect(() => decodeFlac(bytes)).toThrow(AudioFormatError);
		expect(() => decodeFlac(bytes)).toThrow(/constant/);
	});

	it('a recording with long digital silence is not taken for constant samples', () => {
		// 2 s of noise, then a minute of silence (8 kHz mono, below the free allowance: lifted here)
		const random = seededRandom(3);
		const song = new Float32Array(62 * 8000);
		for (let i = 0; i < 2 * 8000; i++) song[i] = 0.5 * (random() - 0.5);
		const bytes = encodeFlac({ sampleRate: 8000, channels: [song] }, { bitDepth: 16, dither: false });
		expect(decodeFlac(bytes, { freeSamples: 0 }).channels[0].length).toBe(song.length);
		const constant = constantFlac({ channels: 1, sampleRate: 8000, bitsPerSample: 16, blockSize: 4096, frames: 122, value: 5 });
		expect(() => decodeFlac(constant, { freeSamples: 0 })).toThrow(/constant samples/);
	});

	it('STREAMINFO total samples 2^36-1 does not allocate before a frame is read', () => {
		const bytes = constantFlac({ channels: 2, sampleRate: 44100, bitsPerSample: 16, blockSize: 4096, frames: 3, value: 1000, totalSamples: 2 ** 36 - 1 });
		const audio = decodeFlac(bytes); // three frames, then the file ends: truncated, not a 550 GB allocation
		expect(audio.channels[0].length).toBe(3 * 4096);
		expect(audio.truncated).not.toBeNull();
	});

	it('more than 60 minutes is refused: at once when STREAMINFO says so, else once 60 minutes are decoded', () => {
		// 61 minutes at 8 kHz mono in 448 frames (the constant-audio bound lifted to reach the length limit)
		const frames = Math.ceil((61 * 60 * 8000) / 65535);
		const spec = { channels: 1, sampleRate: 8000, bitsPerSample: 16, blockSize: 65535, frames, value: 1000 };
		const unbounded = { maxSamplesPerByte: Infinity };
		let t0 = performance.now();
		expect(() => decodeFlac(constantFlac(spec), unbounded)).toThrow('The audio is 61 minutes long; Stemsafe handles up to 60 minutes per file.');
		expect(performance.now() - t0).toBeLessThan(50); // refused from the header
		t0 = performance.now();
		expect(() => decodeFlac(constantFlac({ ...spec, totalSamples: 0 }), unbounded)).toThrow(/Stemsafe handles up to 60 minutes/);
		const fiftyNine = constantFlac({ ...spec, frames: Math.floor((59 * 60 * 8000) / 65535), totalSamples: 0 });
		expect(decodeFlac(fiftyNine, unbounded).channels[0].length).toBe(Math.floor((59 * 60 * 8000) / 65535) * 65535);
	});

	it('a sample rate outside 8–384 kHz is refused before decoding', () => {
		const bytes = constantFlac({ channels: 1, sampleRate: 1_000_000, bitsPerSample: 16, blockSize: 4096, frames: 2, value: 1 });
		expect(() => decodeFlac(bytes)).toThrow(/sample rate of 1000000 Hz/);
	});

	it('decodeAudioFile gives the same clear errors', async () => {
		const bytes = constantFlac({ channels: 8, sampleRate: 44100, bitsPerSample: 16, blockSize: 65535, frames: 300, value: 1000 });
		await expect(decodeAudioFile(bytes.slice().buffer, noPlatform)).rejects.toThrow(AudioFormatError);
	});
});

describe('WAV and AIFF: declared sizes are checked against the bytes present', () => {
	function extensibleWav(fmtBodyPresent: number): Uint8Array {
		const out = new Uint8Array(12 + 8 + fmtBodyPresent);
		const v = new DataView(out.buffer);
		out.set(new TextEncoder().encode('RIFF'), 0);
		v.setUint32(4, out.length - 8, true);
		out.set(new TextEncoder().encode('WAVEfmt '), 8);
		v.setUint32(16, 40, true); // declares 40 bytes
		v.setUint16(20, 0xfffe, true);
		v.setUint16(22, 2, true);
		v.setUint32(24, 44100, true);
		v.setUint16(32, 4, true);
		v.setUint16(34, 16, true);
		return out;
	}

	it('an EXTENSIBLE fmt chunk that declares more bytes than the file holds', () => {
		for (const present of [16, 20, 24, 25]) {
			expect(() => parseWav(extensibleWav(present)), `${present} bytes`).toThrow(AudioFormatError);
		}
	});

	it('more channels than Stemsafe reads', () => {
		const wav = extensibleWav(16);
		const v = new DataView(wav.buffer);
		v.setUint32(16, 16, true);
		v.setUint16(20, 1, true);
		v.setUint16(22, 4000, true);
		v.setUint16(32, 8000, true);
		const withData = new Uint8Array(wav.length + 8 + 8000);
		withData.set(wav);
		withData.set(new TextEncoder().encode('data'), wav.length);
		new DataView(withData.buffer).setUint32(wav.length + 4, 8000, true);
		new DataView(withData.buffer).setUint32(4, withData.length - 8, true);
		expect(() => parseWav(withData)).toThrow(/4000 channels/);
	});

	it('an AIFF whose COMM chunk declares more than the file holds, and one with 5000 channels', () => {
		const good = aiff16([new Float32Array([0.1, 0.2, 0.3])], 44100);
		expect(parseAiff(good).channels[0].length).toBe(3);
		const v = new DataView(good.buffer);
		const many = good.slice();
		new DataView(many.buffer).setUint16(20, 5000);
		expect(() => parseAiff(many)).toThrow(/5000 channels/);
		const cut = good.slice(0, 12 + 8 + 10); // COMM header, 10 of its 18 bytes
		expect(() => parseAiff(cut)).toThrow(AudioFormatError);
		v.setUint32(16, 0xfffffff0); // COMM size beyond the file
		expect(() => parseAiff(good)).toThrow(AudioFormatError);
	});
});

describe('checkpoints: bounded time, memory and stack', () => {
	it('a 190-byte zip whose pickle builds a shared-tuple DAG used as a dict key', async () => {
		const w = new PickleWriter().proto(2).op(OP.EMPTY_DICT, OP.NONE);
		for (let i = 0; i < 26; i++) w.op(OP.DUP, OP.TUPLE2); // (x, x), ((x, x), (x, x)), …: 2^26 leaves, 27 objects
		const zip = torchZip(w.op(OP.NONE, OP.SETITEM).stop(), {}, { prefix: 'a/', version: false });
		expect(zip.length).toBeLessThan(200);
		const { error, ms } = await outcome(() => readCheckpoint(bytesSource(zip)));
		expect(error).toBeInstanceOf(CheckpointError);
		expect(ms).toBeLessThan(2000);
	});

	it('20,000 nested MARK / LIST and nested lists as dict keys do not overflow the stack', async () => {
		const nested = new PickleWriter().proto(2);
		for (let i = 0; i < 20_000; i++) nested.op(OP.MARK);
		for (let i = 0; i < 20_000; i++) nested.op(OP.LIST);
		const { error } = await outcome(() => readCheckpoint(bytesSource(torchZip(nested.stop()))));
		expect(error).toBeInstanceOf(CheckpointError);
		expect((error as Error).message).toMatch(/nest/);

		const asKey = new PickleWriter().proto(2).op(OP.EMPTY_DICT, OP.EMPTY_LIST);
		for (let i = 0; i < 5000; i++) asKey.op(OP.TUPLE1);
		const r = await outcome(() => readCheckpoint(bytesSource(torchZip(asKey.op(OP.NONE, OP.SETITEM).stop()))));
		expect(r.error).toBeInstanceOf(CheckpointError);
	});

	it('a long LONG4 integer is refused instead of taking quadratic time', () => {
		const n = 200_000;
		const bytes = new Uint8Array(2 + 5 + n + 1);
		bytes.set([OP.PROTO, 2, OP.LONG4, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, 0]);
		bytes.fill(0x7f, 7, 7 + n);
		bytes[bytes.length - 1] = OP.STOP;
		const hooks = { findGlobal: () => null, persistentLoad: () => null };
		const t0 = performance.now();
		expect(() => unpickle(bytes, hooks)).toThrow(CheckpointError);
		expect(performance.now() - t0).toBeLessThan(1000);
	});

	it('a stride-0 view of a one-element storage is not expanded to 1 GB', async () => {
		const pkl = stateDictPickle([{ name: 'w', storage: 'FloatStorage', key: '0', storageNumel: 1, offset: 0, shape: [1 << 28], stride: [0] }]);
		const zip = torchZip(pkl, { '0': new Uint8Array(4) });
		expect(zip.length).toBeLessThan(600);
		const { error } = await outcome(async () => {
			const map = await readCheckpoint(bytesSource(zip));
			for (const t of map.values()) await t.read();
		});
		expect(error).toBeInstanceOf(CheckpointError);
		expect((error as Error).message).toMatch(/more elements \(268435456\) than its storage 0 holds \(1\)/);
	});

	it('a storage larger than its data entry is refused when the checkpoint is read', async () => {
		const pkl = stateDictPickle([{ name: 'w', storage: 'FloatStorage', key: '0', storageNumel: 2 ** 40, offset: 0, shape: [4], stride: [1] }]);
		await expect(readCheckpoint(bytesSource(torchZip(pkl, { '0': new Uint8Array(16) })))).rejects.toThrow(/storage 0/);
	});

	it('legitimate views (transposed, sliced) still read', async () => {
		const storage = new Float32Array([0, 1, 2, 3, 4, 5]);
		const pkl = stateDictPickle([
			{ name: 't', storage: 'FloatStorage', key: '0', storageNumel: 6, offset: 0, shape: [3, 2], stride: [1, 3] },
			{ name: 's', storage: 'FloatStorage', key: '0', storageNumel: 6, offset: 2, shape: [2], stride: [2] }
		]);
		const map = await readCheckpoint(bytesSource(torchZip(pkl, { '0': new Uint8Array(storage.buffer) })));
		expect(Array.from(await map.get('t')!.read())).toEqual([0, 3, 1, 4, 2, 5]);
		expect(Array.from(await map.get('s')!.read())).toEqual([2, 4]);
	});

	it('a deflated entry that declares a size its compressed bytes cannot hold is refused before allocating', async () => {
		const storage = new Float32Array(64).fill(0.5);
		const pkl = stateDictPickle([{ name: 'w', storage: 'FloatStorage', key: '0', storageNumel: 64, offset: 0, shape: [64], stride: [1] }]);
		const zip = torchZip(pkl, { '0': new Uint8Array(storage.buffer) }, { deflate: true });
		expect(Array.from(await (await readCheckpoint(bytesSource(zip))).get('w')!.read())).toEqual(Array.from(storage));
		// declare 2^40 bytes for the storage entry (central directory and local header)
		const bad = zip.slice();
		const v = new DataView(bad.buffer);
		for (let i = 0; i + 4 <= bad.length; i++) {
			const sig = v.getUint32(i, true);
			const name = (at: number, len: number) => new TextDecoder().decode(bad.subarray(at, at + len));
			if (sig === 0x02014b50 && name(i + 46, v.getUint16(i + 28, true)).endsWith('data/0')) v.setUint32(i + 24, 0xfffffff0, true);
		}
		const { error } = await outcome(async () => {
			const map = await readCheckpoint(bytesSource(bad));
			await map.get('w')!.read();
		});
		expect(error).toBeInstanceOf(CheckpointError);
		expect((error as Error).message).toMatch(/data\/0/);
	});

	it('a deflated entry that inflates to more than it declares is refused', async () => {
		const pkl = stateDictPickle([{ name: 'w', storage: 'FloatStorage', key: '0', storageNumel: 4, offset: 0, shape: [4], stride: [1] }]);
		const zip = torchZip(pkl, { '0': new Uint8Array(1 << 16) }, { deflate: true });
		const bad = zip.slice();
		const v = new DataView(bad.buffer);
		for (let i = 0; i + 4 <= bad.length; i++) {
			if (v.getUint32(i, true) === 0x02014b50 && new TextDecoder().decode(bad.subarray(i + 46, i + 46 + v.getUint16(i + 28, true))).endsWith('data/0')) {
				v.setUint32(i + 24, 16, true); // says 16 bytes; inflates to 64 KiB
			}
		}
		const map = await readCheckpoint(bytesSource(bad));
		await expect(map.get('w')!.read()).rejects.toThrow(CheckpointError);
	});

	it('a zip64 extra field shorter than the sizes it must hold (found by fuzzing)', async () => {
		const pkl = stateDictPickle([{ name: 'w', storage: 'FloatStorage', key: '0', storageNumel: 1, offset: 0, shape: [1], stride: [1] }]);
		const zip = torchZip(pkl, { '0': new Uint8Array(4) }, { version: false });
		const v = new DataView(zip.buffer);
		// the last central directory entry (data/0): sizes say "in the zip64 field", whose 4-byte extra holds none
		let at = -1;
		for (let i = 0; i + 4 <= zip.length; i++) if (v.getUint32(i, true) === 0x02014b50) at = i;
		const nameLength = v.getUint16(at + 28, true);
		const extra = Uint8Array.of(1, 0, 4, 0, 0, 0, 0, 0); // id 0x0001, length 4
		const bad = new Uint8Array(zip.length + extra.length);
		bad.set(zip.subarray(0, at + 46 + nameLength));
		bad.set(extra, at + 46 + nameLength);
		bad.set(zip.subarray(at + 46 + nameLength), at + 46 + nameLength + extra.length);
		const bv = new DataView(bad.buffer);
		bv.setUint32(at + 24, 0xffffffff, true);
		bv.setUint16(at + 30, extra.length, true);
		const eocd = bad.length - 22;
		bv.setUint32(eocd + 12, bv.getUint32(eocd + 12, true) + extra.length, true);
		await expect(readCheckpoint(bytesSource(bad))).rejects.toThrow(/short zip64 field/);
	});

	it('a version-2 .npy shorter than 12 bytes', async () => {
		for (const length of [10, 11]) {
			const short = npy([2], new Float32Array(2), 2).subarray(0, length);
			await expect(readCheckpoint(bytesSource(npz({ a: short }))), `${length} bytes`).rejects.toThrow(CheckpointError);
		}
		const ok = await readCheckpoint(bytesSource(npz({ a: npy([2], new Float32Array([1, 2]), 2) })));
		expect(Array.from(await ok.get('a')!.read())).toEqual([1, 2]);
	});

	it('a safetensors dtype that is a deeply nested array, or the name of an Object property', async () => {
		for (const dtype of ['[', 'constructor', 'toString']) {
			const value = dtype === '[' ? '['.repeat(20_000) + ']'.repeat(20_000) : JSON.stringify(dtype);
			const json = `{"w":{"dtype":${value},"shape":[1],"data_offsets":[0,4]}}`;
			const bytes = new Uint8Array(8 + json.length + 4);
			new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
			bytes.set(new TextEncoder().encode(json), 8);
			await expect(readCheckpoint(bytesSource(bytes)), dtype).rejects.toThrow(/element type/);
		}
	});

	it('a pickle that names torch.constructor as a storage type', async () => {
		const pkl = new PickleWriter().proto(2).global('torch', 'constructor').stop();
		await expect(readCheckpoint(bytesSource(torchZip(pkl)))).rejects.toThrow(/torch.constructor/);
	});

	it('a safetensors header nested 100,000 deep', async () => {
		const json = '{"a":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
		const bytes = new Uint8Array(8 + json.length);
		new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
		bytes.set(new TextEncoder().encode(json), 8);
		await expect(readCheckpoint(bytesSource(bytes))).rejects.toThrow(CheckpointError);
		const good = safetensors({ w: { shape: [2], data: new Float32Array([1, 2]) } });
		expect(Array.from(await (await readCheckpoint(bytesSource(good))).get('w')!.read())).toEqual([1, 2]);
	});
});

describe('YAML: nesting is depth-limited with a clear error', () => {
	for (const [what, text] of [
		['20,000 nested [', 'a: ' + '['.repeat(20_000) + ']'.repeat(20_000)],
		['20,000 nested {', 'a: ' + '{b: '.repeat(20_000) + '1' + '}'.repeat(20_000)],
		['20,000 nested "- "', '- '.repeat(20_000) + 'x'],
		['2,000 nested block mappings', Array.from({ length: 2000 }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' 1'],
		['2,000 nested tags', Array.from({ length: 2000 }, (_, i) => ' '.repeat(i) + '!!seq').join('\n')]
	]) {
		it(what, () => {
			expect(() => parseYaml(text)).toThrow(YamlError);
			expect(() => parseYaml(text)).toThrow(/nest/);
		});
	}

	it('ordinary nesting still reads', () => {
		expect(parseYaml('a:\n  b:\n    - [1, [2, {c: 3}]]\n    - - x\n      - y')).toEqual({ a: { b: [[1, [2, { c: 3 }]], ['x', 'y']] } });
	});
});
