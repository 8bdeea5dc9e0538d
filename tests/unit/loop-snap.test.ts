import { describe, expect, it } from 'vitest';
import { snapLoop } from '../../src/lib/playback/loop';

const beats = Array.from({ length: 16 }, (_, i) => 1 + i * 0.5);
const grid = { beats, downbeats: beats.filter((_, i) => i % 4 === 0) };

describe('loop snapping', () => {
	it('moves both edges to the nearest beat', () => {
		expect(snapLoop({ start: 1.2, end: 2.8 }, grid, 'beat', 10)).toEqual({ start: 1, end: 3 });
	});
	it('moves both edges to the nearest bar line', () => {
		expect(snapLoop({ start: 1.4, end: 4.1 }, grid, 'bar', 10)).toEqual({ start: 1, end: 5 });
	});
	it('keeps a loop at least one unit long when both edges meet', () => {
		expect(snapLoop({ start: 2.9, end: 3.4 }, grid, 'bar', 10)).toEqual({ start: 3, end: 5 });
		expect(snapLoop({ start: 2.1, end: 2.2 }, grid, 'beat', 10)).toEqual({ start: 2, end: 2.5 });
	});
	it('leaves the loop alone with snapping off or without a grid', () => {
		const loop = { start: 1.23, end: 4.56 };
		expect(snapLoop(loop, grid, 'off', 10)).toBe(loop);
		expect(snapLoop(loop, null, 'bar', 10)).toBe(loop);
		expect(snapLoop(loop, { beats: [], downbeats: [] }, 'beat', 10)).toBe(loop);
	});
	it('ends at the song end after the last bar line', () => {
		expect(snapLoop({ start: 8.6, end: 9.9 }, grid, 'bar', 9.9)).toEqual({ start: 7, end: 9.9 });
	});
});
