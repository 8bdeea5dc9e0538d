import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../scripts/lib/model-files';
import { classifyFiles, ImportError } from '../../src/lib/models/import/classify';
import { blobByteSource, blobParts } from '../../src/lib/models/import/files';
import { chunkFramesFor, importModel, type CheckpointConverter, type ImportDeps, type ImportProgress } from '../../src/lib/models/import/pipeline';
import { ModelStore } from '../../src/lib/models/store/store';
import type { ModelSpec, TensorMap } from '../../src/lib/models/types';
import { validateManifest } from '../../src/lib/separation/manifest';
import { MemoryFolder, MemoryRecords } from './model-store-fakes';

const dir = 'tests/fixtures/models';
const fixture = loadManifest('fixture-bs-4stem', dir);
const onnxBytes = readFileSync(`${dir}/${fixture.file}`);
const manifestText = readFileSync(`${dir}/fixture-bs-4stem.json`, 'utf8');
const file = (name: string, data: Uint8Array | string) => new File([data as BlobPart], name);

describe('classifyFiles', () => {
	const f = (name: string, size = 10) => ({ name, size });
	it('recognises the three kinds, case-insensitively', () => {
		expect(classifyFiles([f('a.YAML'), f('m.ckpt')])).toMatchObject({ kind: 'checkpoint', checkpoint: { name: 'm.ckpt' }, config: { name: 'a.YAML' } });
		expect(classifyFiles([f('m.safetensors'), f('c.yml')]).kind).toBe('checkpoint');
		expect(classifyFiles([f('m.pth'), f('c.yaml')]).kind).toBe('checkpoint');
		expect(classifyFiles([f('UVR-MDX-NET-Inst_HQ_3.onnx')])).toMatchObject({ kind: 'mdx' });
		expect(classifyFiles([f('x.json'), f('x.onnx')])).toMatchObject({ kind: 'stemsafe', onnx: { name: 'x.onnx' }, manifest: { name: 'x.json' } });
	});
	it('says what is missing or wrong', () => {
		const msg = (files: { name: string; size: number }[]) => {
			try {
				classifyFiles(files);
			} catch (e) {
				expect(e).toBeInstanceOf(ImportError);
				return (e as Error).message;
			}
			throw new Error('accepted');
		};
		expect(msg([f('m.ckpt')])).toMatch(/m\.ckpt needs its \.yaml config/);
		expect(msg([f('c.yaml')])).toMatch(/add the checkpoint/);
		expect(msg([f('song.wav')])).toMatch(/song\.wav: not a model file/);
		expect(msg([f('a.ckpt'), f('b.ckpt'), f('c.yaml')])).toMatch(/one model at a time/);
		expect(msg([f('a.ckpt'), f('c.yaml'), f('d.yaml')])).toMatch(/one \.yaml/);
		expect(msg([f('a.onnx'), f('c.yaml')])).toMatch(/goes with a checkpoint/);
		expect(msg([f('a.json')])).toMatch(/manifest alone/);
		expect(msg([f('a.ckpt', 0), f('c.yaml')])).toMatch(/a\.ckpt is empty/);
		expect(msg([])).toMatch(/No files/);
	});
});

describe('lazy file reading', () => {
	it('reads ranges and parts without reading the whole file', async () => {
		const blob = new Blob([onnxBytes]);
		const src = blobByteSource(blob);
		expect(src.size).toBe(onnxBytes.length);
		expect(await src.read(100, 50)).toEqual(new Uint8Array(onnxBytes.subarray(100, 150)));
		await expect(src.read(onnxBytes.length - 2, 5)).rejects.toThrow(RangeError);
		const got: number[] = [];
		for await (const p of blobParts(blob, undefined, 1 << 20)) got.push(p.length);
		expect(got.length).toBe(Math.ceil(onnxBytes.length / (1 << 20)));
		expect(got.reduce((a, b) => a + b)).toBe(onnxBytes.length);
	});
});

function deps(converter: CheckpointConverter | null = null, store = new ModelStore(new MemoryFolder(), new MemoryRecords())): ImportDeps & { store: ModelStore } {
	return { store, takenIds: async () => ['bsr-4stem-synth', ...(await store.list()).map((m) => m.id)], converter, caps: { webgpu: false, shaderF16: false }, now: () => new Date('2026-11-23T08:00:00Z') };
}

describe('importModel: Stemsafe .onnx + manifest', () => {
	it('verifies and stores the model with its origin', async () => {
		const d = deps();
		const stages: ImportProgress[] = [];
		const model = await importModel([file('fixture-bs-4stem.onnx', onnxBytes), file('fixture-bs-4stem.json', manifestText)], d, { onProgress: (p) => stages.push(p) });
		expect(model.id).toBe('user-fixture-bs-4stem-random-weights-test-fixture');
		expect(model.variants.fp32).toMatchObject({ bytes: fixture.bytes, sha256: fixture.sha256 });
		expect(model.origin).toEqual({ kind: 'stemsafe', files: ['fixture-bs-4stem.onnx', 'fixture-bs-4stem.json'], importedAt: '2026-11-23T08:00:00.000Z' });
		expect(stages.at(-1)).toMatchObject({ stage: 'writing', fraction: 1 });
		expect(Buffer.from(await d.store.read(model.variants.fp32)).equals(onnxBytes)).toBe(true);
		// the same files again: refused, the first stays
		await expect(importModel([file('a.onnx', onnxBytes), file('a.json', manifestText)], d)).rejects.toThrow(/already installed/);
		expect((await d.store.list()).length).toBe(1);
	});

	it('a corrupt or mismatching model is refused and installed models stay', async () => {
		const d = deps();
		await importModel([file('ok.onnx', onnxBytes), file('ok.json', manifestText)], d);
		const corrupt = new Uint8Array(onnxBytes);
		corrupt[1000] ^= 0xff;
		await expect(importModel([file('bad.onnx', corrupt), file('bad.json', manifestText)], d)).rejects.toThrow(/does not match its manifest/);
		await expect(importModel([file('cut.onnx', onnxBytes.subarray(0, 5000)), file('cut.json', manifestText)], d)).rejects.toThrow(/has 5000 bytes but cut\.json expects 4116843/);
		await expect(importModel([file('x.onnx', onnxBytes), file('x.json', '{"id": 1')], d)).rejects.toThrow(/x\.json is not a valid JSON manifest/);
		await expect(importModel([file('x.onnx', onnxBytes), file('x.json', '{"id": "x"}')], d)).rejects.toThrow(/not a Stemsafe model manifest \(model manifest has bad fields: file, sha256/);
		const list = await d.store.list();
		expect(list.map((m) => m.origin.files[0])).toEqual(['ok.onnx']);
	});

	it('cancel stops the import and leaves nothing', async () => {
		const folder = new MemoryFolder();
		const d = deps(null, new ModelStore(folder, new MemoryRecords()));
		const ctrl = new AbortController();
		const big = new Uint8Array(20 << 20);
		const m = { ...JSON.parse(manifestText), bytes: big.length };
		const p = importModel([file('big.onnx', big), file('big.json', JSON.stringify(m))], d, {
			signal: ctrl.signal,
			onProgress: (s) => s.stage === 'writing' && ctrl.abort()
		});
		await expect(p).rejects.toThrow(/abort/i);
		expect(folder.files.size).toBe(0);
		expect(await d.store.list()).toEqual([]);
	});

	it('a Stemsafe .onnx without its manifest is not taken for an MDX-Net model', async () => {
		await expect(importModel([file('mystery.onnx', onnxBytes)], deps())).rejects.toThrow(
			/^mystery\.onnx: not a UVR MDX-Net model: expected one input \[batch, 4, dim_f, dim_t\] and one output, found inputs stft \[1, 2, 1025, 41, 2\]\. A Stemsafe model needs its \.json manifest/
		);
	});
});

/** A converter double with the CheckpointConverter contract: records what the pipeline asks for. */
function fakeConverter(opts: { badYaml?: boolean; buildError?: string; fp16?: boolean } = {}) {
	const calls: string[] = [];
	const spec: ModelSpec = {
		config: { arch: 'bs_roformer', dim: 8, depth: 1, stereo: true, numStems: 1, timeTransformerDepth: 1, freqTransformerDepth: 1, freqsPerBands: [1025], dimHead: 4, heads: 2, dimFreqsIn: 1025, sampleRate: 44100, nFft: 2048, hopLength: 441, winLength: 2048, maskEstimatorDepth: 1, mlpExpansionFactor: 2, zeroDc: true },
		stems: ['vocals', 'other'],
		residualStem: 'other',
		chunkFrames: 801
	};
	const converter: CheckpointConverter = {
		fp16: opts.fp16 ?? true,
		parseConfig(yaml) {
			calls.push(`config`);
			if (opts.badYaml) throw new Error('model.dim is missing');
			expect(yaml).toContain('dim');
			return spec;
		},
		async readCheckpoint(src, name) {
			calls.push(`read ${name} ${src.size}`);
			const head = await src.read(0, 2);
			if (head[0] !== 0x50) throw new Error('not a zip archive (truncated or not a PyTorch checkpoint)');
			return new Map() as TensorMap;
		},
		async build(s, _w, { precision, onProgress, signal }) {
			calls.push(`build ${precision}`);
			signal?.throwIfAborted();
			onProgress?.(0.5);
			if (opts.buildError) throw new Error(opts.buildError);
			const parts = [new Uint8Array(1000).fill(precision === 'fp32' ? 1 : 2), new Uint8Array(500).fill(3)];
			return { parts, bytes: 1500, params: 777 };
		}
	};
	return { converter, calls, spec };
}

describe('importModel: checkpoint + yaml', () => {
	const ckpt = file('model_bs_roformer_ep_317.ckpt', new Uint8Array([0x50, 0x4b, 3, 4, 9, 9]));
	const yaml = file('config.yaml', 'model:\n  dim: 8\n');

	it('converts and stores fp32, plus fp16 when WebGPU has shader-f16; manifest from the spec', async () => {
		const { converter, calls } = fakeConverter();
		const d = { ...deps(converter), caps: { webgpu: true, shaderF16: true } };
		const model = await importModel([ckpt, yaml], d);
		expect(calls).toEqual(['read model_bs_roformer_ep_317.ckpt 6', 'config', 'build fp32', 'build fp16']);
		expect(model.params).toBe(777);
		expect(model.variants.fp16?.bytes).toBe(1500);
		const m = validateManifest(model.manifest);
		expect(m).toMatchObject({ id: 'user-model-bs-roformer-ep-317', architecture: 'bs_roformer', stems: ['vocals', 'other'], residualStem: 'other', chunk: { frames: 801, samples: 800 * 441 }, channels: 2, bytes: 1500 });
		expect((m.training as { params: number }).params).toBe(777);
		expect(model.origin.files).toEqual(['model_bs_roformer_ep_317.ckpt', 'config.yaml']);
	});

	it('a shorter chunk on request, never longer than the config', async () => {
		const { converter, spec } = fakeConverter();
		expect(chunkFramesFor(spec, 2)).toBe(201);
		expect(chunkFramesFor(spec, 20)).toBe(801);
		expect(chunkFramesFor(spec, 0.001)).toBe(2);
		const model = await importModel([ckpt, yaml], deps(converter), { chunkSeconds: 2 });
		expect(model.manifest.chunk).toEqual({ frames: 201, samples: 200 * 441 });
	});

	it('WASM-only devices get fp32 only', async () => {
		const { converter, calls } = fakeConverter();
		const model = await importModel([ckpt, yaml], deps(converter));
		expect(calls.filter((c) => c.startsWith('build'))).toEqual(['build fp32']);
		expect(model.variants.fp16).toBeUndefined();
	});

	it('bad yaml, corrupt checkpoint and weights that do not fit give sentences naming the file; nothing changes', async () => {
		const store = new ModelStore(new MemoryFolder(), new MemoryRecords());
		await importModel([file('ok.onnx', onnxBytes), file('ok.json', manifestText)], deps(null, store));
		const before = await store.list();
		await expect(importModel([ckpt, yaml], deps(fakeConverter({ badYaml: true }).converter, store))).rejects.toThrow('config.yaml: model.dim is missing');
		await expect(importModel([file('x.ckpt', 'garbage'), yaml], deps(fakeConverter().converter, store))).rejects.toThrow(/x\.ckpt could not be read: not a zip archive/);
		await expect(importModel([ckpt, yaml], deps(fakeConverter({ buildError: 'missing keys: layers.0.0' }).converter, store))).rejects.toThrow(
			'model_bs_roformer_ep_317.ckpt does not fit config.yaml: missing keys: layers.0.0'
		);
		expect(await store.list()).toEqual(before);
		expect(await store.sweep()).toEqual([]);
	});

	it('cancel during conversion leaves nothing', async () => {
		const { converter } = fakeConverter();
		const folder = new MemoryFolder();
		const ctrl = new AbortController();
		const d = deps(converter, new ModelStore(folder, new MemoryRecords()));
		await expect(importModel([ckpt, yaml], d, { signal: ctrl.signal, onProgress: (p) => p.stage === 'converting' && ctrl.abort() })).rejects.toThrow(/abort/i);
		expect(folder.files.size).toBe(0);
	});
});
