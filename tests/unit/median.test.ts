import { describe, expect, it } from 'vitest';
import { medianFilter } from '../../src/lib/dsp/median';

describe('medianFilter', () => {
	// 2 rows x 5 cols
	const m = Float32Array.from([5, 1, 9, 3, 7, 2, 8, 4, 6, 0]);

	it('filters along each row (cols axis) with shrinking edge windows', () => {
		// row 0 [5,1,9,3,7], width 3: [med(5,1)=3, med(5,1,9)=5, med(1,9,3)=3, med(9,3,7)=7, med(3,7)=5]
		const out = medianFilter(m, 2, 5, 'cols', 3);
		expect(Array.from(out.slice(0, 5))).toEqual([3, 5, 3, 7, 5]);
		// row 1 [2,8,4,6,0]: [5, 4, 6, 4, 3]
		expect(Array.from(out.slice(5))).toEqual([5, 4, 6, 4, 3]);
	});

	it('filters along each column (rows axis)', () => {
		// columns have 2 entries: width 3 shrinks to both -> their mean
		const out = medianFilter(m, 2, 5, 'rows', 3);
		expect(Array.from(out)).toEqual([3.5, 4.5, 6.5, 4.5, 3.5, 3.5, 4.5, 6.5, 4.5, 3.5]);
	});

	it('removes an impulse and keeps a step', () => {
		const x = Float32Array.from([0, 0, 0, 10, 0, 0, 1, 1, 1, 1]);
		expect(Array.from(medianFilter(x, 1, 10, 'cols', 3))).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
	});

	it('rejects even widths and wrong sizes', () => {
		expect(() => medianFilter(m, 2, 5, 'cols', 4)).toThrow(/odd/);
		expect(() => medianFilter(m, 3, 5, 'cols', 3)).toThrow(/15/);
	});
});
