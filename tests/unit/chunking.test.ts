import { describe, expect, it } from 'vitest';
import { OverlapAdd, chunkWeight, planChunks, readChunk } from '../../src/lib/dsp/chunking';
import { maxAbsDiff } from './golden';
import { noise } from './signals';

describe('chunk planning', () => {
	it('covers the signal with the given overlap', () => {
		const plan = planChunks(1000, 300, 75);
		expect(plan.starts).toEqual([0, 225, 450, 675, 900]); // 675 + 300 < 1000 needs one more
		expect(planChunks(300, 300, 75).starts).toEqual([0]);
		expect(planChunks(10, 300, 75).starts).toEqual([0]);
	});

	it('crossfade weights sum to one everywhere inside the signal', () => {
		const plan = planChunks(1000, 300, 75);
		const total = new Float64Array(1000);
		plan.starts.forEach((s, k) => {
			for (let i = 0; i < 300 && s + i < 1000; i++) total[s + i] += chunkWeight(plan, k, i);
		});
		for (const w of total) expect(w).toBeCloseTo(1, 12);
	});

	it('reassembles unprocessed chunks into the original signal', () => {
		const x = noise(5000, 4);
		const plan = planChunks(x.length, 1024, 256);
		const ola = new OverlapAdd(x.length, plan);
		plan.starts.forEach((s, k) => ola.add(k, readChunk(x, s, 1024)));
		expect(maxAbsDiff(ola.finish(), x)).toBeLessThan(1e-6);
	});

	it('zero-pads the last chunk', () => {
		const c = readChunk(new Float32Array([1, 2, 3]), 2, 4);
		expect(Array.from(c)).toEqual([3, 0, 0, 0]);
	});

	it('rejects an overlap as long as the chunk', () => {
		expect(() => planChunks(10, 4, 4)).toThrow(RangeError);
	});
});
