import { describe, expect, it } from 'vitest';
import { usdr } from '../../src/lib/dsp/sdr';
import { noise, sine } from './signals';

describe('uSDR', () => {
	it('is the energy ratio of reference to error, in dB, over all channels', () => {
		const ref = [sine(440, 44100, 44100, 0.5), sine(220, 44100, 44100, 0.5)];
		// estimate = reference scaled by 0.9: error energy is exactly 1% of the signal energy -> 20 dB
		const est = ref.map((c) => c.map((v) => v * 0.9));
		expect(usdr(ref, est)).toBeCloseTo(20, 3);
		// error only in one channel: twice the signal energy over the same error -> 20 + 3.01 dB
		const oneChannel = [est[0], ref[1]];
		expect(usdr(ref, oneChannel)).toBeCloseTo(20 + 10 * Math.log10(2), 3);
	});

	it('is 0 dB for a silent estimate and very high for a perfect one', () => {
		const ref = [noise(10000, 3, 0.3)];
		expect(usdr(ref, [new Float32Array(10000)])).toBeCloseTo(0, 6);
		expect(usdr(ref, [ref[0].slice()])).toBeGreaterThan(70);
	});

	it('rejects mismatched shapes', () => {
		expect(() => usdr([new Float32Array(4)], [new Float32Array(5)])).toThrow(/4 vs 5/);
		expect(() => usdr([new Float32Array(4)], [])).toThrow(/channels/);
	});
});
