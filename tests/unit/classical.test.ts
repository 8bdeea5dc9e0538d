import { describe, expect, it } from 'vitest';
import { classicalSeparate } from '../../src/lib/dsp/classical';
import { usdr } from '../../src/lib/dsp/sdr';
import { noise, sine } from './signals';

const rate = 44100;
const n = rate * 2;

function clicks(): Float32Array {
	const x = new Float32Array(n);
	const burst = noise(400, 9, 0.8);
	for (let start = 2000; start + 400 < n; start += 11025) {
		for (let i = 0; i < 400; i++) x[start + i] = burst[i] * Math.exp(-i / 60);
	}
	return x;
}

function add(...xs: Float32Array[]): Float32Array {
	const out = new Float32Array(n);
	for (const x of xs) for (let i = 0; i < n; i++) out[i] += x[i];
	return out;
}

describe('classical (HPSS + crossover + centre) baseline', () => {
	const bass = sine(55, rate, n, 0.3);
	const voice = sine(660, rate, n, 0.2);
	const drums = clicks();
	// voice in the centre, bass centre, drums hard left
	const left = add(bass, voice, drums);
	const right = add(bass, voice);
	const out = classicalSeparate({ sampleRate: rate, channels: [left, right] });

	it('returns four stereo stems that sum to the mix', () => {
		expect(Object.keys(out).sort()).toEqual(['bass', 'drums', 'other', 'vocals']);
		for (let i = 0; i < n; i += 997) {
			const sum = out.vocals[0][i] + out.drums[0][i] + out.bass[0][i] + out.other[0][i];
			expect(sum).toBeCloseTo(left[i], 5);
		}
	});

	it('puts a steady low tone in bass, a centred mid tone in vocals, clicks in drums', () => {
		expect(usdr([bass, bass], out.bass)).toBeGreaterThan(10);
		expect(usdr([voice, voice], out.vocals)).toBeGreaterThan(6);
		expect(usdr([drums, new Float32Array(n)], out.drums)).toBeGreaterThan(3);
		// and each is clearly better than using the mixture as the estimate
		expect(usdr([bass, bass], out.bass)).toBeGreaterThan(usdr([bass, bass], [left, right]) + 6);
	});
});
