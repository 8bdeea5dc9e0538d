// UVR MDX-Net import and separation through the app's pipeline: a small ONNX with MDX-Net's
// interface (input [1, 4, dim_f, dim_t] -> same shape; here "half of the spectrum", built with
// the TS graph builder), not in UVR's table, imported with user-entered settings, stored, then
// separated by separateAudio (which dispatches to UVR's demix for mdx_net manifests).
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { importModel } from '../../src/lib/models/import/pipeline';
import { MdxSettingsNeeded, identifyMdx, mdxManifest } from '../../src/lib/models/import/mdx';
import { bytesSource } from '../../src/lib/models/byte-source';
import { Graph } from '../../src/lib/models/onnx/graph';
import { joinParts, serializeModel } from '../../src/lib/models/onnx/serialize';
import { ModelStore } from '../../src/lib/models/store/store';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { separateAudio } from '../../src/lib/separation/pipeline';
import { validateManifest } from '../../src/lib/separation/manifest';
import { MemoryFolder, MemoryRecords } from './model-store-fakes';

const settings = { nFft: 4096, dimF: 256, dimT: 8, compensate: 1, primaryStem: 'Vocals' };

async function halfModel(): Promise<Uint8Array> {
	const g = new Graph('float32');
	const dims = [1, 4, settings.dimF, settings.dimT];
	const x = g.input('input', 'float32', dims);
	g.output(g.op('Mul', [x, g.scalar(0.5)]), 'output', 'float32', dims);
	const { parts, bytes } = await serializeModel(g);
	return joinParts(parts, bytes);
}

describe('UVR MDX-Net import', () => {
	it('manifests: UVR settings become hop 1024, dim_t frames, mix-minus-primary residual', () => {
		const m = mdxManifest({ ...settings, nFft: 7680, dimF: 3072, dimT: 256, compensate: 1.035, secondaryStem: 'Instrumental', isKaraoke: false }, { id: 'user-x', name: 'Kim Vocal 2', from: 'Kim_Vocal_2.onnx', hash: 'abc', known: true });
		expect(m).toMatchObject({ architecture: 'mdx_net', stems: ['vocals', 'instrumental'], residualStem: 'instrumental', stft: { nFft: 7680, hopLength: 1024 }, chunk: { frames: 256, samples: 255 * 1024 }, mdx: { dimF: 3072, dimT: 256, compensate: 1.035 } });
		expect(() => validateManifest({ ...m, mdx: { ...m.mdx!, dimT: 128 } })).toThrow(/mdx/);
		expect(() => validateManifest({ ...m, architecture: 'bs_roformer' })).toThrow(/stft/); // n_fft 7680 is not a power of two
	});

	it('imports an unknown model with entered settings and separates with it', async () => {
		const onnx = await halfModel();
		const store = new ModelStore(new MemoryFolder(), new MemoryRecords());
		const deps = { store, takenIds: async () => [], converter: null, caps: { webgpu: false, shaderF16: false } };
		const asked = await importModel([new File([onnx as BlobPart], 'my-mdx.onnx')], deps).catch((e) => e);
		expect(asked).toBeInstanceOf(MdxSettingsNeeded);
		expect(asked.message).toMatch(/^my-mdx\.onnx is not in Ultimate Vocal Remover's MDX-Net model table\. Enter its settings/);
		expect(asked.suggested).toEqual({ dimF: 256, dimT: 8 });
		await expect(importModel([new File([onnx as BlobPart], 'my-mdx.onnx')], deps, { mdxSettings: { ...settings, dimF: 512 } })).rejects.toThrow(
			'my-mdx.onnx: the model takes dim_f = 256 frequency bins, the settings say 512.'
		);
		await expect(importModel([new File([onnx as BlobPart], 'my-mdx.onnx')], deps, { mdxSettings: { ...settings, dimT: 100 } })).rejects.toThrow(/^MDX-Net settings: dim_t must be a power of two/);
		expect(await store.list()).toEqual([]);
		const model = await importModel([new File([onnx as BlobPart], 'my-mdx.onnx')], deps, { mdxSettings: settings });
		expect(model.origin).toMatchObject({ kind: 'mdx', files: ['my-mdx.onnx'] });
		expect(model.manifest).toMatchObject({ id: 'user-my-mdx', stems: ['vocals', 'instrumental'], mdx: { dimF: 256, dimT: 8, compensate: 1 } });
		expect(model.manifest.description).toContain('settings entered by the user');

		const session = await ortSessionFactory(ort, new Uint8Array(await store.read(model.variants.fp32)))('wasm');
		const n = 44100;
		const tone = (f: number, a: number) => Float32Array.from({ length: n }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / 44100));
		const mix = [tone(1000, 0.5), tone(1500, 0.3)];
		const result = await separateAudio({ sampleRate: 44100, channels: mix }, model.manifest, (x, d) => session.run(x, d), { overlapFraction: 0.5 });
		await session.release();
		expect(result.stems.map((s) => s.name)).toEqual(['vocals', 'instrumental']);
		for (let c = 0; c < 2; c++) {
			let err = 0;
			let ref = 0;
			for (let i = 4096; i < n - 4096; i++) {
				err += (result.stems[0].channels[c][i] - 0.5 * mix[c][i]) ** 2;
				ref += (0.5 * mix[c][i]) ** 2;
				expect(result.stems[0].channels[c][i] + result.stems[1].channels[c][i]).toBeCloseTo(mix[c][i], 5);
			}
			// a tone inside dim_f: the "model" halves it, so vocals = instrumental = mix / 2
			expect(Math.sqrt(err / ref)).toBeLessThan(1e-3);
		}
	});

	it('a file that is not an ONNX model gets plain words, not the protobuf reader’s', async () => {
		const model = await halfModel();
		for (const bytes of [Uint8Array.of(0x0f, 1, 2, 3), model.subarray(0, 40)]) {
			const error = await identifyMdx(bytesSource(bytes), 'song.onnx', null).then(
				() => null,
				(e: Error) => e.message
			);
			expect(error).toContain('song.onnx is not a readable ONNX model: the file is damaged, cut short by an incomplete download, or not a model.');
			expect(error).not.toMatch(/wire type|varint|malformed/);
		}
	});
});
