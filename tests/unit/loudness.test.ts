/**
 * EBU Tech 3341 (loudness meters, "EBU mode") and Tech 3342 (loudness range) conformance,
 * with the test signals generated here from their specifications: 1 kHz sines at given
 * dBFS levels and durations (stereo, same signal in both channels unless noted), and for true
 * peak, sines whose samples miss the waveform's peaks by a known phase.
 */
import { describe, expect, it } from 'vitest';
import { kWeightingFilters } from '../../src/lib/dsp/loudness/k-weighting';
import { channelWeights, LoudnessMeter, measureLoudness } from '../../src/lib/dsp/loudness/loudness';
import { peakEnvelope, truePeak, toDb, TruePeakTracker } from '../../src/lib/dsp/loudness/true-peak';

/** Segments of a sine: [dBFS, seconds][]. Phase continues across segments. */
function sineSegments(segments: [number, number][], sampleRate = 48000, freq = 1000): Float32Array {
	const total = segments.reduce((n, [, s]) => n + Math.round(s * sampleRate), 0);
	const out = new Float32Array(total);
	let i = 0;
	for (const [db, seconds] of segments) {
		const a = 10 ** (db / 20);
		const n = Math.round(seconds * sampleRate);
		for (let k = 0; k < n; k++, i++) out[i] = a * Math.sin((2 * Math.PI * freq * i) / sampleRate);
	}
	return out;
}
const stereo = (ch: Float32Array) => [ch, ch.slice()];

describe('K-weighting', () => {
	it('reproduces BS.1770-4 Table 1 and 2 coefficients at 48 kHz', () => {
		const [shelf, hp] = kWeightingFilters(48000);
		expect(shelf.b0).toBeCloseTo(1.53512485958697, 8);
		expect(shelf.b1).toBeCloseTo(-2.69169618940638, 8);
		expect(shelf.b2).toBeCloseTo(1.19839281085285, 8);
		expect(shelf.a1).toBeCloseTo(-1.69065929318241, 8);
		expect(shelf.a2).toBeCloseTo(0.73248077421585, 8);
		expect(hp.a1).toBeCloseTo(-1.99004745483398, 8);
		expect(hp.a2).toBeCloseTo(0.99007225036621, 8);
	});
});

describe('EBU Tech 3341: integrated loudness (±0.1 LU)', () => {
	const cases: [string, [number, number][], number][] = [
		['case 1: −23 dBFS, 20 s', [[-23, 20]], -23],
		['case 2: −33 dBFS, 20 s', [[-33, 20]], -33],
		['case 3: −36/−23/−36 dBFS, 10/60/10 s', [[-36, 10], [-23, 60], [-36, 10]], -23],
		['case 4: −72/−36/−23/−36/−72 dBFS, 10/10/60/10/10 s', [[-72, 10], [-36, 10], [-23, 60], [-36, 10], [-72, 10]], -23]
	];
	for (const [name, segments, expected] of cases) {
		it(name, () => {
			const r = measureLoudness(stereo(sineSegments(segments)), 48000);
			expect(Math.abs(r.integrated - expected)).toBeLessThanOrEqual(0.1);
		});
	}
	it('case 5: −26/−20/−26 dBFS, 20/20.1/20 s', () => {
		const r = measureLoudness(stereo(sineSegments([[-26, 20], [-20, 20.1], [-26, 20]])), 48000);
		expect(Math.abs(r.integrated - -23)).toBeLessThanOrEqual(0.1);
	});
	it('case 6: 5.0 channels, L R −28, C −24, Ls Rs −30 dBFS (surround weights)', () => {
		const level = (db: number) => sineSegments([[db, 20]]);
		const r = measureLoudness([level(-28), level(-28), level(-24), level(-30), level(-30)], 48000);
		expect(Math.abs(r.integrated - -23)).toBeLessThanOrEqual(0.1);
	});
	it('5.1 in L R C LFE Ls Rs order: the LFE channel is not measured', () => {
		const level = (db: number) => sineSegments([[db, 20]]);
		const withLfe = measureLoudness([level(-28), level(-28), level(-24), level(-6), level(-30), level(-30)], 48000);
		expect(Math.abs(withLfe.integrated - -23)).toBeLessThanOrEqual(0.1);
		expect(channelWeights(6)).toEqual([1, 1, 1, 0, 1.41, 1.41]);
	});
	it('mono: one channel at −23 dBFS reads 3 LU below the same signal in stereo', () => {
		const ch = sineSegments([[-23, 20]]);
		expect(Math.abs(measureLoudness([ch], 48000).integrated - -26.01)).toBeLessThanOrEqual(0.1);
	});
	it('the same at 44.1 kHz', () => {
		const r = measureLoudness(stereo(sineSegments([[-23, 20]], 44100)), 44100);
		expect(Math.abs(r.integrated - -23)).toBeLessThanOrEqual(0.1);
	});
});

describe('EBU Tech 3341: maximum momentary and short-term loudness (±0.1 LU)', () => {
	it('a steady −23 dBFS sine has momentary and short-term maxima of −23 LUFS', () => {
		const r = measureLoudness(stereo(sineSegments([[-23, 20]])), 48000);
		expect(Math.abs(r.momentaryMax - -23)).toBeLessThanOrEqual(0.1);
		expect(Math.abs(r.shortTermMax - -23)).toBeLessThanOrEqual(0.1);
	});
	it('case 9: −20 dBFS 1.34 s and −30 dBFS 1.66 s alternating: short-term stays at −23 LUFS', () => {
		const segments: [number, number][] = [];
		for (let k = 0; k < 5; k++) segments.push([-20, 1.34], [-30, 1.66]);
		const r = measureLoudness(stereo(sineSegments(segments)), 48000);
		expect(Math.abs(r.shortTermMax - -23)).toBeLessThanOrEqual(0.1);
	});
	it('a 400 ms −20 dBFS burst in silence-level noise: maximum momentary −20 LUFS', () => {
		const r = measureLoudness(stereo(sineSegments([[-60, 5], [-20, 0.4], [-60, 5]])), 48000);
		expect(Math.abs(r.momentaryMax - -20)).toBeLessThanOrEqual(0.1);
	});
});

describe('EBU Tech 3342: loudness range (±1 LU)', () => {
	const cases: [string, [number, number][], number][] = [
		['case 1: −20 then −30 dBFS, 20 s each → 10 LU', [[-20, 20], [-30, 20]], 10],
		['case 2: −20 then −15 dBFS → 5 LU', [[-20, 20], [-15, 20]], 5],
		['case 3: −40 then −20 dBFS → 20 LU', [[-40, 20], [-20, 20]], 20],
		['case 4: −50/−35/−20/−35/−50 dBFS → 15 LU', [[-50, 20], [-35, 20], [-20, 20], [-35, 20], [-50, 20]], 15]
	];
	for (const [name, segments, expected] of cases) {
		it(name, () => {
			const r = measureLoudness(stereo(sineSegments(segments)), 48000);
			expect(Math.abs(r.range - expected)).toBeLessThanOrEqual(1);
		});
	}
});

describe('true peak (Tech 3341: +0.2 / −0.4 dB)', () => {
	// A sine at fs/f0 whose samples sit `phase` degrees away from its crests: the sample peak
	// underreads, the true peak is the sine's amplitude.
	const offPeak = (fraction: number, phaseDeg: number, db: number, sampleRate = 48000, seconds = 1) => {
		const a = 10 ** (db / 20);
		const n = Math.round(sampleRate * seconds);
		const ch = new Float32Array(n);
		const fade = sampleRate / 50; // 20 ms ramps: an abrupt start would really overshoot once band-limited
		for (let i = 0; i < n; i++) {
			const ramp = Math.min(1, i / fade, (n - 1 - i) / fade);
			ch[i] = a * Math.sin((Math.PI / 2) * ramp) ** 2 * Math.sin(2 * Math.PI * fraction * i + (phaseDeg * Math.PI) / 180);
		}
		return ch;
	};
	const cases: [string, number, number, number][] = [
		['fs/4 at 45°: samples 3 dB below the peak', 1 / 4, 45, -6],
		['fs/6 at 60°', 1 / 6, 60, -6],
		['fs/8 at 67.5°', 1 / 8, 67.5, -6],
		['fs/4 at 45°, full scale: +0 dBTP from samples at −3 dBFS', 1 / 4, 45, 0]
	];
	for (const [name, fraction, phase, db] of cases) {
		it(name, () => {
			const ch = offPeak(fraction, phase, db);
			const tp = toDb(truePeak(ch, 48000));
			expect(tp - db).toBeLessThanOrEqual(0.2);
			expect(tp - db).toBeGreaterThanOrEqual(-0.4);
			const r = measureLoudness([ch, ch], 48000);
			expect(r.samplePeak).toBeLessThan(db - 0.5); // the samples alone miss it
			expect(Math.abs(r.truePeak - tp)).toBeLessThan(1e-9);
		});
	}
	it('oversampling is 2x at 96 kHz and none at 192 kHz, still within tolerance at 96 kHz', () => {
		const ch = offPeak(1 / 4, 45, -6, 96000);
		const tp = toDb(truePeak(ch, 96000));
		expect(tp - -6).toBeGreaterThanOrEqual(-0.4);
	});
	it('skipping blocks never misses a crest: truePeak equals the interpolator run at every sample (peakEnvelope)', () => {
		// steady low tones and sustained chords reach their peak in every block, where the cheap
		// bounds must hand the block on; a noisy programme where they skip most of it
		let seed = 5;
		const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
		const signals: [string, (t: number) => number][] = [
			['55 Hz sine', (t) => 0.8 * Math.sin(2 * Math.PI * 55 * t + 0.3)],
			['bass note with overtones', (t) => 0.5 * Math.sin(2 * Math.PI * 98 * t) + 0.2 * Math.sin(2 * Math.PI * 196 * t + 1) + 0.1 * Math.sin(2 * Math.PI * 294 * t)],
			['chord', (t) => [261.6, 329.6, 392, 523.3].reduce((a, f, k) => a + 0.2 * Math.sin(2 * Math.PI * f * t + k), 0)],
			['near-square 1 kHz', (t) => Math.max(-0.7, Math.min(0.7, 3 * Math.sin(2 * Math.PI * 1000 * t)))],
			['noise bursts', (t) => (t % 0.5 < 0.1 ? 0.9 : 0.1) * rnd()]
		];
		for (const rate of [44100, 48000, 96000]) {
			for (const [name, f] of signals) {
				const ch = Float32Array.from({ length: rate }, (_, i) => f(i / rate));
				const env = peakEnvelope([ch], rate);
				const reference = env.reduce((a, b) => Math.max(a, b), 0);
				expect(Math.fround(truePeak(ch, rate)), `${name} at ${rate} Hz`).toBe(reference);
			}
		}
	});
	it('true peak accuracy: sines of every phase, 0.01–0.45 fs', () => {
		let over = -Infinity;
		let underLow = Infinity;
		for (let f = 0.01; f <= 0.4501; f += 0.02) {
			for (let ph = 0; ph < 180; ph += 20) {
				const err = toDb(truePeak(offPeak(f, ph, -6, 48000, 0.2), 48000)) - -6;
				over = Math.max(over, err);
				if (f <= 0.3) underLow = Math.min(underLow, err);
			}
		}
		expect(over).toBeLessThanOrEqual(0.05);
		expect(underLow).toBeGreaterThanOrEqual(-0.4);
	});
});

describe('region by region (long songs measured as they are separated)', () => {
	/** Pseudo-random music-like signal: noise bursts, a sweep and silence, different per channel. */
	function program(seconds: number, rate: number, channels: number): Float32Array[] {
		let seed = 7;
		const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
		return Array.from({ length: channels }, (_, c) =>
			Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => {
				const t = i / rate;
				const env = t % 3 < 2 ? 0.3 + 0.2 * Math.sin(t * (c + 1)) : 0.001;
				return env * (0.5 * rnd() + 0.5 * Math.sin(2 * Math.PI * (200 + 300 * t) * t));
			})
		);
	}
	/** Splits [0, n) into pieces of random sizes between 1 and `max` samples. */
	function cuts(n: number, max: number): number[] {
		let seed = 11;
		const out = [0];
		while (out[out.length - 1] < n) out.push(Math.min(n, out[out.length - 1] + 1 + (((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % max)));
		return out;
	}
	for (const [rate, channels, max] of [
		[44100, 2, 30000],
		[48000, 6, 5000],
		[22050, 1, 40]
	] as const) {
		it(`LoudnessMeter equals measureLoudness exactly (${rate} Hz, ${channels} channels, pieces up to ${max} samples)`, () => {
			const signal = program(8, rate, channels);
			const whole = measureLoudness(signal, rate);
			const meter = new LoudnessMeter(channels, rate);
			const at = cuts(signal[0].length, max);
			for (let i = 0; i + 1 < at.length; i++) meter.push(signal.map((ch) => ch.subarray(at[i], at[i + 1])));
			expect(meter.finish()).toEqual(whole);
		});
	}
	it('TruePeakTracker equals truePeak for pieces of 1 to 100 samples', () => {
		const [ch] = program(2, 48000, 1);
		ch[50_000] = 0.99; // an isolated crest next to a piece boundary somewhere
		const tracker = new TruePeakTracker(48000);
		const at = cuts(ch.length, 100);
		for (let i = 0; i + 1 < at.length; i++) tracker.push(ch.subarray(at[i], at[i + 1]));
		expect(tracker.finish()).toBe(truePeak(ch, 48000));
	});
	it('rejects a region with the wrong channel count', () => {
		expect(() => new LoudnessMeter(2, 48000).push([new Float32Array(10)])).toThrow(/channels/);
	});
});
