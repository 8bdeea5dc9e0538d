import { describe, expect, it } from 'vitest';
import { describeChunking, formatBytes, formatParams, overlapChoice, overlapCost, OVERLAP_CHOICES } from '../../src/lib/models/settings';
import { planChunks } from '../../src/lib/dsp/chunking';

describe('overlap setting', () => {
	it('defaults to the pipeline default and ignores unknown stored values', () => {
		expect(overlapChoice(null).fraction).toBe(0.25);
		expect(overlapChoice('nonsense').id).toBe('balanced');
		expect(overlapChoice('best').fraction).toBe(0.75);
	});
	it('cost is the number of chunks per chunk-length of audio, as planChunks makes them', () => {
		for (const c of OVERLAP_CHOICES) {
			const chunk = 88200;
			const plan = planChunks(chunk * 400, chunk, Math.round(chunk * c.fraction));
			expect(plan.starts.length / 400).toBeCloseTo(overlapCost(c.fraction), 1);
		}
	});
	it('describes chunking and sizes in words', () => {
		expect(describeChunking(8, 0.25)).toBe('8 s chunks, 25 % overlap: a new chunk every 6 s, 1.33× the compute of no overlap');
		expect(describeChunking(2, 0.125)).toBe('2 s chunks, 12.5 % overlap: a new chunk every 1.75 s, 1.14× the compute of no overlap');
		expect(formatBytes(640_000_000)).toBe('610 MB');
		expect(formatBytes(4_116_843)).toBe('3.9 MB');
		expect(formatBytes(2 * 1024 ** 3)).toBe('2.0 GB');
		expect(formatParams(159_800_000)).toBe('159.8M');
		expect(formatParams(null)).toBe('unknown');
	});
});
