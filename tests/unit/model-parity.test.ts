// Every exported ONNX graph run by onnxruntime-web (WASM, in Node) must match the PyTorch model
// it was exported from to 1e-4: the shipped default model (tools/convert.py wrote its reference)
// and the converter fixtures (tools/make_fixture_models.py: a ZFTurbo-style Mel-Band-Roformer and
// BS-Roformer checkpoint + yaml, converted).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../src/lib/separation/manifest';
import { fixtureIds, fixturesDir, loadManifest, modelBytes, modelsDir } from '../../scripts/lib/model-files';
import { expectFp32Parity, measureParity } from './ort-parity';

function parity(what: string, manifest: ModelManifest, dir: string) {
	describe(what, () => {
		it('matches its sha256 and byte count', () => {
			const bytes = modelBytes(manifest, dir);
			expect(bytes.byteLength).toBe(manifest.bytes);
			expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.sha256);
		});

		it('onnxruntime-web output matches PyTorch to 1e-4', async () => {
			const p = await measureParity(modelBytes(manifest, dir), `${manifest.id}.parity`);
			expect([p.shape.S, p.shape.T]).toEqual([manifest.channels, manifest.chunk.frames]);
			expect(p.shape.N).toBe(manifest.stems.length - (manifest.residualStem ? 1 : 0));
			expectFp32Parity(p);
		}, 60_000);
	});
}

parity('bundled default model', loadManifest(), modelsDir);
for (const id of fixtureIds()) parity(`converter fixture ${id}`, loadManifest(id, fixturesDir), fixturesDir);
