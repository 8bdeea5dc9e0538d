// The TypeScript ONNX builder (src/lib/models/onnx) on the EXACT architectures of the public
// checkpoints users import (viperx BS-Roformer 1297, viperx Mel-Band 3005, Kim's Mel-Band, the
// MUSDB18 BS-Roformer config), with the deterministic hash weights of tools/make_parity_archs.py,
// run by onnxruntime-web WASM and compared with PyTorch's forward_spec to 1e-4 on a short chunk; plus two
// small inline configs for mono, several Mel-Band stems, zero_dc off and another n_fft.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { buildRoformerOnnx, expectedKeys, expectedShapes } from '../../src/lib/models/onnx';
import type { ModelSpec, RoformerConfig } from '../../src/lib/models/types';
import { hashCheckpoint, hashFloat32 } from '../../scripts/lib/hash-weights';
import { loadGolden } from './golden';
import { joinParts } from './onnx-test-utils';
import { expectFp32Parity, measureParity, type Golden } from './ort-parity';

const ARCHS = ['viperx-bs-1297', 'viperx-mel-3005', 'kj-mel-vocals', 'musdb18-bs', 'tiny-mono-mel-3stem', 'tiny-mono-bs-2stem'];

/** The input tools/make_parity_archs.py fed PyTorch. */
const hashInput = (size: number) => hashFloat32('stft', size);
const sha256 = (lines: string[]) => createHash('sha256').update(lines.join('\n')).digest('hex');

/** The golden's architecture, built with the hash weights, for its chunk length. */
function buildArch(g: Golden, precision: 'fp32' | 'fp16') {
	const config = g.config as RoformerConfig;
	const spec: ModelSpec = { config, stems: ['a', 'b'], residualStem: null, chunkFrames: (g.output_shape as number[])[4] };
	return buildRoformerOnnx(spec, hashCheckpoint(expectedShapes(config)), { precision });
}

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
			const { g } = golden();
			const built = await buildArch(g, 'fp32');
			expect(built.params).toBe(g.params);
			const bytes = joinParts(built.parts, built.bytes);
			built.parts.length = 0;
			const p = await measureParity(bytes, g, hashInput);
			console.log(`${name}: ${built.params} params, ${(built.bytes / 1e6).toFixed(1)} MB, worst |diff| ${p.worst.toExponential(2)} (peak ${p.peak.toFixed(3)})`);
			expectFp32Parity(p, 0.05);
			expect(Math.abs(p.absSum - (g.output_abs_sum as number))).toBeLessThan(1e-4 * (g.output_abs_sum as number));
			expect(Math.abs(p.sum - (g.output_sum as number))).toBeLessThan(1e-4 * (g.output_abs_sum as number));
		}, 300_000);
	});
}

describe('architecture musdb18-bs, fp16', () => {
	it('float16 body and weights run in onnxruntime-web WASM close to PyTorch', async () => {
		const g = loadGolden('arch-musdb18-bs.parity');
		const built = await buildArch(g, 'fp16');
		expect(built.bytes).toBeLessThan(0.52 * 4 * built.params);
		const { relL2, worst } = await measureParity(joinParts(built.parts, built.bytes), g, hashInput);
		console.log(`musdb18-bs fp16: ${(built.bytes / 1e6).toFixed(1)} MB, relative L2 ${relL2.toExponential(2)}, worst |diff| ${worst.toExponential(2)}`);
		expect(relL2).toBeLessThan(1e-2);
	}, 300_000);
});
