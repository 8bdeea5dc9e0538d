import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../scripts/lib/model-files';
import { modelBytesLoader } from '../../src/lib/models/store/model-bytes';
import type { StoredFile } from '../../src/lib/models/store/types';

const manifest = loadManifest('fixture-bs-4stem', 'tests/fixtures/models');
const bytes32 = new Uint8Array([1, 2, 3, 4]);
const bytes16 = new Uint8Array([5, 6]);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const fp32: StoredFile = { name: 'm.fp32.onnx', bytes: 4, sha256: sha(bytes32) };
const fp16: StoredFile = { name: 'm.fp16.onnx', bytes: 2, sha256: sha(bytes16) };
const m = { ...manifest, file: fp32.name, bytes: 4, sha256: fp32.sha256 };

function io(files: Record<string, Uint8Array>) {
	const reads: string[] = [];
	return {
		reads,
		fetchUrl: async (url: string) => (reads.push(url), files[url].slice().buffer),
		readStored: async (f: StoredFile) => (reads.push(f.name), files[f.name].slice().buffer)
	};
}

describe('modelBytesLoader', () => {
	it('gives WebGPU with shader-f16 the fp16 file and WASM the fp32 file, each read once and checked', async () => {
		const fake = io({ [fp32.name]: bytes32, [fp16.name]: bytes16 });
		const l = modelBytesLoader(m, { kind: 'opfs', fp32, fp16 }, { webgpu: true, shaderF16: true }, fake);
		expect(l.precisionFor('webgpu')).toBe('fp16');
		expect(await l.bytesFor('webgpu')).toEqual(bytes16);
		expect(await l.bytesFor('wasm')).toEqual(bytes32);
		await l.bytesFor('wasm');
		expect(fake.reads).toEqual([fp16.name, fp32.name]);
	});
	it('without shader-f16 both backends use fp32', async () => {
		const fake = io({ [fp32.name]: bytes32, [fp16.name]: bytes16 });
		const l = modelBytesLoader(m, { kind: 'opfs', fp32, fp16 }, { webgpu: true, shaderF16: false }, fake);
		expect(await l.bytesFor('webgpu')).toEqual(bytes32);
	});
	it('rejects stored bytes that changed, and URL downloads that do not match the manifest', async () => {
		const l = modelBytesLoader(m, { kind: 'opfs', fp32 }, { webgpu: false, shaderF16: false }, io({ [fp32.name]: new Uint8Array([1, 2, 3, 5]) }));
		await expect(l.bytesFor('wasm')).rejects.toThrow(/failed its integrity check/);
		const u = modelBytesLoader(m, { kind: 'url', url: '/x.onnx' }, { webgpu: false, shaderF16: false }, io({ '/x.onnx': new Uint8Array(3) }));
		await expect(u.bytesFor('wasm')).rejects.toThrow(/3 bytes, expected 4/);
	});
});
