// The bundled ONNX graph run by onnxruntime-web (WASM, in Node) must match the PyTorch
// model it was exported from (tools/make_untrained_model.py wrote the reference) to 1e-4.
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { loadGolden } from './golden';
import { loadManifest, modelBytes } from './models';

function parityInput(size: number): Float32Array {
	const x = new Float32Array(size);
	for (let i = 0; i < size; i++) x[i] = Math.sin(0.37 * i) * (1 + 0.5 * Math.cos(0.0011 * i));
	return x;
}

describe('bundled model', () => {
	const manifest = loadManifest();
	it('matches its sha256 and byte count', async () => {
		const bytes = modelBytes(manifest);
		expect(bytes.byteLength).toBe(manifest.bytes);
		const { createHash } = await import('node:crypto');
		expect(createHash('sha256').update(bytes).digest('hex')).toBe(manifest.sha256);
	});

	it('onnxruntime-web output matches PyTorch to 1e-4', async () => {
		const g = loadGolden(`${manifest.id}.parity`);
		const [, N, S, F, T] = g.output_shape as number[];
		const stride = g.stride as number;
		const session = await ortSessionFactory(ort, modelBytes(manifest))('wasm');
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
	});
});
