import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClickPlayer } from '../../src/lib/click/player';

/**
 * A fake audio clock that moves like a browser's: in steps of three render quanta (8.7 ms at
 * 44.1 kHz), and on its own between two reads (every read moves real time on by 2 ms), so the
 * player's position and the clock are sometimes read on either side of a step.
 */
function fakeClock(speed = 1, offset = 0) {
	let real = 0;
	const quantum = 384 / 44100;
	const nodes: { when: number; stoppedAt: number | null }[] = [];
	const ctx = {
		sampleRate: 44100,
		destination: {},
		get currentTime() {
			real += 0.002;
			return Math.floor(real / quantum) * quantum;
		},
		advance(seconds: number) {
			real += seconds;
		},
		createGain: () => ({ gain: { setTargetAtTime() {} }, connect() {}, disconnect() {} }),
		createBuffer: (_c: number, length: number, rate: number) => ({ duration: length / rate, copyToChannel() {} }),
		createBufferSource: () => {
			const node = { when: NaN, stoppedAt: null as number | null };
			return {
				buffer: null,
				onended: null,
				connect() {},
				start: (when: number) => nodes.push(Object.assign(node, { when })),
				stop: () => (node.stoppedAt = ctx.currentTime)
			};
		},
		resume: async () => {}
	};
	// stems that started at clock time 0.05 from song time `offset`
	const source = {
		audioContext: ctx as unknown as AudioContext,
		duration: 30,
		playing: true,
		get position() {
			return offset + Math.max(0, ctx.currentTime - 0.05) * speed;
		}
	};
	/** Start times of the clicks heard: not stopped before they began. */
	const started = () => nodes.filter((n) => n.stoppedAt === null || n.stoppedAt > n.when).map((n) => n.when);
	return { ctx, source, started };
}

const beats = Array.from({ length: 60 }, (_, i) => 0.25 + i * 0.5);
const grid = { beats, downbeats: beats.filter((_, i) => i % 4 === 0) };

afterEach(() => vi.useRealTimers());

describe('live click (ClickPlayer on a fake audio clock)', () => {
	for (const speed of [1, 0.75]) {
		it(`schedules every beat once, on its clock time, at ${speed * 100} % speed`, () => {
			vi.useFakeTimers();
			const { ctx, source, started: heard } = fakeClock(speed);
			const click = new ClickPlayer(grid, source);
			click.speed = speed;
			click.start();
			for (let ms = 0; ms < 5000; ms++) {
				ctx.advance(0.001);
				vi.advanceTimersByTime(1);
			}
			const started = heard();
			// beats at song time b play at clock 0.05 + b / speed: every one up to 5 s once, within a quantum
			const expected = beats.map((b) => 0.05 + b / speed).filter((t) => t < 4.9);
			expect(started.length).toBeGreaterThanOrEqual(expected.length);
			for (const t of expected) {
				const near = started.filter((s) => Math.abs(s - t) < 0.1);
				expect(near).toHaveLength(1);
				expect(Math.abs(near[0] - t)).toBeLessThan(0.01);
			}
		});
	}
	it('plays nothing twice when restarted (a seek, a new loop), and a restart at the same place keeps the beats', () => {
		vi.useFakeTimers();
		const { ctx, source, started: heard } = fakeClock();
		const click = new ClickPlayer(grid, source);
		click.start();
		for (let ms = 0; ms < 3000; ms++) {
			ctx.advance(0.001);
			vi.advanceTimersByTime(1);
			if (ms % 700 === 0) click.start();
		}
		const sorted = heard().sort((a, b) => a - b);
		for (let i = 1; i < sorted.length; i++) expect(sorted[i] - sorted[i - 1]).toBeGreaterThan(0.4);
		expect(sorted.length).toBeGreaterThanOrEqual(5);
	});

	it('counts in one bar before a loop: four clicks a beat apart on the clock, and the time the song must start', async () => {
		vi.useFakeTimers();
		const { ctx, source, started: heard } = fakeClock();
		const click = new ClickPlayer(grid, source);
		let end: number | null | undefined;
		void click.countIn(ctx as unknown as AudioContext, 4.25).then((t) => (end = t));
		await vi.advanceTimersByTimeAsync(0);
		const clicks = heard().sort((a, b) => a - b);
		expect(clicks).toHaveLength(4);
		for (let i = 1; i < 4; i++) expect(clicks[i] - clicks[i - 1]).toBeCloseTo(0.5, 6);
		// resolves ahead of the bar's end (timers on a busy page run late), with the bar's end itself
		expect(end).toBeUndefined();
		await vi.advanceTimersByTimeAsync(1800);
		expect(end).toBeCloseTo(clicks[3] + 0.5, 6);
		// at half speed the bar is twice as long
		click.speed = 0.5;
		const slow = click.countIn(ctx as unknown as AudioContext, 4.25);
		await vi.advanceTimersByTimeAsync(5000);
		const second = heard().sort((a, b) => a - b).slice(4);
		expect(second).toHaveLength(4);
		expect(await slow).toBeCloseTo(second[3] + 1, 6);
		// no beats at all: nothing to count, start at once
		expect(await new ClickPlayer({ beats: [], downbeats: [] }, source).countIn(ctx as unknown as AudioContext, 4.25)).toBeNull();
	});
});
