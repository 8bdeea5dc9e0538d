import { describe, expect, it } from 'vitest';
import { estimateTempo } from '../../src/lib/analysis/tempo';
import { ACCENT_LEVEL, BEAT_LEVEL, beatPeriodAt, clickEvents, clickIntoRegion, clickSound, countInEvents, mixInClick, renderClick } from '../../src/lib/click/click';
import { clicksAhead } from '../../src/lib/click/schedule';
import { soundStarts } from './signals';

const RATE = 44100;
/** A 120 BPM grid from 0.5 s, bars of four. */
const grid = (() => {
	const beats = Array.from({ length: 40 }, (_, i) => 0.5 + i * 0.5);
	return { beats, downbeats: beats.filter((_, i) => i % 4 === 0) };
})();

const onsets = (x: Float32Array) => soundStarts(x, RATE, { gap: 0.05 });

describe('click track', () => {
	it('starts every click on the exact sample of its beat, downbeats accented', () => {
		const events = clickEvents(grid);
		expect(events.filter((e) => e.accent).map((e) => e.time)).toEqual(grid.downbeats);
		const x = renderClick(events, { sampleRate: RATE, frames: 21 * RATE });
		// the first sample of a click is 0 (sine from phase 0): its onset is the next sample
		expect(onsets(x).map((i) => i - 1)).toEqual(grid.beats.map((t) => Math.round(t * RATE)));
		const peak = (from: number) => Math.max(...x.subarray(from, from + 0.03 * RATE).map(Math.abs));
		// the envelope peaks just after its 1 ms attack, a little under the level
		for (const [at, level] of [
			[0.5, ACCENT_LEVEL],
			[1.0, BEAT_LEVEL]
		]) {
			expect(peak(Math.round(at * RATE))).toBeGreaterThan(0.8 * level);
			expect(peak(Math.round(at * RATE))).toBeLessThanOrEqual(level);
		}
	});
	it('follows the speed: at 80 % every click lands at its beat sample / 0.8 and the track is 1.25 times as long', () => {
		const x = renderClick(clickEvents(grid), { sampleRate: RATE, frames: 21 * RATE, speed: 0.8 });
		expect(x.length).toBe(Math.round((21 * RATE) / 0.8));
		expect(onsets(x).map((i) => i - 1)).toEqual(grid.beats.map((t) => Math.round((t * RATE) / 0.8)));
	});
	it('scales with the volume and is silent at 0', () => {
		const loud = renderClick(clickEvents(grid), { sampleRate: RATE, frames: 3 * RATE });
		const half = renderClick(clickEvents(grid), { sampleRate: RATE, frames: 3 * RATE, volume: 0.5 });
		expect(half[Math.round(0.5 * RATE) + 20]).toBeCloseTo(loud[Math.round(0.5 * RATE) + 20] / 2, 6);
		expect(renderClick(clickEvents(grid), { sampleRate: RATE, frames: RATE, volume: 0 }).every((v) => v === 0)).toBe(true);
	});
	it('reads as 120.0 BPM when analysed', () => {
		const x = renderClick(clickEvents(grid), { sampleRate: RATE, frames: 21 * RATE });
		expect(estimateTempo([x], RATE)!.bpm).toBe(120);
	});
	it('refuses a speed that is not a positive number', () => {
		expect(() => renderClick([], { sampleRate: RATE, frames: 10, speed: 0 })).toThrow(/speed/);
		expect(() => renderClick([], { sampleRate: RATE, frames: Number.NaN })).toThrow(/length/);
	});
	it('makes short, decaying clicks', () => {
		const s = clickSound(RATE, true);
		expect(s.length).toBeLessThan(0.05 * RATE);
		expect(Math.abs(s[s.length - 1])).toBeLessThan(0.01);
	});
});

describe('count-in', () => {
	it('is one bar at the local beat period ending one beat before the loop, its first click accented', () => {
		expect(beatPeriodAt(grid.beats, 5)).toBeCloseTo(0.5, 9);
		const c = countInEvents(grid, 4.5);
		expect(c.map((e) => e.time)).toEqual([2.5, 3, 3.5, 4]);
		expect(c.map((e) => e.accent)).toEqual([true, false, false, false]);
		expect(countInEvents({ beats: [], downbeats: [] }, 1)).toEqual([]);
	});
});

describe('click scheduling', () => {
	const events = clickEvents(grid);
	it('maps song time to the audio clock at the practice speed', () => {
		const ahead = clicksAhead(events, { position: 0.9, now: 10, speed: 0.5, loop: null, duration: 21 }, 1.3);
		// song 0.9 → 1.55 s: the beats at 1.0 and 1.5
		expect(ahead.map((c) => c.at)).toEqual([10 + 0.1 / 0.5, 10 + 0.6 / 0.5]);
		expect(ahead.map((c) => c.accent)).toEqual([false, false]);
		expect(ahead.map((c) => c.index)).toEqual([1, 2]);
	});
	it('wraps around a loop: after its end the clicks continue from its start', () => {
		const loop = { start: 2.5, end: 4.5 };
		const ahead = clicksAhead(events, { position: 4.2, now: 0, speed: 1, loop, duration: 21 }, 1);
		// 4.2 → 4.5 then 2.5 → 3.2: the beats at 2.5 (a downbeat) and 3.0
		expect(ahead.map((c) => +c.at.toFixed(6))).toEqual([0.3, 0.8]);
		expect(ahead[0].accent).toBe(true);
		// the same events come round again on the next pass: their indices say which
		const twice = clicksAhead(events, { position: 2.5, now: 0, speed: 1, loop, duration: 21 }, 4);
		expect(twice.map((c) => c.index)).toEqual([4, 5, 6, 7, 4, 5, 6, 7]);
	});
	it('stops at the song end without a loop and schedules nothing at speed 0', () => {
		expect(clicksAhead(events, { position: 20.2, now: 0, speed: 1, loop: null, duration: 20.3 }, 2)).toEqual([]);
		expect(clicksAhead(events, { position: 0, now: 0, speed: 0, loop: null, duration: 20 }, 2)).toEqual([]);
	});
});

describe('click in a mix', () => {
	it('adds the click to every channel of a mix, on its beats', async () => {
		const { mixInClick } = await import('../../src/lib/click/click');
		const n = 3 * RATE;
		const mix = { sampleRate: RATE, channels: [new Float32Array(n).fill(0.1), new Float32Array(n).fill(-0.1)] };
		mixInClick(mix, clickEvents(grid), { speed: 1, volume: 1 });
		const at = Math.round(0.5 * RATE) + 10;
		const click = renderClick(clickEvents(grid), { sampleRate: RATE, frames: n });
		expect(mix.channels[0][at]).toBeCloseTo(0.1 + click[at], 6);
		expect(mix.channels[1][at]).toBeCloseTo(-0.1 + click[at], 6);
		expect(mix.channels[0][Math.round(0.25 * RATE)]).toBeCloseTo(0.1, 6);
	});
});

describe('the click added region by region (a mix written from stems on disk, and mixInClick)', () => {
	it('sums to the whole mix\'s click, whatever the region sizes, at any speed, clicks cut by region edges included', () => {
		const beats = Array.from({ length: 12 }, (_, i) => 0.1 + i * 0.41);
		const events = clickEvents({ beats, downbeats: beats.filter((_, i) => i % 4 === 0) });
		for (const speed of [1, 0.8, 1.25]) {
			const frames = Math.round((5 * RATE) / speed);
			// the reference: the click track rendered whole, by its own loop (renderClick)
			const track = renderClick(events, { sampleRate: RATE, speed, volume: 0.7, frames: 5 * RATE });
			expect(track.length).toBe(frames);
			const whole = { channels: [track, track] };
			const pieces = [new Float32Array(frames), new Float32Array(frames)];
			let seed = 7;
			for (let start = 0; start < frames; ) {
				seed = (seed * 1103515245 + 12345) >>> 0;
				const end = Math.min(frames, start + 1 + (seed % 9000)); // regions of 1 to 9,000 frames
				const region = [new Float32Array(end - start), new Float32Array(end - start)];
				clickIntoRegion(region, start, events, { sampleRate: RATE, speed, volume: 0.7 });
				region.forEach((r, c) => pieces[c].set(r, start));
				start = end;
			}
			expect(whole.channels[0].some((v) => v !== 0)).toBe(true);
			for (let c = 0; c < 2; c++) {
				let worst = 0;
				for (let i = 0; i < frames; i++) worst = Math.max(worst, Math.abs(pieces[c][i] - whole.channels[c][i]));
				expect(worst).toBe(0);
			}
		}
	});
	it('adds to what the region holds, and leaves a region without clicks as it is', () => {
		const events = clickEvents({ beats: [1, 2], downbeats: [1] });
		const region = [Float32Array.from({ length: 100 }, () => 0.25)];
		clickIntoRegion(region, RATE * 1.5, events, { sampleRate: RATE }); // between the clicks (each under 0.1 s)
		expect(region[0].every((v) => v === 0.25)).toBe(true);
		clickIntoRegion(region, RATE * 2, events, { sampleRate: RATE });
		expect(region[0][0]).toBeCloseTo(0.25, 6); // a click starts at zero amplitude
		expect(region[0].some((v) => Math.abs(v - 0.25) > 0.01)).toBe(true);
	});
});

describe('mixInClick', () => {
	it('adds the click track to every channel of a mix', () => {
		const events = clickEvents({ beats: [0.5, 1.5], downbeats: [0.5] });
		const mix = mixInClick({ sampleRate: RATE, channels: [new Float32Array(2 * RATE).fill(0.1), new Float32Array(2 * RATE)] }, events, { speed: 0.8, volume: 0.5 });
		const track = renderClick(events, { sampleRate: RATE, speed: 0.8, volume: 0.5, frames: 2 * RATE * 0.8 });
		expect(track.some((v) => v !== 0)).toBe(true);
		for (let i = 0; i < track.length; i++) {
			expect(mix.channels[0][i]).toBeCloseTo(0.1 + track[i], 6);
			expect(mix.channels[1][i]).toBe(track[i]);
		}
	});
});
