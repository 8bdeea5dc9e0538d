// The TypeScript ONNX builder (src/lib/models/onnx) on the EXACT architectures of the public
// checkpoints users import (viperx BS-Roformer 1297, viperx Mel-Band 3005, Kim's Mel-Band, the
// MUSDB18 BS-Roformer config), with the deterministic hash weights of tools/make_parity_archs.py,
// run by onnxruntime-web WASM and compared with PyTorch's forward_spec to 1e-4 on a short chunk; plus two
// small inline configs for mono, several Mel-Band stems, zero_dc off and another n_fft.
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { buildRoformerOnnx, expectedKeys, expectedShapes } from '../../src/lib/models/onnx';
import type { ModelSpec, RoformerConfig } from '../../src/lib/models/types';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { hashCheckpoint, hashFloat32 } from '../../scripts/lib/hash-weights';
import { loadGolden } from './golden';
import { joinParts } from './onnx-test-utils';

const ARCHS = ['viperx-bs-1297', 'viperx-mel-3005', 'kj-mel-vocals', 'musdb18-bs', 'tiny-mono-mel-3stem', 'tiny-mono-bs-2stem'];

const sha256 = (lines: string[]) => createHash('sha256').update(lines.join('\n')).digest('hex');

for (const name of ARCHS) {
	describe(`architecture ${name}`, () => {
		const golden = () => {
			const g = loadGolden(`arch-${name}.parity`);
			return { g, config: g.config as RoformerConfig };
		};

		it('has the state-dict keys and shapes of the PyTorch model', () => {
			const { g, config } = golden();
			const shapes = expectedShapes(config);
			expect(shapes.size).toBe(g.key_count);
			expect(sha256(expectedKeys(config))).toBe(g.keys_sha256);
			expect(sha256([...shapes].map(([k, s]) => `${k}:${s.join(',')}`))).toBe(g.shapes_sha256);
		});

		it('built ONNX matches PyTorch to 1e-4 (onnxruntime-web WASM)', async () => {
			const { g, config } = golden();
			const [, N, S, F, T] = g.output_shape as number[];
			const spec: ModelSpec = { config, stems: ['a', 'b'], residualStem: null, chunkFrames: T };
			const built = await buildRoformerOnnx(spec, hashCheckpoint(expectedShapes(config)), { precision: 'fp32' });
			expect(built.params).toBe(g.params);
			const session = await ortSessionFactory(ort, joinParts(built.parts, built.bytes))('wasm');
			built.parts.length = 0;
			const out = await session.run(hashFloat32('stft', S * F * T * 2), [1, S, F, T, 2]);
			await session.release();
			expect(out.length).toBe(N * S * F * T * 2);
			const ref = g.arrays.sampled_output.data;
			const stride = g.stride as number;
			let worst = 0;
			let peak = 0;
			for (let j = 0; j < ref.length; j++) {
				worst = Math.max(worst, Math.abs(out[j * stride] - ref[j]));
				peak = Math.max(peak, Math.abs(ref[j]));
			}
			let sum = 0;
			let abs = 0;
			for (const v of out) {
				sum += v;
				abs += Math.abs(v);
			}
			console.log(`${name}: ${built.params} params, ${(built.bytes / 1e6).toFixed(1)} MB, worst |diff| ${worst.toExponential(2)} (peak ${peak.toFixed(3)})`);
			expect(peak).toBeGreaterThan(0.05);
			expect(worst).toBeLessThan(1e-4 * Math.max(1, peak));
			expect(Math.abs(abs - (g.output_abs_sum as number))).toBeLessThan(1e-4 * (g.output_abs_sum as number));
			expect(Math.abs(sum - (g.output_sum as number))).toBeLessThan(1e-4 * (g.output_abs_sum as number));
		}, 300_000);
	});
}

describe('architecture musdb18-bs, fp16', () => {
	it('float16 body and weights run in onnxruntime-web WASM close to PyTorch', async () => {
		const g = loadGolden('arch-musdb18-bs.parity');
		const config = g.config as RoformerConfig;
		const [, N, S, F, T] = g.output_shape as number[];
		const spec: ModelSpec = { config, stems: ['a', 'b'], residualStem: null, chunkFrames: T };
		const built = await buildRoformerOnnx(spec, hashCheckpoint(expectedShapes(config)), { precision: 'fp16' });
		expect(built.bytes).toBeLessThan(0.52 * 4 * built.params);
		const session = await ortSessionFactory(ort, joinParts(built.parts, built.bytes))('wasm');
		const out = await session.run(hashFloat32('stft', S * F * T * 2), [1, S, F, T, 2]);
		await session.release();
		expect(out.length).toBe(N * S * F * T * 2);
		const ref = g.arrays.sampled_output.data;
		const stride = g.stride as number;
		let err2 = 0;
		let ref2 = 0;
		let worst = 0;
		for (let j = 0; j < ref.length; j++) {
			const d = out[j * stride] - ref[j];
			err2 += d * d;
			ref2 += ref[j] * ref[j];
			worst = Math.max(worst, Math.abs(d));
		}
		const rel = Math.sqrt(err2 / ref2);
		console.log(`musdb18-bs fp16: ${(built.bytes / 1e6).toFixed(1)} MB, relative L2 ${rel.toExponential(2)}, worst |diff| ${worst.toExponential(2)}`);
		expect(rel).toBeLessThan(1e-2);
	}, 300_000);
});
