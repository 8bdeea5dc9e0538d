import { describe, expect, it } from 'vitest';
import { PeakCache, computePeaks, timeAt, visibleWindow } from '../../src/lib/waveform/peaks';
import { makeLoop, playbackPosition, startOffset } from '../../src/lib/playback/loop';

describe('waveform peaks', () => {
	it('gives each column the min and max of its samples, over all channels', () => {
		const left = new Float32Array([0, 0.5, -0.2, 0.1, 0.9, -0.9, 0, 0]);
		const right = new Float32Array([0, -0.7, 0, 0, 0, 0, 0.3, 0.2]);
		const p = computePeaks([[left], [right]], 4);
		expect(Array.from(p.max)).toEqual([0.5, 0.1, 0.9, 0.3].map(Math.fround));
		expect(Array.from(p.min)).toEqual([-0.7, -0.2, -0.9, 0].map(Math.fround));
	});

	it('sums the parts of a channel (the mix of all stems)', () => {
		const a = new Float32Array([0.5, 0.5, -0.5, -0.5]);
		const b = new Float32Array([0.25, -0.5, -0.25, 0.5]);
		const p = computePeaks([[a, b]], 2);
		expect(Array.from(p.max)).toEqual([0.75, 0]);
		expect(Array.from(p.min)).toEqual([0, -0.75]);
	});

	it('covers every sample exactly once when columns do not divide the length', () => {
		const x = new Float32Array(1000).map((_, i) => (i === 999 ? 1 : i === 0 ? -1 : 0));
		const p = computePeaks([[x]], 7);
		expect(p.max[6]).toBe(1);
		expect(p.min[0]).toBe(-1);
		expect(Array.from(p.max.slice(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
	});

	it('shows a clip shorter than the canvas sample by sample instead of empty columns', () => {
		const x = new Float32Array([0.1, -0.4, 0.8]);
		const p = computePeaks([[x]], 6);
		expect(Array.from(p.max)).toEqual([0.1, 0.1, -0.4, -0.4, 0.8, 0.8].map(Math.fround));
		expect(p.min.every((v, k) => v === p.max[k])).toBe(true);
	});

	it('computes once per zoom level', () => {
		const cache = new PeakCache([[new Float32Array(4410).fill(0.25)]]);
		const a = cache.get(400);
		cache.get(800);
		expect(cache.get(400)).toBe(a);
		expect(cache.computed).toBe(2);
	});
});

describe('zoom window', () => {
	it('shows everything at zoom 1 and a slice that follows the playhead when zoomed', () => {
		expect(visibleWindow(60, 1, 30, 0)).toEqual({ start: 0, span: 60 });
		expect(visibleWindow(60, 4, 5, 0)).toEqual({ start: 0, span: 15 });
		const paged = visibleWindow(60, 4, 20, 0);
		expect(paged.span).toBe(15);
		expect(20).toBeGreaterThanOrEqual(paged.start);
		expect(20).toBeLessThan(paged.start + paged.span);
		expect(visibleWindow(60, 4, 59.9, 0).start).toBe(45);
	});
	it('maps a click to a time inside the window', () => {
		expect(timeAt(0.5, { start: 10, span: 20 }, 60)).toBe(20);
		expect(timeAt(1.5, { start: 10, span: 20 }, 60)).toBe(30);
	});
});

describe('loop region', () => {
	it('orders and clamps the ends, and ignores a tiny drag', () => {
		expect(makeLoop(8, 2, 5)).toEqual({ start: 2, end: 5 });
		expect(makeLoop(1, 1.01, 5)).toBeNull();
	});
	it('wraps the playhead inside the loop', () => {
		const loop = { start: 2, end: 4 };
		expect(playbackPosition(2.5, 1, 10, loop)).toBeCloseTo(3.5);
		expect(playbackPosition(2.5, 2, 10, loop)).toBeCloseTo(2.5);
		expect(playbackPosition(3, 5, 10, loop)).toBeCloseTo(2);
		expect(playbackPosition(5, 3, 10, loop)).toBe(8); // started after the loop: plays on
		expect(playbackPosition(9, 3, 10, null)).toBe(10);
	});
	it('starts inside the loop, and from the top after the end', () => {
		expect(startOffset(7, 10, { start: 2, end: 4 })).toBe(2);
		expect(startOffset(3, 10, { start: 2, end: 4 })).toBe(3);
		expect(startOffset(10, 10, null)).toBe(0);
	});
});
