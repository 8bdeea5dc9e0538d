// config.ts against tools/convert.py's read_config and the Python model constructors' defaults
// (tools/make_checkpoint_fixtures.py wrote read_config.expected.json), plus the refusals.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { acceptedModelKeys, archFromKeys, ConfigError, specFromConfig, specFromTrainConfig, specFromYaml } from '../../src/lib/models/config';
import { parseYaml } from '../../src/lib/models/yaml';

const dir = fileURLToPath(new URL('../fixtures/model-configs/', import.meta.url));
const expected = JSON.parse(readFileSync(dir + 'read_config.expected.json', 'utf8')) as Record<
	string,
	{ arch: string; stems: string[]; residual: string | null; sample_rate: number; chunk_frames: number; model: Record<string, unknown> }
>;
const text = (f: string) => readFileSync(dir + f, 'utf8');

describe('specFromYaml matches tools/convert.py on the upstream configs', () => {
	expect(Object.keys(expected).length).toBe(9);
	for (const [file, exp] of Object.entries(expected)) {
		it(file, () => {
			const spec = specFromYaml(text(file));
			const c = spec.config;
			const m = exp.model;
			expect(c.arch).toBe(exp.arch);
			expect(spec.stems).toEqual(exp.stems);
			expect(spec.residualStem).toBe(exp.residual);
			expect(spec.chunkFrames).toBe(exp.chunk_frames);
			expect({
				dim: c.dim,
				depth: c.depth,
				stereo: c.stereo,
				num_stems: c.numStems,
				time_transformer_depth: c.timeTransformerDepth,
				freq_transformer_depth: c.freqTransformerDepth,
				dim_head: c.dimHead,
				heads: c.heads,
				dim_freqs_in: c.dimFreqsIn,
				stft_n_fft: c.nFft,
				stft_hop_length: c.hopLength,
				stft_win_length: c.winLength,
				mask_estimator_depth: c.maskEstimatorDepth,
				mlp_expansion_factor: c.mlpExpansionFactor,
				zero_dc: c.zeroDc,
				...(c.arch === 'bs_roformer' ? { freqs_per_bands: c.freqsPerBands } : { num_bands: c.numBands, sample_rate: c.sampleRate })
			}).toEqual(
				Object.fromEntries(
					Object.entries(m).filter(([k]) => !['linear_transformer_depth', 'stft_normalized', 'skip_connection', 'attn_dropout', 'ff_dropout'].includes(k))
				)
			);
			expect(c.zeroDc).toBe(true); // upstream default when the yaml does not say
		});
	}
});

describe('architecture', () => {
	const bsKeys = ['final_norm.gamma', 'layers.0.0.layers.0.0.norm.gamma'];
	const melKeys = ['layers.0.0.norm.gamma', 'layers.0.0.layers.0.0.norm.gamma'];
	it('from the checkpoint keys when the yaml does not say', () => {
		const doc = parseYaml(text('config_vocals_bs_roformer.yaml')) as { model: Record<string, unknown> };
		delete doc.model.freqs_per_bands; // BS-Roformer's default bands then apply
		expect(() => specFromConfig(doc)).toThrow(/choose the architecture/);
		const spec = specFromConfig(doc, { keys: bsKeys });
		expect(spec.config.arch).toBe('bs_roformer');
		expect(spec.config.freqsPerBands!.reduce((a, b) => a + b)).toBe(1025);
		expect(archFromKeys(melKeys)).toBe('mel_band_roformer');
		expect(specFromConfig(doc, { arch: 'mel_band_roformer' }).config.numBands).toBe(60);
	});
	it('a choice or weights that contradict the yaml are refused', () => {
		expect(() => specFromYaml(text('config_vocals_bs_roformer.yaml'), { arch: 'mel_band_roformer' })).toThrow(
			/freqs_per_bands, a BS-Roformer option, but Mel-Band-Roformer was chosen/
		);
		expect(() => specFromYaml(text('config_vocals_mel_band_roformer.yaml'), { keys: bsKeys })).toThrow(
			/weights are a BS-Roformer, but the config describes a Mel-Band-Roformer/
		);
	});
});

describe('refusals with clear messages', () => {
	const base = () => parseYaml(text('config_vocals_mel_band_roformer_kj.yaml')) as Record<string, Record<string, unknown>>;
	const cases: [string, (d: Record<string, Record<string, unknown>>) => void, RegExp][] = [
		['use_pope', (d) => (d.model.use_pope = true), /use_pope/],
		['linear transformers', (d) => (d.model.linear_transformer_depth = 1), /linear_transformer_depth > 0/],
		['skip connections', (d) => (d.model.skip_connection = true), /skip_connection/],
		['normalized STFT', (d) => (d.model.stft_normalized = true), /stft_normalized/],
		['unknown option', (d) => (d.model.new_fancy_thing = 3), /unsupported Mel-Band-Roformer options: new_fancy_thing/],
		['other sample rate', (d) => (d.audio.sample_rate = 48000), /48000 Hz/],
		['win length', (d) => (d.model.stft_win_length = 1024), /stft_win_length must equal stft_n_fft/],
		['bins', (d) => (d.model.dim_freqs_in = 1024), /dim_freqs_in must be stft_n_fft\/2\+1/],
		['no instruments', (d) => delete d.training.instruments, /training.instruments/],
		['stems vs num_stems', (d) => (d.training.target_instrument = null), /num_stems is 1 but training.instruments names 2/],
		['target with several stems', (d) => (d.model.num_stems = 2), /num_stems is not 1/],
		['bad type', (d) => (d.model.dim = '384'), /model.dim must be an integer/],
		['zero_dc not a bool', (d) => (d.model.zero_dc = 'yes please'), /zero_dc must be true or false/]
	];
	for (const [what, edit, message] of cases) {
		it(what, () => {
			const d = base();
			edit(d);
			expect(() => specFromConfig(d)).toThrow(ConfigError);
			expect(() => specFromConfig(d)).toThrow(message);
		});
	}
	it('zero_dc from the yaml', () => {
		const d = base();
		d.model.zero_dc = false;
		expect(specFromConfig(d).config.zeroDc).toBe(false);
	});
	it('BS bands must cover every bin', () => {
		const d = parseYaml(text('config_vocals_bs_roformer.yaml')) as Record<string, Record<string, unknown>>;
		(d.model.freqs_per_bands as number[]).pop();
		expect(() => specFromConfig(d)).toThrow(/cover all 1025/);
	});
	it('not a config, or broken yaml', () => {
		expect(() => specFromYaml('just: text\n')).toThrow(/no model: section/);
		expect(() => specFromYaml('model:\n  dim: [1, 2\n')).toThrow(/not readable yaml: yaml line 2/);
	});
	it('a 4-stem config without target: all instruments, no residual', () => {
		const spec = specFromYaml(text('config_musdb18_mel_band_roformer_all_stems.yaml'));
		expect(spec.stems).toEqual(['drums', 'bass', 'other', 'vocals']);
		expect(spec.residualStem).toBeNull();
	});
});

describe('accepted model keys', () => {
	it('are the keys the Python model classes accept', () => {
		const expected = JSON.parse(readFileSync(dir + 'accepted_keys.expected.json', 'utf8')) as Record<string, string[]>;
		for (const arch of ['bs_roformer', 'mel_band_roformer'] as const) expect(acceptedModelKeys(arch)).toEqual(expected[arch]);
	});
});

describe("specFromTrainConfig: tools/train.py's config.json, as tools/convert.py reads it", () => {
	const run = JSON.parse(readFileSync(fileURLToPath(new URL('../../tools/runs/bsr-4stem-synth/run-b.config.json', import.meta.url)), 'utf8'));
	it('the bundled model: BS-Roformer, 3 network stems + the residual, no DC zeroing, 201 frames', () => {
		const spec = specFromTrainConfig(run);
		expect(spec.config.arch).toBe('bs_roformer');
		expect(spec.stems).toEqual(['vocals', 'drums', 'bass', 'other']);
		expect(spec.residualStem).toBe('other');
		expect(spec.config.numStems).toBe(3);
		expect(spec.config.zeroDc).toBe(false);
		expect(spec.chunkFrames).toBe(201);
		expect(spec.config.hopLength).toBe(441);
		expect(spec.config.mlpExpansionFactor).toBe(2);
	});
	it('refuses what is not a train.py config, and stem counts that do not match num_stems', () => {
		expect(() => specFromTrainConfig({ model: { dim: 8 } })).toThrow(ConfigError);
		expect(() => specFromTrainConfig({ ...run, stems: ['vocals', 'other'] })).toThrow(/num_stems/);
	});
});
