// The import pipeline with the real converter (checkpoint reader, yaml mapping, TS ONNX builder) on a
// small ZFTurbo-style checkpoint (tests/fixtures/checkpoints/tiny-bs.ckpt + .yaml, from
// tools/make_checkpoint_fixtures.py): the stored model is checked against PyTorch (tests/golden/ckpt-tiny-bs.parity.json) and the
// manifest tools/convert.py writes for the same files (tests/golden/tiny-bs.convert-py-manifest.json, from
//   /usr/bin/python3 tools/convert.py --arch bs_roformer --checkpoint tests/fixtures/checkpoints/tiny-bs.ckpt
//     --config tests/fixtures/checkpoints/tiny-bs.yaml --id tiny-bs --name tiny-bs --out /tmp/x --golden /tmp/x).
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { checkpointConverter } from '../../src/lib/models/import/converter';
import { importModel, type ImportDeps } from '../../src/lib/models/import/pipeline';
import { ModelStore } from '../../src/lib/models/store/store';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { separateAudio } from '../../src/lib/separation/pipeline';
import { measureParity } from './ort-parity';
import { MemoryFolder, MemoryRecords } from './model-store-fakes';

const dir = 'tests/fixtures/checkpoints';
const file = (name: string, data: Uint8Array | string = readFileSync(`${dir}/${name}`)) => new File([data as BlobPart], name);
const reference = JSON.parse(readFileSync('tests/golden/tiny-bs.convert-py-manifest.json', 'utf8'));

function setup(shaderF16: boolean) {
	const folder = new MemoryFolder();
	const store = new ModelStore(folder, new MemoryRecords());
	const deps: ImportDeps = {
		store,
		takenIds: async () => (await store.list()).map((m) => m.id),
		converter: checkpointConverter(),
		caps: { webgpu: shaderF16, shaderF16 }
	};
	return { folder, store, deps };
}

describe('importing a ZFTurbo checkpoint + yaml', () => {
	it('stores a model that matches PyTorch (fp32 to 1e-4), with the manifest tools/convert.py writes', async () => {
		const { store, deps } = setup(true);
		const model = await importModel([file('tiny-bs.ckpt'), file('tiny-bs.yaml')], deps);
		for (const key of ['architecture', 'sampleRate', 'channels', 'stems', 'residualStem', 'stft', 'chunk', 'io']) {
			expect((model.manifest as unknown as Record<string, unknown>)[key], key).toEqual(reference[key]);
		}
		expect(model.params).toBe(reference.training.params);
		expect(model.overlap).toBe(0.5); // tiny-bs.yaml: inference.num_overlap 2
		expect(model.origin.files).toEqual(['tiny-bs.ckpt', 'tiny-bs.yaml']);
		expect(model.variants.fp16).toBeDefined();
		expect(model.variants.fp16!.bytes).toBeLessThan(model.variants.fp32.bytes);

		const fp32 = await measureParity(new Uint8Array(await store.read(model.variants.fp32)), 'ckpt-tiny-bs.parity');
		const fp16 = await measureParity(new Uint8Array(await store.read(model.variants.fp16!)), fp32.golden);
		expect(fp32.worst).toBeLessThan(1e-4);
		expect(fp16.relL2).toBeLessThan(1e-2); // fp16 body: relative L2 error
	});

	it('separates audio with the stored model (the residual makes the stems sum to the mix)', async () => {
		const { store, deps } = setup(false);
		const model = await importModel([file('tiny-bs.ckpt'), file('tiny-bs.yaml')], deps);
		const session = await ortSessionFactory(ort, new Uint8Array(await store.read(model.variants.fp32)))('wasm');
		const n = 4000;
		const mix = [0, 1].map((c) => Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(0.01 * i * (c + 1)) + 0.1 * Math.sin(0.2 * i)));
		const result = await separateAudio({ sampleRate: 44100, channels: mix }, model.manifest, (x, d) => session.run(x, d), { overlapFraction: 0.5 });
		await session.release();
		expect(result.stems.map((s) => s.name)).toEqual(['vocals', 'other']);
		for (let c = 0; c < 2; c++) for (let i = 0; i < n; i += 97) expect(result.stems[0].channels[c][i] + result.stems[1].channels[c][i]).toBeCloseTo(mix[c][i], 5);
	});

	it('a mismatching yaml, a truncated checkpoint or a wrong file: clear messages, installed models untouched', async () => {
		const { store, folder, deps } = setup(false);
		await importModel([file('tiny-bs.ckpt'), file('tiny-bs.yaml')], deps);
		const before = await store.list();
		const files = [...folder.files.keys()];
		await expect(importModel([file('tiny-bs.ckpt'), file('tiny-mel.yaml')], deps)).rejects.toThrow(
			"tiny-mel.yaml: the checkpoint's weights are a BS-Roformer, but the config describes a Mel-Band-Roformer"
		);
		const yaml = readFileSync(`${dir}/tiny-bs.yaml`, 'utf8').replace('  dim: 8\n', '  dim: 16\n');
		await expect(importModel([file('tiny-bs.ckpt'), file('wider.yaml', yaml)], deps)).rejects.toThrow(/^tiny-bs\.ckpt does not fit wider\.yaml: the checkpoint does not match the BS-Roformer configuration \(dim 16, depth 1\): \d+ shape mismatches/);
		const ckpt = readFileSync(`${dir}/tiny-bs.ckpt`);
		await expect(importModel([file('cut.ckpt', ckpt.subarray(0, ckpt.length - 3000)), file('tiny-bs.yaml')], deps)).rejects.toThrow(/^cut\.ckpt could not be read: /);
		await expect(importModel([file('song.ckpt', 'RIFF....WAVEfmt '), file('tiny-bs.yaml')], deps)).rejects.toThrow('song.ckpt could not be read: not a checkpoint');
		expect(await store.list()).toEqual(before);
		expect([...folder.files.keys()]).toEqual(files);
	});
});
