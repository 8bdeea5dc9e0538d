import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../scripts/lib/model-files';
import { modelQualities, modelQuality, modelQualityFor, type ModelManifest, type ModelQuality } from '../../src/lib/separation/manifest';
import { describeLevel, realMusicVerdict } from '../../src/lib/separation/verdict';

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
