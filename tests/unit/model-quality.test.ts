import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../scripts/lib/model-files';
import { modelQualities, modelQuality, modelQualityFor, type ModelManifest, type ModelQuality } from '../../src/lib/separation/manifest';
import { describeLevel, qualityHeadline, realMusicVerdict, splitWords } from '../../src/lib/separation/verdict';

const row = (mean: number, perStem: Record<string, number> = { vocals: mean, drums: mean }) => ({ perStem, mean });
const quality = (mean: number, extra: Partial<ModelQuality> = {}): ModelQuality => ({
	metric: 'uSDR',
	testSet: 'songs',
	measuredWith: 'eval.ts',
	model: row(mean),
	baselines: { mixture: row(-5), classical: row(1) },
	...extra
});
const withQuality = (q: unknown): ModelManifest => ({ ...loadManifest(), quality: q as Record<string, unknown> });

describe('quality entries in the manifest', () => {
	it('modelQuality still returns the primary (synthetic) entry, ignoring byTestSet', () => {
		const real = quality(0.5);
		const m = withQuality({ ...quality(8), byTestSet: { 'eval-real': real } });
		expect(modelQuality(m)?.model.mean).toBe(8);
		expect(modelQualities(m).map((q) => q.key)).toEqual(['synthetic', 'eval-real']);
		expect(modelQualityFor(m, 'eval-real')).toEqual(real);
		expect(modelQualityFor(m, 'nope')).toBeNull();
	});

	it('a real-set entry alone, and malformed entries, are handled', () => {
		const m = withQuality({ byTestSet: { 'eval-real': quality(2), broken: { metric: 'x' } } });
		expect(modelQuality(m)).toBeNull();
		expect(modelQualities(m).map((q) => q.key)).toEqual(['eval-real']);
		expect(modelQualities(withQuality(null))).toEqual([]);
	});

	it('the bundled manifest parses (old and new shape)', () => {
		const m = loadManifest();
		if (m.quality) expect(modelQuality(m)).not.toBeNull();
	});
});

describe('plain-language verdict', () => {
	it('follows the measured mean and compares with the classical baseline', () => {
		expect(describeLevel(0.3).level).toBe('poorly');
		expect(describeLevel(3).level).toBe('weakly');
		expect(describeLevel(6).level).toBe('fairly well');
		expect(describeLevel(9).level).toBe('well');
		const v = realMusicVerdict(quality(0.3, { songs: 8, model: row(0.3, { vocals: 1.5, drums: -0.9 }) }));
		expect(v).toContain('On 8 real recordings it separates poorly: 0.30 dB on average, 0.7 dB worse than a simple non-AI split');
		expect(v).toContain('best on vocals (1.50 dB) and worst on drums (-0.90 dB)');
		expect(realMusicVerdict(quality(6))).toContain('5.0 dB better than a simple non-AI split');
		expect(realMusicVerdict(quality(1.2))).toContain('about the same as a simple non-AI split (1.00 dB)');
	});
});

describe('the main screen\'s quality sentence', () => {
	it('reads the mean and the vocals of the real-song measurement from the manifest', () => {
		const m = withQuality({ ...quality(8), byTestSet: { 'eval-real': quality(1.53, { model: row(1.53, { vocals: 2.2, drums: 1.03 }) }) } });
		expect(qualityHeadline(m, true)).toEqual({
			text: 'On real songs the built-in model gives a rough split (about 1.5 dB on average, 2.2 dB on vocals; higher is better).',
			suggestStronger: true
		});
		// the words follow the figures, so a retrained model's manifest changes the sentence
		const better = withQuality({ byTestSet: { 'eval-real': quality(6.4, { model: row(6.4, { vocals: 8.1 }) }) } });
		expect(qualityHeadline(better, true).text).toBe('On real songs the built-in model gives a fairly clean split (about 6.4 dB on average, 8.1 dB on vocals; higher is better).');
		const clean = withQuality({ byTestSet: { 'eval-real': quality(9, { model: row(9, { drums: 9 }) }) } });
		expect(qualityHeadline({ ...clean, name: 'My Roformer' }, false)).toEqual({
			text: 'On real songs My Roformer gives a clean split (about 9.0 dB on average; higher is better).',
			suggestStronger: false
		});
		expect([0.5, 3, 6, 9].map(splitWords)).toEqual(['a rough split', 'a usable but leaky split', 'a fairly clean split', 'a clean split']);
	});

	it('says so when there is no real-song measurement or the model is untrained', () => {
		const synthOnly = withQuality(quality(8));
		expect(qualityHeadline(synthOnly, true).text).toBe('The built-in model has not been measured on real songs yet.');
		expect(qualityHeadline({ ...synthOnly, name: 'X' }, false).text).toBe('Stemsafe has no measurement of X on real songs; judge it by ear.');
		expect(qualityHeadline({ ...synthOnly, trained: false }, true).text).toBe('The built-in model is untrained: its stems are not a real separation.');
	});

	it('the bundled manifest gives a sentence with its own figures', () => {
		const m = loadManifest();
		const real = modelQualityFor(m, 'eval-real');
		const text = qualityHeadline(m, true).text;
		if (real) expect(text).toContain(`about ${real.model.mean.toFixed(1)} dB on average`);
		else expect(text).toContain('not been measured');
	});
});
