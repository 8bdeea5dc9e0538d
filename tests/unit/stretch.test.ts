import { describe, expect, it } from 'vitest';
import { StretchStream, stretchAudio, stretchedReader } from '../../src/lib/stretch/offline';
import { clampPractice, isNeutral, practiceLabel, stretchedFrames } from '../../src/lib/stretch/settings';
import { mixFileName, stemFileName, zipFileName } from '../../src/lib/export/files';
import { renderMix } from '../../src/lib/mixdown/render';
import { parseWav } from '../../src/lib/dsp/wav';
import { practiceKey, quickLoop } from '../../src/lib/playback/practice-keys';

const RATE = 44100;

function tone(hz: number, seconds: number, rate = RATE): Float32Array {
	const x = new Float32Array(Math.round(seconds * rate));
	for (let i = 0; i < x.length; i++) x[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / rate);
	return x;
}

/** The frequency of the strongest partial within ±range Hz of `near`: a Hann-windowed DFT over the middle half, scanned at 0.01 Hz. */
function frequency(x: Float32Array, near: number, range = 6, rate = RATE): number {
	const a = Math.floor(x.length / 4);
	const b = Math.floor((3 * x.length) / 4);
	const power = (f: number) => {
		let re = 0;
		let im = 0;
		for (let i = a; i < b; i++) {
			const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i - a)) / (b - a));
			re += w * x[i] * Math.cos((2 * Math.PI * f * i) / rate);
			im += w * x[i] * Math.sin((2 * Math.PI * f * i) / rate);
		}
		return re * re + im * im;
	};
	let best = near;
	let most = -1;
	for (let step = 0.5, lo = near - range, hi = near + range; step >= 0.01; step /= 5) {
		for (let f = lo; f <= hi; f += step) {
			const p = power(f);
			if (p > most) [most, best] = [p, f];
		}
		[lo, hi] = [best - step, best + step];
	}
	return best;
}

const argmaxAbs = (x: Float32Array) => x.reduce((bi, v, i) => (Math.abs(v) > Math.abs(x[bi]) ? i : bi), 0);

/** Where two signals first differ: -1 when they are equal sample for sample (toEqual on long typed arrays takes minutes). */
const firstDifference = (a: Float32Array, b: Float32Array) => (a.length !== b.length ? Math.min(a.length, b.length) : a.findIndex((v, i) => !Object.is(v, b[i])));

describe('practice settings', () => {
	it('clamps speed to 50–150 % in whole percent and semitones to whole ±12; refuses non-numbers', () => {
		expect(clampPractice({ speed: 0.3, semitones: 20 })).toEqual({ speed: 0.5, semitones: 12 });
		expect(clampPractice({ speed: 1.234, semitones: -2.6 })).toEqual({ speed: 1.23, semitones: -3 });
		expect(() => clampPractice({ speed: NaN, semitones: 0 })).toThrow(RangeError);
		expect(isNeutral(clampPractice({ speed: 1.001, semitones: 0.2 }))).toBe(true);
	});
	it('says what was applied', () => {
		expect(practiceLabel({ speed: 0.8, semitones: 2 })).toBe('80% speed, +2 st');
		expect(practiceLabel({ speed: 1, semitones: -3 })).toBe('−3 st');
		expect(practiceLabel({ speed: 1, semitones: -3 }, { ascii: true })).toBe('-3 st');
		expect(practiceLabel({ speed: 1.25, semitones: 0 })).toBe('125% speed');
		expect(practiceLabel({ speed: 1, semitones: 0 })).toBe('');
	});
});

describe('time stretch and pitch shift (Signalsmith Stretch)', () => {
	it('a 440 Hz tone at 50 % speed is twice as long and still 440 Hz (within 1 Hz)', async () => {
		const x = tone(440, 2);
		const [y] = await stretchAudio([x], RATE, { speed: 0.5, semitones: 0 });
		expect(y.length).toBe(2 * x.length);
		expect(Math.abs(frequency(y, 440) - 440)).toBeLessThanOrEqual(1);
		// and not silent: the tone's level is kept (within 3 dB)
		const rms = (v: Float32Array) => Math.sqrt(v.subarray(v.length / 4, (3 * v.length) / 4).reduce((s, a) => s + a * a, 0) / (v.length / 2));
		expect(Math.abs(20 * Math.log10(rms(y) / rms(x)))).toBeLessThan(3);
	});

	it('+2 semitones moves 440 Hz to 493.9 Hz (within 1 Hz) at the same length', async () => {
		const x = tone(440, 2);
		const [y] = await stretchAudio([x], RATE, { speed: 1, semitones: 2 });
		expect(y.length).toBe(x.length);
		expect(Math.abs(frequency(y, 493.88) - 493.88)).toBeLessThanOrEqual(1);
	});

	it('changes speed and pitch together: 75 % and −12 semitones', async () => {
		const [y] = await stretchAudio([tone(440, 2)], RATE, { speed: 0.75, semitones: -12 });
		expect(y.length).toBe(stretchedFrames(2 * RATE, 0.75));
		expect(Math.abs(frequency(y, 220) - 220)).toBeLessThanOrEqual(1);
	});

	it('keeps stems sample-aligned: a click at the same sample of four different stems lands at one sample in all of them', async () => {
		const n = 3 * RATE;
		const click = 50_000;
		const stems = [0, 1, 2, 3].map((s) => {
			const x = tone(110 * (s + 1) + 7 * s, 3).map((v) => 0.4 * v);
			x[click] += 0.9;
			return [x, x.slice()];
		});
		for (const settings of [
			{ speed: 0.8, semitones: 3 },
			{ speed: 0.5, semitones: 0 },
			{ speed: 1.37, semitones: -5 }
		]) {
			const out = await Promise.all(stems.map((s) => stretchAudio(s, RATE, settings)));
			expect(out.every((o) => o[0].length === stretchedFrames(n, settings.speed))).toBe(true);
			const at = out.map((o) => argmaxAbs(o[0]));
			// the same sample in every stem (within 2 samples: 0.05 ms, the click's smear differs with what else plays)
			expect(Math.max(...at) - Math.min(...at)).toBeLessThanOrEqual(2);
			// where the click belongs: input sample / speed (within 1 ms)
			for (const a of at) expect(Math.abs(a - click / settings.speed)).toBeLessThan(RATE / 1000);
		}
		// the same input gives the same output, sample for sample
		const [a, b] = await Promise.all([stretchAudio(stems[0], RATE, { speed: 0.9, semitones: 1 }), stretchAudio(stems[0], RATE, { speed: 0.9, semitones: 1 })]);
		expect(firstDifference(a[0], b[0])).toBe(-1);
		// both channels of a stereo stem alike (the engine's channels are not bit-identical: within −60 dB)
		expect(a[1].reduce((m, v, i) => Math.max(m, Math.abs(v - a[0][i])), 0)).toBeLessThan(1e-3);
	});

	it('region by region (as exports read stems from disk) equals the whole-array stretch, sample for sample', async () => {
		const x = tone(300, 1.5).map((v, i) => v + 0.3 * Math.sin(i / 50));
		const settings = { speed: 1.2, semitones: -2 };
		const [whole] = await stretchAudio([x], RATE, settings);
		const reader = stretchedReader((a, b) => [x.subarray(a, b)], x.length, 1, RATE, settings);
		expect(reader.frames).toBe(whole.length);
		const parts: Float32Array[] = [];
		for (let f = 0, size = 1000; f < reader.frames; f += size, size = (size * 7) % 9001 || 1000) parts.push((await reader.read(f, Math.min(reader.frames, f + size)))[0]);
		const joined = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
		parts.reduce((at, p) => (joined.set(p, at), at + p.length), 0);
		expect(firstDifference(joined, whole)).toBe(-1);
		// reading from the start again restarts the stretch and gives the same samples
		expect(firstDifference((await reader.read(0, 5000))[0], whole.subarray(0, 5000))).toBe(-1);
		reader.close();
	});

	it('neutral settings copy the input untouched; a signal shorter than the engine latency still comes out at its length', async () => {
		const x = tone(440, 0.5);
		const [same] = await stretchAudio([x], RATE, { speed: 1, semitones: 0 });
		expect(firstDifference(same, x)).toBe(-1);
		expect(same).not.toBe(x);
		const [short] = await stretchAudio([x.subarray(0, 100)], RATE, { speed: 0.5, semitones: 0 });
		expect(short.length).toBe(200);
		expect(() => new StretchStream(() => [], 10, 1, RATE, { speed: 3, semitones: 0 })).toThrow(RangeError);
	});
});

describe('exports at the practice settings', () => {
	it('name what was applied: stems, mixes and zips', () => {
		const practice = { speed: 0.8, semitones: 2 };
		expect(stemFileName('song.mp3', 'vocals', { practice })).toBe('song - vocals (80% speed, +2 st).wav');
		expect(stemFileName('song.mp3', 'vocals', { practice: { speed: 1, semitones: -3 }, model: 'm1', format: 'flac24' })).toBe('song - vocals (-3 st) (m1).flac');
		expect(stemFileName('song.mp3', 'vocals', { practice: { speed: 1, semitones: 0 } })).toBe('song - vocals.wav');
		expect(zipFileName('song.mp3', { practice: { speed: 1.5, semitones: 0 } })).toBe('song - stems wav24 (150% speed).zip');
		expect(mixFileName('song.mp3', 'instrumental', { practice, lufs: -14 })).toBe('song - instrumental -14 LUFS (80% speed, +2 st).wav');
	});

	it('a mix rendered at 50 % speed is twice as long, at its pitch', async () => {
		const x = tone(440, 1);
		const rendered = await renderMix({ sampleRate: RATE, channels: [x, x.slice()] }, 'float32', null, undefined, undefined, { speed: 0.5, semitones: 0 });
		if (!rendered.ok) throw new Error(rendered.error);
		const wav = parseWav(rendered.bytes);
		expect(wav.channels[0].length).toBe(2 * x.length);
		expect(Math.abs(frequency(wav.channels[0], 440) - 440)).toBeLessThanOrEqual(1);
	});
});

describe('practice keys', () => {
	it('[ ] step the speed by 5 % within 50–150 %, - = the pitch by a semitone within ±12, 0 resets; other keys are not theirs', () => {
		const s = { speed: 1, semitones: 0 };
		expect(practiceKey('[', s)).toEqual({ speed: 0.95, semitones: 0 });
		expect(practiceKey(']', { speed: 1.5, semitones: 0 })).toEqual({ speed: 1.5, semitones: 0 });
		expect(practiceKey('[', { speed: 0.5, semitones: 0 })).toEqual({ speed: 0.5, semitones: 0 });
		expect(practiceKey('=', s)).toEqual({ speed: 1, semitones: 1 });
		expect(practiceKey('+', { speed: 1, semitones: 12 })).toEqual({ speed: 1, semitones: 12 });
		expect(practiceKey('-', { speed: 0.8, semitones: -12 })).toEqual({ speed: 0.8, semitones: -12 });
		expect(practiceKey('0', { speed: 0.7, semitones: 3 })).toEqual({ speed: 1, semitones: 0 });
		// ten presses down from 100 % land on exactly 50 % (no drift from adding 0.05)
		let t = s;
		for (let i = 0; i < 10; i++) t = practiceKey('[', t)!;
		expect(t.speed).toBe(0.5);
		expect(practiceKey('k', s)).toBeNull();
		expect(practiceKey('L', s)).toBeNull();
	});

	it('L loops four bars from the bar the playhead is in; near the end the last four; without a grid eight seconds', () => {
		const bars = [0.5, 2.5, 4.5, 6.5, 8.5, 10.5, 12.5];
		expect(quickLoop(3, 14, bars)).toEqual({ start: 2.5, end: 10.5 });
		expect(quickLoop(12, 14, bars)).toEqual({ start: 4.5, end: 12.5 });
		expect(quickLoop(0.1, 14, bars)).toEqual({ start: 0.5, end: 8.5 });
		expect(quickLoop(3, 20, null)).toEqual({ start: 3, end: 11 });
		expect(quickLoop(18, 20, null)).toEqual({ start: 12, end: 20 });
		expect(quickLoop(1, 5, null)).toEqual({ start: 0, end: 5 });
		expect(quickLoop(0, 0, null)).toBeNull();
	});
});
