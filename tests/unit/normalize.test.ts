import { describe, expect, it } from 'vitest';
import { limiterGain, StreamLimiter } from '../../src/lib/dsp/loudness/limiter';
import { measureLoudness } from '../../src/lib/dsp/loudness/loudness';
import { normalizeLoudness, normalizeLoudnessInRegions, normalizedReader, planNormalization, type RegionReader } from '../../src/lib/dsp/loudness/normalize';

/** 12 s of "music" with a high crest factor: a quiet pad plus loud, short percussive hits. */
function punchy(sampleRate = 44100, seconds = 12): Float32Array[] {
	const n = sampleRate * seconds;
	let seed = 7;
	const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
	const l = new Float32Array(n);
	const r = new Float32Array(n);
	for (let i = 0; i < n; i++) {
		const t = i / sampleRate;
		const beat = t % 0.5;
		const hit = Math.exp(-beat * 40) * (0.9 * Math.sin(2 * Math.PI * 60 * beat) + 0.3 * rnd());
		const pad = 0.05 * Math.sin(2 * Math.PI * 220 * t) + 0.03 * Math.sin(2 * Math.PI * 330 * t);
		l[i] = hit + pad;
		r[i] = 0.9 * hit + pad;
	}
	return [l, r];
}

describe('loudness-normalised export', () => {
	for (const target of [-14, -16, -23, -9]) {
		it(`meets ${target} LUFS (±0.5 LU) under a −1 dBTP ceiling`, () => {
			const out = normalizeLoudness(punchy(), 44100, { integrated: target, truePeakCeiling: -1 });
			const m = measureLoudness(out.channels, 44100);
			expect(Math.abs(m.integrated - target)).toBeLessThanOrEqual(0.5);
			expect(m.truePeak).toBeLessThanOrEqual(-1);
			expect(out.limited).toBe(target > -20); // loud targets need the limiter on this material
		});
	}
	it('a custom ceiling is honoured', () => {
		const out = normalizeLoudness(punchy(48000, 8), 48000, { integrated: -12, truePeakCeiling: -2 });
		const m = measureLoudness(out.channels, 48000);
		expect(m.truePeak).toBeLessThanOrEqual(-2);
		expect(Math.abs(m.integrated - -12)).toBeLessThanOrEqual(0.5);
	});
	it('refuses silence', () => {
		expect(() => normalizeLoudness([new Float32Array(44100 * 2)], 44100, { integrated: -14 })).toThrow(/silent/);
	});
});

describe('look-ahead limiter', () => {
	it('is down before the peak arrives and never above 1', () => {
		const n = 4410;
		const x = new Float32Array(n).fill(0.1);
		x[2000] = 1;
		const g = limiterGain([x], 44100, { ceiling: 0.5, lookAheadSeconds: 0.005 });
		expect(g[2000] * x[2000]).toBeLessThanOrEqual(0.5 + 1e-6);
		expect(g[2000 - 221]).toBeLessThan(1); // falling ahead of the peak (5 ms = 220 samples)
		expect(g[100]).toBe(1);
		expect(Math.max(...g)).toBeLessThanOrEqual(1);
	});
});

/** A reader over channels held in memory, counting what it is asked for. */
function readerOf(channels: Float32Array[]): RegionReader & { calls: number } {
	const read = Object.assign(async (a: number, b: number) => (read.calls++, channels.map((c) => c.slice(a, b))), { calls: 0 });
	return read;
}

async function readAll(read: RegionReader, frames: number, step: number): Promise<Float32Array[]> {
	let out: Float32Array[] = [];
	for (let s = 0; s < frames; s += step) {
		const part = await read(s, Math.min(frames, s + step));
		out = part.map((p, c) => {
			const joined = new Float32Array((out[c]?.length ?? 0) + p.length);
			if (out[c]) joined.set(out[c]);
			joined.set(p, out[c]?.length ?? 0);
			return joined;
		});
	}
	return out;
}

describe('region by region (songs kept on disk)', () => {
	it('the streaming limiter gives limiterGain sample for sample, whatever the region size', async () => {
		const x = punchy(44100, 3).map((c) => c.map((v) => v * 2.5));
		const whole = limiterGain(x, 44100, { ceiling: 0.7 });
		expect(whole.reduce((a, b) => Math.min(a, b), 1)).toBeLessThan(0.5); // it does limit
		for (const region of [7, 221, 1000, 44100, x[0].length]) {
			const limiter = new StreamLimiter(readerOf(x), x[0].length, 44100, { ceiling: 0.7 });
			const got = new Float32Array(x[0].length);
			for (let s = 0; s < got.length; s += region) got.set((await limiter.process(s, Math.min(got.length, s + region))).gain, s);
			expect(got).toEqual(whole);
		}
	});
	it('refuses regions out of order', async () => {
		const limiter = new StreamLimiter(readerOf([new Float32Array(1000)]), 1000, 44100, { ceiling: 0.5 });
		await limiter.process(0, 100);
		await expect(limiter.process(300, 400)).rejects.toThrow(/follow/);
	});
	for (const [target, seconds] of [
		[-9, 5],
		[-23, 3]
	] as const) {
		it(`planNormalization + normalizedReader give normalizeLoudness's samples (${target} LUFS: limited ${target > -20})`, async () => {
			const x = punchy(44100, seconds);
			const whole = normalizeLoudness(x, 44100, { integrated: target });
			const plan = await planNormalization(readerOf(x), x[0].length, 2, 44100, { integrated: target });
			expect(plan).toEqual({ gainDb: whole.gainDb, integrated: whole.integrated, truePeak: whole.truePeak, limited: whole.limited });
			const out = await readAll(normalizedReader(readerOf(x), x[0].length, 44100, plan.gainDb, { integrated: target }), x[0].length, 30000);
			expect(out).toEqual(whole.channels);
			const m = measureLoudness(out, 44100);
			expect(Math.abs(m.integrated - target)).toBeLessThanOrEqual(0.5);
			expect(m.truePeak).toBeLessThanOrEqual(-1);
		});
	}
	it('normalizeLoudnessInRegions (what the page runs for songs in memory) gives normalizeLoudness exactly', async () => {
		const x = punchy(44100, 4);
		const whole = normalizeLoudness(x, 44100, { integrated: -10, truePeakCeiling: -1.5 });
		expect(whole.limited).toBe(true);
		expect(await normalizeLoudnessInRegions(x, 44100, { integrated: -10, truePeakCeiling: -1.5 })).toEqual(whole);
	});
	it('reports each pass, refuses silence, and a reader refuses going back', async () => {
		const x = punchy(44100, 2);
		const passes: number[] = [];
		await planNormalization(readerOf(x), x[0].length, 2, 44100, { integrated: -14 }, (p) => passes.push(p));
		expect(passes[0]).toBe(1);
		expect(passes.length).toBeGreaterThanOrEqual(2); // measuring, then at least one trial
		await expect(planNormalization(readerOf([new Float32Array(44100)]), 44100, 1, 44100, { integrated: -14 })).rejects.toThrow(/silent/);
		const read = normalizedReader(readerOf(x), x[0].length, 44100, 0, { integrated: -14 });
		await read(70000, 80000);
		await expect(read(0, 100)).rejects.toThrow(/in order/);
	});
});
