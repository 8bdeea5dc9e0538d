import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../scripts/lib/model-files';
import { bundledEntry, chooseActive, mergeCatalog, nameFromFile, slug, storageUsed, uniqueId, validateStoredModel } from '../../src/lib/models/store/catalog';
import { importPrecisions, variantFor, detectGpuCaps } from '../../src/lib/models/store/precision';
import type { StoredModel } from '../../src/lib/models/store/types';

const bundled = loadManifest();
const fixture = loadManifest('fixture-mel-band-vocals', 'tests/fixtures/models');

function stored(id: string, importedAt: string, fp16 = false): StoredModel {
	const fp32 = { name: `${id}.fp32.onnx`, bytes: fixture.bytes, sha256: fixture.sha256 };
	return {
		id,
		manifest: { ...fixture, id, file: fp32.name },
		variants: fp16 ? { fp32, fp16: { name: `${id}.fp16.onnx`, bytes: 1000, sha256: 'a'.repeat(64) } } : { fp32 },
		origin: { kind: 'checkpoint', files: ['kim.ckpt', 'kim.yaml'], importedAt },
		params: 4242
	};
}

describe('catalog', () => {
	const b = bundledEntry(bundled, '/models/x.onnx');

	it('lists bundled first, then imported oldest first, with size, params, stems and origin', () => {
		const list = mergeCatalog([b], [stored('user-b', '2026-11-23T09:00:00Z', true), stored('user-a', '2026-11-22T09:00:00Z')]);
		expect(list.map((e) => e.id)).toEqual([bundled.id, 'user-a', 'user-b']);
		expect(list[0]).toMatchObject({ kind: 'bundled', from: 'bundled with Stemsafe', params: 5290628, bytes: bundled.bytes, chunkSeconds: 2 });
		expect(list[2]).toMatchObject({ kind: 'imported', from: 'imported from kim.ckpt + kim.yaml on 2026-11-23', params: 4242, bytes: fixture.bytes + 1000, hasFp16: true, stems: fixture.stems });
		expect(list[2].source).toMatchObject({ kind: 'opfs', fp32: { name: 'user-b.fp32.onnx' }, fp16: { name: 'user-b.fp16.onnx' } });
		expect(list[1].source).not.toHaveProperty('fp16');
		expect(storageUsed([stored('user-b', 'x', true), stored('user-a', 'y')])).toBe(2 * fixture.bytes + 1000);
	});

	it('never lets a stored model shadow a bundled one', () => {
		expect(mergeCatalog([b], [stored(bundled.id, '2026')]).map((e) => e.kind)).toEqual(['bundled']);
	});

	it('keeps the remembered model, falls back to the default when it was removed', () => {
		const list = mergeCatalog([b], [stored('user-a', '2026')]);
		expect(chooseActive(list, 'user-a', bundled.id)?.id).toBe('user-a');
		expect(chooseActive(list, 'user-gone', bundled.id)?.id).toBe(bundled.id);
		expect(chooseActive(list, null, 'nope')?.id).toBe(bundled.id);
		expect(chooseActive([], null, 'nope')).toBeNull();
	});

	it('makes ids that are unique and safe as file names', () => {
		expect(slug('MelBand Roformer — Kim (ÉP 3005).ckpt')).toBe('melband-roformer-kim-ep-3005-ckpt');
		expect(slug('***')).toBe('model');
		expect(slug('x'.repeat(100)).length).toBe(48);
		expect(uniqueId('Kim', [])).toBe('user-kim');
		expect(uniqueId('Kim', ['user-kim', 'user-kim-2'])).toBe('user-kim-3');
		expect(uniqueId('bsr-4stem-synth', ['bsr-4stem-synth'])).toBe('user-bsr-4stem-synth');
		expect(nameFromFile('model_bs_roformer_ep_317_sdr_12.9755.ckpt')).toBe('model bs roformer ep 317 sdr 12.9755');
	});

	it('rejects stored records that cannot be used', () => {
		const ok = stored('user-a', '2026');
		expect(validateStoredModel(ok)).toBe(ok);
		expect(() => validateStoredModel({ ...ok, variants: { fp32: { ...ok.variants.fp32, name: '../x' } } })).toThrow(/fp32/);
		expect(() => validateStoredModel({ ...ok, variants: { fp32: { ...ok.variants.fp32, bytes: 5 } } })).toThrow(/disagree/);
		expect(() => validateStoredModel({ ...ok, manifest: { ...ok.manifest, stems: [] } })).toThrow(/stems/);
		expect(() => validateStoredModel({ ...ok, origin: undefined })).toThrow(/origin/);
		expect(() => validateStoredModel(null)).toThrow(/id/);
	});
});

describe('precision choice', () => {
	it('builds fp16 only where this WebGPU adapter has shader-f16 and the builder can', () => {
		expect(importPrecisions({ webgpu: true, shaderF16: true }, true)).toEqual(['fp32', 'fp16']);
		expect(importPrecisions({ webgpu: true, shaderF16: false }, true)).toEqual(['fp32']);
		expect(importPrecisions({ webgpu: false, shaderF16: false }, true)).toEqual(['fp32']);
		expect(importPrecisions({ webgpu: true, shaderF16: true }, false)).toEqual(['fp32']);
	});
	it('WebGPU with shader-f16 loads fp16 when stored; WASM always fp32', () => {
		const f16 = { webgpu: true, shaderF16: true };
		expect(variantFor('webgpu', { fp16: true }, f16)).toBe('fp16');
		expect(variantFor('webgpu', { fp16: false }, f16)).toBe('fp32');
		expect(variantFor('webgpu', { fp16: true }, { webgpu: true, shaderF16: false })).toBe('fp32');
		expect(variantFor('wasm', { fp16: true }, f16)).toBe('fp32');
	});
	it('reads the adapter features', async () => {
		const nav = (features: string[] | null) => ({ gpu: { requestAdapter: async () => (features ? { features: new Set(features) } : null) } });
		expect(await detectGpuCaps(nav(['shader-f16']))).toEqual({ webgpu: true, shaderF16: true });
		expect(await detectGpuCaps(nav([]))).toEqual({ webgpu: true, shaderF16: false });
		expect(await detectGpuCaps(nav(null))).toEqual({ webgpu: false, shaderF16: false });
		expect(await detectGpuCaps({})).toEqual({ webgpu: false, shaderF16: false });
	});
});
