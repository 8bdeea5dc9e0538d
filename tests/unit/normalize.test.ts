import { describe, expect, it } from 'vitest';
import { limiterGain } from '../../src/lib/dsp/loudness/limiter';
import { measureLoudness } from '../../src/lib/dsp/loudness/loudness';
import { normalizeLoudness } from '../../src/lib/dsp/loudness/normalize';

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
