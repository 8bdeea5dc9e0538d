// UVR's tail hash (MD5 itself: hash.test.ts), the bundled table.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesSource } from '../../src/lib/models/byte-source';
import { identifyMdxModel, secondaryStemOf, uvrDisplayName, uvrModelHash, validateMdxSettings, UVR_HASH_BYTES } from '../../src/lib/models/mdx';
import { UVR_MDX_MODEL_DATA, UVR_MDX_MODEL_NAMES } from '../../src/lib/models/mdx/uvr-model-data';
import { randomBytes } from './signals';

describe("UVR's model hash and table", () => {
	it('hashes the last 10,000 x 1024 bytes, or the whole file when smaller', async () => {
		const big = randomBytes(UVR_HASH_BYTES + 12345, 7);
		expect(await uvrModelHash(bytesSource(big))).toBe(createHash('md5').update(big.subarray(12345)).digest('hex'));
		const small = randomBytes(5000, 9);
		expect(await uvrModelHash(bytesSource(small))).toBe(createHash('md5').update(small).digest('hex'));
	});

	it('the bundled table is UVR model_data.json, and every MDX-Net entry gives valid settings', () => {
		const json = JSON.parse(readFileSync('tests/fixtures/model-configs/uvr-mdx-model_data.json', 'utf8'));
		expect(UVR_MDX_MODEL_DATA).toEqual(json);
		expect(UVR_MDX_MODEL_NAMES).toEqual(JSON.parse(readFileSync('tests/fixtures/model-configs/uvr-mdx-model_name_mapper.json', 'utf8')));
		let n = 0;
		for (const e of Object.values(UVR_MDX_MODEL_DATA)) {
			if (e.config_yaml) continue;
			const s = validateMdxSettings({ nFft: e.mdx_n_fft_scale_set, dimF: e.mdx_dim_f_set, dimT: 2 ** e.mdx_dim_t_set!, compensate: e.compensate, primaryStem: e.primary_stem });
			expect(s.dimF).toBeLessThanOrEqual(s.nFft / 2 + 1);
			n++;
		}
		expect(n).toBe(41);
	});

	it('identifies a file by its hash: settings, MDX23C, unknown', async () => {
		const file = randomBytes(3000, 3);
		const hash = createHash('md5').update(file).digest('hex');
		const known = await identifyMdxModel(bytesSource(file), 'Kim_Vocal_2.onnx', {
			[hash]: { compensate: 1.009, mdx_dim_f_set: 3072, mdx_dim_t_set: 8, mdx_n_fft_scale_set: 7680, primary_stem: 'Vocals' }
		});
		expect(known).toEqual({
			status: 'known',
			hash,
			name: 'Kim Vocal 2',
			settings: { nFft: 7680, dimF: 3072, dimT: 256, compensate: 1.009, primaryStem: 'Vocals', secondaryStem: 'Instrumental', isKaraoke: false }
		});
		const c = await identifyMdxModel(bytesSource(file), 'x.ckpt', { [hash]: { config_yaml: 'model_2_stem_061321.yaml' } });
		expect(c.status).toBe('mdx23c');
		const u = await identifyMdxModel(bytesSource(file), 'mine.onnx');
		expect(u).toEqual({ status: 'unknown', hash, name: null });
	});

	it('names and stem pairs', () => {
		expect(uvrDisplayName('/x/UVR-MDX-NET-Inst_HQ_3.onnx')).toBe('UVR-MDX-NET Inst HQ 3');
		expect(secondaryStemOf('Instrumental')).toBe('Vocals');
		expect(secondaryStemOf('Other')).toBe('No Other');
		expect(secondaryStemOf('No Drums')).toBe('Drums');
	});

	it('settings a user typed are checked with clear messages', () => {
		expect(() => validateMdxSettings({ nFft: 6000.5, dimF: 2048, dimT: 256, compensate: 1, primaryStem: 'Vocals' })).toThrow(/n_fft must be/);
		expect(() => validateMdxSettings({ nFft: 4096, dimF: 3072, dimT: 256, compensate: 1, primaryStem: 'Vocals' })).toThrow(/dim_f must be/);
		expect(() => validateMdxSettings({ nFft: 4096, dimF: 2048, dimT: 200, compensate: 1, primaryStem: 'Vocals' })).toThrow(/dim_t must be a power of two/);
		expect(() => validateMdxSettings({ nFft: 4096, dimF: 2048, dimT: 256, compensate: 0, primaryStem: '' })).toThrow(/compensate.*primary stem/);
	});
});

describe('an MDX-Net ONNX interface, read without loading the file', () => {
	const fixtures = 'tests/fixtures/models/';
	it('finds [batch, 4, dim_f, dim_t] and checks settings against it', async () => {
		const { readOnnxInterface } = await import('../../src/lib/models/onnx-info');
		const { checkMdxSettingsFitModel, mdxInputShape } = await import('../../src/lib/models/mdx');
		const iface = await readOnnxInterface(bytesSource(new Uint8Array(readFileSync(fixtures + 'mdx-linear.onnx'))));
		expect(iface.inputs).toEqual([{ name: 'input', elemType: 1, dims: ['batch', 4, 64, 16] }]);
		expect(iface.outputs.map((o) => o.name)).toEqual(['output']);
		expect(mdxInputShape(iface)).toEqual({ inputName: 'input', dimF: 64, dimT: 16 });
		const settings = validateMdxSettings({ nFft: 4096, dimF: 64, dimT: 16 * 16, compensate: 1, primaryStem: 'Vocals' });
		expect(() => checkMdxSettingsFitModel(settings, iface)).toThrow(/dim_t = 16 frames, the settings say 256/);
		const roformer = await readOnnxInterface(bytesSource(new Uint8Array(readFileSync(fixtures + 'fixture-bs-4stem.onnx'))));
		expect(roformer.inputs[0].name).toBe('stft');
		expect(() => mdxInputShape(roformer)).toThrow(/not a UVR MDX-Net model: .*stft \[1, 2, 1025/);
		await expect(readOnnxInterface(bytesSource(new Uint8Array(readFileSync(fixtures + 'mdx-linear.onnx')).subarray(0, 700)))).rejects.toThrow(/truncated|malformed/);
	});
});

