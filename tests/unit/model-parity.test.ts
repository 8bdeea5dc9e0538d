// Every exported ONNX graph run by onnxruntime-web (WASM, in Node) must match the PyTorch model
// it was exported from to 1e-4: the shipped default model (tools/convert.py wrote its reference)
// and the converter fixtures (tools/make_fixture_models.py: a ZFTurbo-style Mel-Band-Roformer and
// BS-Roformer checkpoint + yaml, converted).
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../src/lib/separation/manifest';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { fixtureIds, fixturesDir, loadManifest, modelBytes, modelsDir } from '../../scripts/lib/model-files';
import { loadGolden } from './golden';

function parityInput(size: number): Float32Array {
	const x = new Float32Array(size);
	for (let i = 0; i < size; i++) x[i] = Math.sin(0.37 * i) * (1 + 0.5 * Math.cos(0.0011 * i));
	return x;
}

function parity(what: string, manifest: ModelManifest, dir: string) {
	describe(what, () => {
		it('matches its sha256 and byte count', () => {
			const bytes = modelBytes(manifest, dir);
			expect(bytes.byteLength).toBe(manifest.bytes);
			expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.sha256);
		});

		it('onnxruntime-web output matches PyTorch to 1e-4', async () => {
			const g = loadGolden(`${manifest.id}.parity`);
			const [, N, S, F, T] = g.output_shape as number[];
			expect([S, T]).toEqual([manifest.channels, manifest.chunk.frames]);
			expect(N).toBe(manifest.stems.length - (manifest.residualStem ? 1 : 0));
			const stride = g.stride as number;
			const session = await ortSessionFactory(ort, modelBytes(manifest, dir))('wasm');
			const out = await session.run(parityInput(S * F * T * 2), [1, S, F, T, 2]);
			await session.release();
			expect(out.length).toBe(N * S * F * T * 2);
			const ref = g.arrays.sampled_output.data;
			let worst = 0;
			let peak = 0;
			for (let j = 0; j < ref.length; j++) {
				worst = Math.max(worst, Math.abs(out[j * stride] - ref[j]));
				peak = Math.max(peak, Math.abs(ref[j]));
			}
			expect(peak).toBeGreaterThan(0.01);
			expect(worst).toBeLessThan(1e-4 * Math.max(1, peak));
		}, 60_000);
	});
}

parity('bundled default model', loadManifest(), modelsDir);
for (const id of fixtureIds()) parity(`converter fixture ${id}`, loadManifest(id, fixturesDir), fixturesDir);
