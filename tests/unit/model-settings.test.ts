import { describe, expect, it } from 'vitest';
import { describeChunking, formatBytes, formatParams, formatSeconds, overlapChoice, overlapCost, overlapFromNumOverlap, resolveOverlap, OVERLAP_CHOICES } from '../../src/lib/models/settings';
import { planChunks } from '../../src/lib/dsp/chunking';

describe('overlap setting', () => {
	it("defaults to the model's config, then the pipeline default; ignores unknown stored values", () => {
		expect(overlapChoice(null).id).toBe('model');
		expect(overlapChoice('nonsense').id).toBe('model');
		expect(overlapChoice('best').fraction).toBe(0.75);
		expect(resolveOverlap(overlapChoice('model'), 0.5)).toBe(0.5);
		expect(resolveOverlap(overlapChoice('model'), null)).toBeUndefined();
		expect(resolveOverlap(overlapChoice('fast'), 0.5)).toBe(0.125);
		expect(overlapFromNumOverlap(2)).toBe(0.5);
		expect(overlapFromNumOverlap(4)).toBe(0.75);
		expect(overlapFromNumOverlap(1)).toBe(0);
		expect(overlapFromNumOverlap('4')).toBeNull();
		expect(overlapFromNumOverlap(undefined)).toBeNull();
	});
	it('cost is the number of chunks per chunk-length of audio, as planChunks makes them', () => {
		for (const c of OVERLAP_CHOICES.filter((c) => c.fraction !== null) as { fraction: number }[]) {
			const chunk = 88200;
			const plan = planChunks(chunk * 400, chunk, Math.round(chunk * c.fraction));
			expect(plan.starts.length / 400).toBeCloseTo(overlapCost(c.fraction), 1);
		}
	});
	it('describes chunking and sizes in words', () => {
		expect(describeChunking(8, 0.25)).toBe('Processed in 8 s pieces with 25 % overlap: 1.33× the work of no overlap');
		expect(describeChunking(2, 0.125)).toBe('Processed in 2 s pieces with 12.5 % overlap: 1.14× the work of no overlap');
		expect(describeChunking(8, undefined)).toContain('25 % overlap');
		expect(describeChunking(5.94, undefined, true)).toBe("Processed in 5.94 s pieces with Ultimate Vocal Remover's usual overlap");
		// a tiny MDX-Net model's chunk is not printed to 17 digits
		expect(describeChunking(320 / 44100, undefined, true)).toBe("Processed in 0.0073 s pieces with Ultimate Vocal Remover's usual overlap");
		expect([formatSeconds(2), formatSeconds(5.94), formatSeconds(2.5), formatSeconds(0.0072562358276643995)]).toEqual(['2 s', '5.94 s', '2.5 s', '0.0073 s']);
		expect(OVERLAP_CHOICES.map((c) => c.label).join(' ')).not.toMatch(/num_overlap|MSST/);
		expect(formatBytes(640_000_000)).toBe('610 MB');
		expect(formatBytes(4_116_843)).toBe('3.9 MB');
		expect(formatBytes(2 * 1024 ** 3)).toBe('2.0 GB');
		expect(formatParams(159_800_000)).toBe('159.8M');
		expect(formatParams(null)).toBe('unknown');
	});
});
