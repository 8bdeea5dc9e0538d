// The TypeScript ONNX builder (src/lib/models/onnx) on the converter fixtures: the same random-weight
// checkpoints tools/make_fixture_models.py converted with PyTorch (weights in
// tests/fixtures/models/<id>.safetensors, from tools/make_fixture_weights.py), built here, run by
// onnxruntime-web WASM and compared with the same parity goldens to 1e-4; fp16 builds compared too.
// Plus the builder's contracts: key/shape errors, WebGPU buffer limits, progress and cancel.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRoformerOnnx, expectedKeys } from '../../src/lib/models/onnx';
import { bandRows, bandRuns } from '../../src/lib/models/onnx/bands';
import { splitWideConcats, widestBuffers } from '../../src/lib/models/onnx/concat-tree';
import { float16Bits, type NodeDef } from '../../src/lib/models/onnx/graph';
import type { ModelSpec, RoformerConfig, TensorMap } from '../../src/lib/models/types';
import { fixturesDir, loadManifest } from '../../scripts/lib/model-files';
import { joinParts, readSafetensors, summarize } from './onnx-test-utils';
import { expectFp32Parity, measureParity } from './ort-parity';

// tools/make_fixture_models.py FIXTURES, as the yaml mapping reads them
const common = {
	dim: 16,
	depth: 1,
	stereo: true,
	timeTransformerDepth: 1,
	freqTransformerDepth: 1,
	dimHead: 16,
	heads: 2,
	dimFreqsIn: 1025,
	sampleRate: 44100,
	nFft: 2048,
	winLength: 2048,
	mlpExpansionFactor: 1,
	zeroDc: false
};
const FIXTURES: Record<string, RoformerConfig> = {
	'fixture-mel-band-vocals': { ...common, arch: 'mel_band_roformer', numStems: 1, numBands: 60, hopLength: 512, maskEstimatorDepth: 1 },
	'fixture-bs-4stem': {
		...common,
		arch: 'bs_roformer',
		numStems: 4,
		hopLength: 441,
		maskEstimatorDepth: 2,
		freqsPerBands: [...Array(24).fill(2), ...Array(12).fill(4), ...Array(8).fill(12), ...Array(8).fill(24), ...Array(8).fill(48), 128, 129]
	}
};

function fixture(id: string): { spec: ModelSpec; weights: TensorMap } {
	const m = loadManifest(id, fixturesDir);
	const spec: ModelSpec = { config: FIXTURES[id], stems: m.stems, residualStem: m.residualStem, chunkFrames: m.chunk.frames };
	return { spec, weights: readSafetensors(join(fixturesDir, `${id}.safetensors`)) };
}

async function compare(id: string, precision: 'fp32' | 'fp16') {
	const { spec, weights } = fixture(id);
	const built = await buildRoformerOnnx(spec, weights, { precision });
	const bytes = joinParts(built.parts, built.bytes);
	const { worst, peak, relL2 } = await measureParity(bytes, `${id}.parity`);
	console.log(`${id} ${precision}: ${built.bytes} bytes, ${built.params} params, worst |diff| ${worst.toExponential(2)}, relative L2 ${relL2.toExponential(2)} (peak ${peak.toFixed(3)})`);
	return { built, bytes, worst, peak, relL2 };
}

for (const id of Object.keys(FIXTURES)) {
	describe(`builder on converter fixture ${id}`, () => {
		it('fp32 matches the PyTorch parity golden to 1e-4', async () => {
			const { worst, peak, built, bytes } = await compare(id, 'fp32');
			expectFp32Parity({ worst, peak });
			const s = summarize(bytes);
			expect(s.opset).toBe(17);
			expect(widestBuffers(s.nodes.map((n) => ({ opType: n.op, inputs: Array(n.inputs).fill(''), outputs: Array(n.outputs).fill(''), name: '', attrs: {} })))).toBeLessThanOrEqual(8);
			expect(s.nodes.some((n) => n.op === 'ScatterElements' || n.op === 'ScatterND')).toBe(false);
			expect(built.params).toBe([...fixture(id).weights.values()].reduce((a, e) => a + e.shape.reduce((x, y) => x * y, 1), 0));
			expect(expectedKeys(FIXTURES[id]).sort()).toEqual([...fixture(id).weights.keys()].sort());
		}, 120_000);

		it('fp16: float16 weights and body, float32 input/output, close to PyTorch', async () => {
			const fp32 = await buildRoformerOnnx(fixture(id).spec, fixture(id).weights, { precision: 'fp32' });
			const { bytes, relL2, peak, worst } = await compare(id, 'fp16');
			expect(bytes.length).toBeLessThan(0.6 * fp32.bytes);
			const s = summarize(bytes);
			const floats = s.initializers.filter((i) => i.type === 1);
			// float32 only at the boundary: the padding row of the input, the mask-averaging divisors and the norm epsilon
			expect(floats.map((i) => i.name).filter((n) => !/^(zero_row|bands_per_row|c_1e-12)/.test(n))).toEqual([]);
			// the weights are float16: float32 constants are under 1 % of the values
			const numelOf = (list: { dims: number[] }[]) => list.reduce((a, i) => a + i.dims.reduce((x, y) => x * y, 1), 0);
			expect(numelOf(s.initializers.filter((i) => i.type === 10))).toBeGreaterThan(0.9 * fp32.params);
			expect(numelOf(floats)).toBeLessThan(0.01 * fp32.params);
			expect(relL2).toBeLessThan(1e-2);
			expect(worst).toBeLessThan(2e-2 * Math.max(1, peak));
		}, 120_000);
	});
}

describe('builder contracts', () => {
	it('names missing, unexpected and mis-shaped keys', async () => {
		const { spec, weights } = fixture('fixture-bs-4stem');
		const broken: TensorMap = new Map(weights);
		broken.delete('final_norm.gamma');
		broken.delete('band_split.to_features.3.1.bias');
		const extra = weights.get('final_norm.gamma')!;
		broken.set('model.extra.weight', { ...extra, name: 'model.extra.weight' });
		const q = weights.get('layers.0.0.layers.0.0.to_qkv.weight')!;
		broken.set(q.name, { ...q, shape: [q.shape[1], q.shape[0]] });
		const error = await buildRoformerOnnx(spec, broken, { precision: 'fp32' }).catch((e: Error) => e);
		expect(error).toBeInstanceOf(Error);
		const msg = (error as Error).message;
		expect(msg).toMatch(/2 missing keys: final_norm\.gamma, band_split\.to_features\.3\.1\.bias/);
		expect(msg).toMatch(/1 unexpected key: model\.extra\.weight/);
		expect(msg).toMatch(/layers\.0\.0\.layers\.0\.0\.to_qkv\.weight is \[16, 96\], expected \[96, 16\]/);
	});

	it('rejects a Mel-Band checkpoint given a BS-Roformer config', async () => {
		const { spec } = fixture('fixture-bs-4stem');
		const { weights } = fixture('fixture-mel-band-vocals');
		await expect(buildRoformerOnnx(spec, weights, { precision: 'fp32' })).rejects.toThrow(/does not match the BS-Roformer configuration.*missing keys/);
	});

	it('rejects unsupported configurations', async () => {
		const { spec, weights } = fixture('fixture-bs-4stem');
		const bad = { ...spec, config: { ...spec.config, freqsPerBands: [2, 2] } };
		await expect(buildRoformerOnnx(bad, weights, { precision: 'fp32' })).rejects.toThrow(/freqs_per_bands sums to 4/);
	});

	it('reports progress up to 1 and can be cancelled', async () => {
		const { spec, weights } = fixture('fixture-mel-band-vocals');
		const seen: number[] = [];
		await buildRoformerOnnx(spec, weights, { precision: 'fp32', onProgress: (f) => seen.push(f) });
		expect(seen.length).toBeGreaterThan(100);
		expect(seen.every((f, i) => f >= (seen[i - 1] ?? 0) && f <= 1)).toBe(true);
		expect(seen.at(-1)).toBe(1);
		const controller = new AbortController();
		const run = buildRoformerOnnx(spec, weights, { precision: 'fp32', onProgress: (f) => f > 0.3 && controller.abort() , signal: controller.signal });
		await expect(run).rejects.toMatchObject({ name: 'AbortError' });
	});

	it('splits wide Concats into trees of at most 6 inputs', () => {
		const nodes: NodeDef[] = [{ opType: 'Concat', inputs: Array.from({ length: 62 }, (_, i) => `b${i}`), outputs: ['y'], name: 'c', attrs: { axis: 1 } }];
		expect(splitWideConcats(nodes)).toBe(1);
		expect(widestBuffers(nodes)).toBeLessThanOrEqual(7);
		expect(nodes.at(-1)!.outputs).toEqual(['y']);
		const leaves = nodes.flatMap((n) => n.inputs).filter((i) => i.startsWith('b'));
		expect(leaves).toEqual(Array.from({ length: 62 }, (_, i) => `b${i}`)); // order kept
	});

	it('converts float32 to float16 with round-to-nearest-even', () => {
		expect(float16Bits(1)).toBe(0x3c00);
		expect(float16Bits(-2)).toBe(0xc000);
		expect(float16Bits(65504)).toBe(0x7bff);
		expect(float16Bits(70000)).toBe(0x7c00);
		expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway, to even
		expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
		expect(float16Bits(2 ** -24)).toBe(1); // smallest subnormal
		expect(float16Bits(2 ** -14)).toBe(0x0400);
		expect(float16Bits(NaN) & 0x7c00).toBe(0x7c00);
	});
});

describe('band runs (batched band split and mask estimators)', () => {
	it('keeps equal widths together without padding and pads near-equal ones only when a run costs more', () => {
		// BS-Roformer's default bands (features = 4 x bins for stereo): 7 runs, no padding
		const bs = [...Array(24).fill(8), ...Array(12).fill(16), ...Array(8).fill(48), ...Array(8).fill(96), ...Array(8).fill(192), 512, 516];
		const runs = bandRuns(bs);
		expect(runs.map((r) => [r.count, r.width])).toEqual([
			[24, 8],
			[12, 16],
			[8, 48],
			[8, 96],
			[8, 192],
			[2, 516]
		]);
		expect(runs.reduce((n, r) => n + r.count, 0)).toBe(bs.length);
		// near-equal neighbours share a run; a far wider band gets its own
		expect(bandRuns([24, 24, 28, 24, 400]).map((r) => [r.first, r.count, r.width])).toEqual([
			[0, 4, 28],
			[4, 1, 400]
		]);
	});
	it('every spectrum row is read by exactly one BS-Roformer band, each band in upstream feature order (f, s, re/im)', () => {
		const config = { ...common, arch: 'bs_roformer', numStems: 1, freqsPerBands: [2, 3, 1020], zeroDc: false } as RoformerConfig;
		const rows = bandRows({ config } as Parameters<typeof bandRows>[0]);
		expect(rows.map((r) => r.length)).toEqual([8, 12, 4080]);
		// band 0: bins 0 and 1; stereo rows are (s * F + f) * 2 + part
		expect(rows[0]).toEqual([0, 1, 2050, 2051, 2, 3, 2052, 2053]);
		expect(new Set(rows.flat()).size).toBe(2 * 1025 * 2);
	});
});
