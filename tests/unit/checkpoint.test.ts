// The checkpoint readers against real torch.save files and a hand-written .safetensors
// (tools/make_checkpoint_fixtures.py wrote them and expected.json with PyTorch's values).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nodeFileSource } from '../../scripts/lib/node-byte-source';
import { bytesSource } from '../../src/lib/models/byte-source';
import { CheckpointError, readCheckpoint } from '../../src/lib/models/checkpoint';
import { unpickle } from '../../src/lib/models/checkpoint/pickle';
import { readZipDirectory } from '../../src/lib/models/checkpoint/zip';
import type { TensorMap } from '../../src/lib/models/types';

const dir = fileURLToPath(new URL('../fixtures/checkpoints/', import.meta.url));
const expected = JSON.parse(readFileSync(dir + 'expected.json', 'utf8')) as Record<string, Expected>;

interface Expected {
	tensors?: Record<string, { dtype: string; shape: number[]; values: number[] }>;
	checksums?: Record<string, { dtype: string; shape: number[]; sum: number; weighted: number; first: number[] }>;
	count?: number;
	error?: string;
}

async function read(name: string): Promise<TensorMap> {
	const src = await nodeFileSource(dir + name);
	try {
		return await readCheckpoint(src);
	} finally {
		await src.close();
	}
}

describe('checkpoint readers on real PyTorch files', () => {
	for (const [file, exp] of Object.entries(expected)) {
		if (exp.tensors) {
			it(`${file}: every tensor's dtype, shape and values`, async () => {
				const src = await nodeFileSource(dir + file);
				const map = await readCheckpoint(src);
				expect([...map.keys()].sort()).toEqual(Object.keys(exp.tensors!).sort());
				for (const [key, t] of Object.entries(exp.tensors!)) {
					const entry = map.get(key)!;
					expect(entry.dtype, key).toBe(t.dtype);
					expect(entry.shape, key).toEqual(t.shape);
					const values = await entry.read();
					expect(values.length, key).toBe(t.values.length);
					// float32 values (PyTorch's float() of the stored type) must be bit-exact
					expect(Array.from(values), key).toEqual(t.values.map((v) => Math.fround(v)));
				}
				await src.close();
			});
		} else if (exp.checksums) {
			it(`${file}: ${exp.count} tensors of a ZFTurbo-style Roformer checkpoint`, async () => {
				const src = await nodeFileSource(dir + file);
				const map = await readCheckpoint(src);
				expect(map.size).toBe(exp.count);
				for (const [key, c] of Object.entries(exp.checksums!)) {
					const entry = map.get(key);
					expect(entry, key).toBeDefined();
					expect(entry!.shape, key).toEqual(c.shape);
					const v = await entry!.read();
					let sum = 0;
					let weighted = 0;
					for (let i = 0; i < v.length; i++) {
						sum += v[i];
						weighted += v[i] * Math.cos(i * 0.1);
					}
					expect(Array.from(v.subarray(0, 4)), key).toEqual(c.first.map(Math.fround));
					expect(sum, key).toBeCloseTo(c.sum, 9);
					expect(weighted, key).toBeCloseTo(c.weighted, 9);
				}
				await src.close();
			});
		} else {
			it(`${file}: refused with a message naming ${exp.error}`, async () => {
				await expect(read(file)).rejects.toThrow(CheckpointError);
				await expect(read(file)).rejects.toThrow(exp.error!);
			});
		}
	}

	it('reads the zip directory and the pickle, not the tensor data, until asked', async () => {
		const src = await nodeFileSource(dir + 'tiny-mel.ckpt');
		const map = await readCheckpoint(src);
		expect(src.bytesRead).toBeLessThan(src.size / 4);
		for (const e of map.values()) await e.read();
		expect(src.bytesRead).toBeGreaterThan(src.size * 0.9);
		await src.close();
	});

	it('removes a module. prefix and state_dict / model / model_state_dict wrappers', async () => {
		for (const f of ['toy-module-wrapped.ckpt', 'toy-model-key.pth', 'toy-model-state-dict.pt']) {
			expect([...(await read(f)).keys()].sort()).toEqual(['norm', 'proj.bias', 'proj.weight', 'seq.0.weight']);
		}
	});

	it('finds the zip64 records', async () => {
		const bytes = new Uint8Array(readFileSync(dir + 'toy-zip64.pth'));
		const entries = await readZipDirectory(bytesSource(bytes));
		expect(entries.map((e) => e.name)).toContain('toy-plain/data.pkl');
		let zip64 = false;
		for (let i = 0; i + 4 <= bytes.length; i++) if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 6 && bytes[i + 3] === 6) zip64 = true;
		expect(zip64).toBe(true);
	});
});

describe('bad checkpoints get a clear error', () => {
	const good = new Uint8Array(readFileSync(dir + 'tiny-bs.ckpt'));

	it('truncated at any of several points', async () => {
		for (const keep of [0.999, 0.9, 0.5, 0.1]) {
			const cut = good.subarray(0, Math.floor(good.length * keep));
			await expect(readCheckpoint(bytesSource(cut)), `kept ${keep}`).rejects.toThrow(/truncated|end record/);
		}
		await expect(readCheckpoint(bytesSource(new Uint8Array(0)))).rejects.toThrow('empty');
	});

	it('a damaged pickle or zip directory', async () => {
		const entries = await readZipDirectory(bytesSource(good));
		const pkl = entries.find((e) => e.name.endsWith('data.pkl'))!;
		const bad = good.slice();
		bad[pkl.localHeaderOffset + 30 + pkl.name.length + 200] ^= 0x5a; // somewhere inside data.pkl (after the header padding)
		await expect(readCheckpoint(bytesSource(bad))).rejects.toThrow(CheckpointError);
		const dirBad = good.slice();
		const eocd = dirBad.length - 22;
		const cdOffset = new DataView(dirBad.buffer).getUint32(eocd + 16, true);
		dirBad[cdOffset] = 0; // central directory signature
		await expect(readCheckpoint(bytesSource(dirBad))).rejects.toThrow(/corrupt/);
	});

	it('damaged tensor data fails the CRC check when read', async () => {
		const entries = await readZipDirectory(bytesSource(good));
		const big = entries.filter((e) => e.name.includes('/data/')).sort((a, b) => b.size - a.size)[0];
		const bad = good.slice();
		const data = big.localHeaderOffset + 30 + big.name.length;
		// the local extra field pads to 64 bytes; flip a byte well inside the data
		const view = new DataView(bad.buffer);
		const start = data + view.getUint16(big.localHeaderOffset + 28, true);
		bad[start + 10] ^= 0xff;
		const map = await readCheckpoint(bytesSource(bad));
		const reads = await Promise.allSettled([...map.values()].map((e) => e.read()));
		const failed = reads.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
		expect(failed.length).toBeGreaterThan(0);
		expect(String(failed[0].reason)).toMatch(/CRC/);
	});

	it('not a checkpoint at all', async () => {
		await expect(readCheckpoint(bytesSource(new TextEncoder().encode('model:\n  dim: 8\n')))).rejects.toThrow('not a checkpoint');
	});

	it('a safetensors header that lies about sizes', async () => {
		const header = JSON.stringify({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 12] } });
		const bytes = new Uint8Array(8 + header.length + 16);
		new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
		bytes.set(new TextEncoder().encode(header), 8);
		await expect(readCheckpoint(bytesSource(bytes))).rejects.toThrow(/do not match its shape/);
	});
});

describe('pickle subset', () => {
	const hooks = {
		findGlobal: (m: string, n: string) => {
			throw new CheckpointError(`refused ${m}.${n}`);
		},
		persistentLoad: () => null
	};
	it('names an opcode it does not run', () => {
		// protocol 2, NEWOBJ (0x81) is for arbitrary classes
		expect(() => unpickle(Uint8Array.from([0x80, 2, 0x81, 0x2e]), hooks)).toThrow(/opcode 0x81/);
	});
	it('reads ints, longs, floats, strings, tuples, lists and dicts', () => {
		// {'a': [1, -2, 2**40, 1.5], 'b': ('x', True, None)} as protocol 4 (python -c "pickle.dumps(..., 4)")
		const hex = '80049531000000000000007d94288c0161945d94284b014afeffffff8a06000000000001473ff8000000000000658c0162948c017894884e8794752e';
		const bytes = Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
		const v = unpickle(bytes, hooks) as Map<string, unknown>;
		expect(v.get('a')).toEqual([1, -2, 2 ** 40, 1.5]);
		expect(v.get('b')).toEqual(['x', true, null]);
	});
});

describe('values next to the weights', () => {
	it('numpy scalars and an optimizer state are read as plain data (no code run)', async () => {
		const { readTorchArchive } = await import('../../src/lib/models/checkpoint/torch');
		const src = await nodeFileSource(dir + 'toy-model-state-dict.pt');
		const { root } = await readTorchArchive(src);
		await src.close();
		const m = root as Map<string, unknown>;
		expect(m.get('best_sdr')).toBe(12.97);
		expect(m.get('epoch')).toBe(317);
		expect(m.get('ok')).toBe(true);
		expect((m.get('optimizer_state_dict') as Map<string, unknown>).get('param_groups')).toEqual([new Map([['lr', 1e-3]])]);
	});
});

describe('NumPy .npz (tools/train.py model.npz)', () => {
	// tiny-bs.npz: the tensors of tiny-bs.ckpt saved with np.savez (numpy's own writer)
	it('reads the same tensors as the torch checkpoint they came from', async () => {
		const open = (f: string) => readCheckpoint(bytesSource(new Uint8Array(readFileSync(dir + f))));
		const [npz, ckpt] = [await open('tiny-bs.npz'), await open('tiny-bs.ckpt')];
		expect([...npz.keys()].sort()).toEqual([...ckpt.keys()].sort());
		for (const [name, t] of ckpt) {
			const n = npz.get(name)!;
			expect(n.shape).toEqual(t.shape);
			expect(Array.from(await n.read())).toEqual(Array.from(await t.read()));
		}
	});
	it('refuses Fortran-ordered and truncated arrays with a clear message', async () => {
		const bytes = new Uint8Array(readFileSync(dir + 'tiny-bs.npz'));
		const text = new TextDecoder('latin1').decode(bytes);
		const at = text.indexOf("'fortran_order': False");
		const fortran = bytes.slice();
		fortran.set(new TextEncoder().encode("'fortran_order': True "), at);
		await expect(readCheckpoint(bytesSource(fortran)).then((m) => [...m.values()].map((t) => t.read()))).rejects.toThrow(/Fortran order/);
		await expect(readCheckpoint(bytesSource(bytes.slice(0, bytes.length - 5000)))).rejects.toThrow(CheckpointError);
	});
});
