import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../scripts/lib/model-files';
import { DuplicateModelError, ModelStore, RECORD_PREFIX, type InstallRequest } from '../../src/lib/models/store/store';
import type { ModelManifest } from '../../src/lib/separation/manifest';
import { MemoryFolder, MemoryRecords } from './model-store-fakes';

const nodeSha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function parts(bytes: Uint8Array, size = 1000): Uint8Array[] {
	const out: Uint8Array[] = [];
	for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
	return out;
}

function setup() {
	const folder = new MemoryFolder();
	const records = new MemoryRecords();
	return { folder, records, store: new ModelStore(folder, records) };
}

const base: ModelManifest = loadManifest('fixture-bs-4stem', 'tests/fixtures/models');

function request(id: string, bytes: Uint8Array, extra: Partial<InstallRequest> = {}): InstallRequest {
	return {
		id,
		describe: () => ({ manifest: base, params: 123 }),
		origin: { kind: 'stemsafe', files: ['a.onnx', 'a.json'], importedAt: '2026-11-23T08:00:00.000Z' },
		variants: { fp32: { parts: parts(bytes) } },
		...extra
	};
}

describe('ModelStore', () => {
	it('installs part by part, records sha256 and size, lists, reads back, totals and removes', async () => {
		const { store, folder } = setup();
		const a = randomBytes(5500);
		const b16 = randomBytes(2100);
		const written: number[] = [];
		const model = await store.install(
			request('user-a', a, { variants: { fp32: { parts: parts(a) }, fp16: { parts: parts(b16) } }, onBytes: (n) => written.push(n) })
		);
		expect(model.variants.fp32).toEqual({ name: 'user-a.fp32.onnx', bytes: 5500, sha256: nodeSha(a) });
		expect(model.variants.fp16?.sha256).toBe(nodeSha(b16));
		expect(model.manifest).toMatchObject({ id: 'user-a', file: 'user-a.fp32.onnx', bytes: 5500, sha256: nodeSha(a) });
		expect(written.at(-1)).toBe(7600);
		expect(written.length).toBe(6 + 3);
		expect(new Uint8Array(await store.read(model.variants.fp32))).toEqual(new Uint8Array(a));
		expect((await store.list()).map((m) => m.id)).toEqual(['user-a']);
		expect(await store.usedBytes()).toBe(7600);
		await store.remove('user-a');
		expect(await store.list()).toEqual([]);
		expect(folder.files.size).toBe(0);
	});

	it('a manifest mismatch leaves no file and no record, and does not touch installed models', async () => {
		const { store, folder } = setup();
		const good = randomBytes(3000);
		await store.install(request('user-good', good));
		const bad = randomBytes(3000);
		await expect(store.install(request('user-bad', bad, { variants: { fp32: { parts: parts(bad), expect: { sha256: nodeSha(good).replace(/^./, '0'), bytes: 3000 } } } }))).rejects.toThrow(/does not match its manifest/);
		await expect(store.install(request('user-short', bad, { variants: { fp32: { parts: parts(bad), expect: { sha256: nodeSha(bad), bytes: 3001 } } } }))).rejects.toThrow(/3000 bytes but its manifest says 3001/);
		expect([...folder.files.keys()]).toEqual(['user-good.fp32.onnx']);
		expect((await store.list()).map((m) => m.id)).toEqual(['user-good']);
	});

	it('cancel during writing removes what was written', async () => {
		const { store, folder } = setup();
		const ctrl = new AbortController();
		const data = randomBytes(10_000);
		async function* slow() {
			for (const [i, p] of parts(data).entries()) {
				if (i === 4) ctrl.abort();
				yield p;
			}
		}
		await expect(store.install(request('user-x', data, { variants: { fp32: { parts: slow() } }, signal: ctrl.signal }))).rejects.toThrow(/abort/i);
		expect(folder.files.size).toBe(0);
		expect(await store.list()).toEqual([]);
	});

	it('a failure in the fp16 variant removes the fp32 file too', async () => {
		const { store, folder } = setup();
		const data = randomBytes(2000);
		async function* failing(): AsyncGenerator<Uint8Array> {
			yield data.subarray(0, 10);
			throw new Error('builder ran out of memory');
		}
		await expect(store.install(request('user-y', data, { variants: { fp32: { parts: parts(data) }, fp16: { parts: failing() } } }))).rejects.toThrow(/out of memory/);
		expect(folder.files.size).toBe(0);
	});

	it('refuses a model whose bytes are already installed, naming it', async () => {
		const { store, folder } = setup();
		const data = randomBytes(2000);
		await store.install(request('user-one', data));
		const err = await store.install(request('user-two', data)).catch((e) => e);
		expect(err).toBeInstanceOf(DuplicateModelError);
		expect(err.message).toContain(base.name);
		expect([...folder.files.keys()]).toEqual(['user-one.fp32.onnx']);
	});

	it('skips unusable records, sweeps orphan files, clears everything', async () => {
		const { store, folder, records } = setup();
		const data = randomBytes(2000);
		await store.install(request('user-one', data));
		await records.set(RECORD_PREFIX + 'broken', { id: 'broken' });
		await records.set('unrelated', { x: 1 });
		folder.files.set('left-over.fp32.onnx', new Uint8Array(5));
		const bad: string[] = [];
		expect((await store.list((k) => bad.push(k))).map((m) => m.id)).toEqual(['user-one']);
		expect(bad).toEqual([RECORD_PREFIX + 'broken']);
		expect(await store.sweep()).toEqual(['left-over.fp32.onnx']);
		expect([...folder.files.keys()]).toEqual(['user-one.fp32.onnx']);
		await store.clear();
		expect(folder.files.size).toBe(0);
		expect([...records.map.keys()]).toEqual(['unrelated']);
	});
});
