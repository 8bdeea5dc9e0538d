import { describe, expect, it } from 'vitest';
import { resample, resampledLength } from '../../src/lib/dsp/resample';
import { diff, noise, rmsDb, sine } from './signals';

/** Middle of a signal, away from the zero-padded edges. */
const mid = (x: Float32Array, edge: number) => x.subarray(edge, x.length - edge);

describe('resample', () => {
	it.each([
		[48000, 44100],
		[44100, 48000],
		[22050, 44100],
		[96000, 44100],
		[11025, 44100]
	])('%i -> %i keeps a 1 kHz sine to -80 dB', (from, to) => {
		const seconds = 0.5;
		const x = sine(1000, from, from * seconds, 0.5, 0.3);
		const y = resample(x, from, to);
		expect(y.length).toBe(resampledLength(x.length, from, to));
		const ref = sine(1000, to, y.length, 0.5, 0.3);
		const err = rmsDb(mid(diff(y, ref), 2000)) - rmsDb(mid(ref, 2000));
		expect(err).toBeLessThan(-80);
	});

	it('removes content above the new Nyquist frequency (aliasing below -80 dB)', () => {
		const x = sine(30000, 96000, 48000, 0.5);
		const y = resample(x, 96000, 44100);
		expect(rmsDb(mid(y, 2000)) - rmsDb(x)).toBeLessThan(-80);
	});

	it('is a copy at equal rates', () => {
		const x = noise(100, 9);
		const y = resample(x, 44100, 44100);
		expect(y).not.toBe(x);
		expect(Array.from(y)).toEqual(Array.from(x));
	});

	it('rejects nonsense rates', () => {
		expect(() => resample(new Float32Array(4), 0, 44100)).toThrow(RangeError);
	});
});
