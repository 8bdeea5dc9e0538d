// The two stem players (memory and disk) over their shared transport (playback/transport.ts),
// driven on a fake Web Audio clock: what gets scheduled where, position, pause/seek/loop,
// solo/mute gains, the end of the song.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StemFiles } from '../../src/lib/library/stem-files';
import { StemPlayer } from '../../src/lib/playback/player';
import { StreamingStemPlayer } from '../../src/lib/playback/stream-player';
import type { SeparationResult, StoredStems } from '../../src/lib/separation/pipeline';

class FakeParam {
	value = 1;
	setTargetAtTime(v: number) {
		this.value = v;
	}
}
class FakeSource {
	buffer: { length: number } | null = null;
	loop = false;
	loopStart = 0;
	loopEnd = 0;
	when: number | null = null;
	offset: number | undefined;
	stopped = false;
	onended: (() => void) | null = null;
	connect() {}
	start(when: number, offset?: number) {
		this.when = when;
		this.offset = offset;
	}
	stop() {
		if (this.when === null) throw new Error('not started');
		this.stopped = true;
	}
}
class FakeContext {
	static all: FakeContext[] = [];
	currentTime = 0;
	closed = false;
	readonly destination = {};
	readonly sources: FakeSource[] = [];
	readonly gains: { gain: FakeParam }[] = [];
	constructor(readonly options: { sampleRate: number }) {
		FakeContext.all.push(this);
	}
	createGain() {
		const g = { gain: new FakeParam(), connect() {} };
		this.gains.push(g);
		return g;
	}
	createBuffer(channels: number, length: number, sampleRate: number) {
		return { numberOfChannels: channels, length, sampleRate, copyToChannel() {} };
	}
	createBufferSource() {
		const s = new FakeSource();
		this.sources.push(s);
		return s;
	}
	async resume() {}
	async close() {
		this.closed = true;
	}
	live() {
		return this.sources.filter((s) => !s.stopped);
	}
}

const RATE = 1000;
/** Lets a `play` started without waiting (by seek or setLoop while playing) run to its end. */
const settle = async () => {
	for (let i = 0; i < 20; i++) await Promise.resolve();
};
const strip = (over: Partial<{ muted: boolean; soloed: boolean; volume: number }> = {}) => ({ muted: false, soloed: false, volume: 0.8, ...over });

beforeEach(() => {
	FakeContext.all = [];
	vi.stubGlobal('AudioContext', FakeContext);
});
afterEach(() => {
	vi.unstubAllGlobals();
	vi.useRealTimers();
});

function result(seconds: number, stems = 3): SeparationResult {
	const n = seconds * RATE;
	return {
		sampleRate: RATE,
		stems: Array.from({ length: stems }, (_, i) => ({ name: `s${i}`, channels: [new Float32Array(n), new Float32Array(n)] }))
	} as unknown as SeparationResult;
}

describe('StemPlayer (stems in memory)', () => {
	it('starts every stem together at the offset, and reports the position from the clock', async () => {
		const p = new StemPlayer(result(10));
		expect(p.duration).toBe(10);
		await p.play();
		const ctx = FakeContext.all[0];
		expect(ctx.options.sampleRate).toBe(RATE);
		expect(ctx.live().map((s) => [s.when, s.offset])).toEqual([[0.05, 0], [0.05, 0], [0.05, 0]]);
		ctx.currentTime = 1.55;
		expect(p.position).toBeCloseTo(1.5);
		p.pause();
		expect(p.playing).toBe(false);
		expect(ctx.live()).toHaveLength(0);
		ctx.currentTime = 5;
		expect(p.position).toBeCloseTo(1.5);
		await p.play();
		expect(ctx.live().map((s) => s.offset)).toEqual([1.5, 1.5, 1.5]);
	});
	it('starts at a given clock time (a count-in\'s end), standing at the offset until then; never sooner than its lead', async () => {
		const p = new StemPlayer(result(10));
		p.seek(2);
		await p.play(0.8);
		const ctx = FakeContext.all[0];
		expect(ctx.live().map((s) => [s.when, s.offset])).toEqual([[0.8, 2], [0.8, 2], [0.8, 2]]);
		ctx.currentTime = 0.5;
		expect(p.position).toBe(2);
		ctx.currentTime = 1.3;
		expect(p.position).toBeCloseTo(2.5);
		p.pause();
		ctx.currentTime = 3;
		await p.play(2.9); // asked too late: as soon as it can
		expect(ctx.live().map((s) => s.when)).toEqual([3.05, 3.05, 3.05]);
	});
	it('seeks within the song (clamped), and plays from the start once at the end', async () => {
		const p = new StemPlayer(result(10));
		p.seek(4);
		expect(p.position).toBe(4);
		p.seek(99);
		expect(p.position).toBe(10);
		await p.play();
		expect(FakeContext.all[0].live()[0].offset).toBe(0);
		p.seek(-3);
		await settle();
		expect(FakeContext.all[0].live()[0].offset).toBe(0);
	});
	it('a loop set while playing restarts inside it, the sources looping over it', async () => {
		const p = new StemPlayer(result(10));
		await p.play();
		const ctx = FakeContext.all[0];
		ctx.currentTime = 1.05; // at 1 s
		p.setLoop({ start: 2, end: 3 });
		await settle();
		const live = ctx.live();
		expect(live).toHaveLength(3);
		expect(live.every((s) => s.loop && s.loopStart === 2 && s.loopEnd === 3 && s.offset === 2)).toBe(true);
		ctx.currentTime += 0.05 + 2.5; // 2.5 s after the restart: once round the loop
		expect(p.position).toBeCloseTo(2.5);
	});
	it('solo and mute set the stem gains', () => {
		const p = new StemPlayer(result(2));
		p.setStrips([strip(), strip({ soloed: true, volume: 0.5 }), strip({ muted: true })]);
		expect(FakeContext.all[0].gains.map((g) => g.gain.value)).toEqual([0, 0.5, 0]);
		p.setStrips([strip(), strip(), strip({ muted: true })]);
		expect(FakeContext.all[0].gains.map((g) => g.gain.value)).toEqual([0.8, 0.8, 0]);
	});
	it('says when the song has played to its end, and closes its context', async () => {
		const ended = vi.fn();
		const p = new StemPlayer(result(2), ended);
		await p.play();
		const ctx = FakeContext.all[0];
		ctx.currentTime = 1; // an early `ended` (not at the end) is ignored
		ctx.sources[0].onended?.();
		expect(ended).not.toHaveBeenCalled();
		ctx.currentTime = 2.06;
		ctx.sources[0].onended?.();
		expect(ended).toHaveBeenCalledOnce();
		expect(p.playing).toBe(false);
		expect(p.position).toBe(0);
		p.close();
		expect(ctx.closed).toBe(true);
	});
});

describe('StreamingStemPlayer (stems on disk)', () => {
	function fakeFiles(frames: number, stems: number) {
		const reads: [number, number][] = [];
		const files = {
			readAll: async (from: number, to: number) => {
				reads.push([from, to]);
				return Array.from({ length: stems }, () => [new Float32Array(to - from), new Float32Array(to - from)]);
			}
		} as unknown as StemFiles;
		const stored: StoredStems = { folder: 'x', frames, channels: 2, files: Array.from({ length: stems }, (_, s) => [`${s}-0`, `${s}-1`]) };
		return { files: Promise.resolve(files), stored, reads };
	}

	it('reads and schedules 2 s segments up to 3 s ahead, back to back on the clock', async () => {
		vi.useFakeTimers();
		const { files, stored, reads } = fakeFiles(10 * RATE, 2);
		const p = new StreamingStemPlayer(files, stored, RATE);
		expect(p.duration).toBe(10);
		await p.play();
		expect(reads).toEqual([[0, 2000], [2000, 4000]]);
		const ctx = FakeContext.all[0];
		expect(ctx.gains).toHaveLength(2);
		expect(ctx.live().map((s) => s.when)).toEqual([0.1, 0.1, 2.1, 2.1]);
		ctx.currentTime = 1.1;
		expect(p.position).toBeCloseTo(1);
		ctx.currentTime = 1.2; // 2.9 s queued: the next pump reads one more segment
		await vi.advanceTimersByTimeAsync(250);
		expect(reads).toEqual([[0, 2000], [2000, 4000], [4000, 6000]]);
		expect(ctx.live().at(-1)?.when).toBeCloseTo(4.1);
		p.pause();
		expect(ctx.live()).toHaveLength(0);
		expect(p.position).toBeCloseTo(1.1);
		await p.play(); // resumes at 1.1 s
		expect(reads.slice(3)).toEqual([[1100, 3100], [3100, 5100]]);
	});
	it('starts its first segment at a given clock time', async () => {
		vi.useFakeTimers();
		const { files, stored } = fakeFiles(10 * RATE, 2);
		const p = new StreamingStemPlayer(files, stored, RATE);
		await p.play(0.7);
		const ctx = FakeContext.all[0];
		expect(ctx.live().map((s) => s.when)).toEqual([0.7, 0.7, 2.7, 2.7]);
		ctx.currentTime = 0.5;
		expect(p.position).toBe(0);
		p.close();
	});
	it('loops over a region and ends at the song end', async () => {
		vi.useFakeTimers();
		const { files, stored, reads } = fakeFiles(3 * RATE, 1);
		const ended = vi.fn();
		const p = new StreamingStemPlayer(files, stored, RATE, ended);
		p.setLoop({ start: 1, end: 1.5 });
		await p.play();
		expect(reads.slice(0, 3)).toEqual([[1000, 1500], [1000, 1500], [1000, 1500]]);
		p.setLoop(null);
		await settle();
		p.seek(2.5);
		await settle();
		expect(p.playing).toBe(true);
		expect(reads.at(-1)).toEqual([2500, 3000]);
		const ctx = FakeContext.all[0];
		ctx.currentTime += 1;
		await vi.advanceTimersByTimeAsync(250);
		expect(ended).toHaveBeenCalledOnce();
		expect(p.playing).toBe(false);
		expect(p.position).toBe(0);
	});
	it('solo and mute set the stem gains', () => {
		const { files, stored } = fakeFiles(RATE, 2);
		const p = new StreamingStemPlayer(files, stored, RATE);
		p.setStrips([strip({ soloed: true }), strip()]);
		expect(FakeContext.all[0].gains.map((g) => g.gain.value)).toEqual([0.8, 0]);
	});
});
