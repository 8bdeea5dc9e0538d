import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forEachMixFrame } from '../../src/lib/analysis/frames';
import { keyProfiles } from '../../src/lib/analysis/key';
import { estimateTempo, onsetEnvelope } from '../../src/lib/analysis/tempo';
import { loadSimdFft, setSimdFftEnabled, simdFftActive } from '../../src/lib/dsp/simd-fft';
import { noise, sine } from './signals';

beforeAll(async () => {
	expect(await loadSimdFft()).toBe(true);
});
afterEach(() => setSimdFftEnabled(true));

const RATE = 44100;
/** A chord with overtones over noise, its level swelling, in two channels that differ. */
function song(seconds: number): Float32Array[] {
	const n = seconds * RATE;
	const tones = [220, 277.18, 329.63, 110].map((f, k) => sine(f, RATE, n, 0.1 / (k + 1)));
	const hiss = noise(n, 7, 0.01);
	const left = new Float32Array(n);
	const right = new Float32Array(n);
	for (let i = 0; i < n; i++) {
		const swell = 0.5 + 0.5 * Math.sin((2 * Math.PI * i) / RATE);
		const chord = tones.reduce((a, t) => a + t[i], 0) * swell;
		left[i] = chord + hiss[i];
		right[i] = 0.8 * chord - hiss[i];
	}
	return [left, right];
}

/** Every frame's magnitudes, on the FFT that is active now. */
function frames(channels: Float32Array[], factor: number, nFft: number, hop: number): Float64Array[] {
	const out: Float64Array[] = [];
	forEachMixFrame(channels, factor, nFft, hop, (mag) => out.push(mag.slice()));
	return out;
}

function maxRelDiff(a: Float64Array[], b: Float64Array[]): number {
	let peak = 0;
	let diff = 0;
	a.forEach((fa, t) =>
		fa.forEach((v, k) => {
			peak = Math.max(peak, Math.abs(b[t][k]));
			diff = Math.max(diff, Math.abs(v - b[t][k]));
		})
	);
	return diff / peak;
}

describe('analysis spectra on the WASM SIMD FFT', () => {
	const channels = song(8);

	it.each([
		[4, 8192, 2048], // the key's spectra
		[2, 512, 221] // the tempo's
	])('give the TypeScript FFT magnitudes to float32 precision (factor %i, %i points)', (factor, nFft, hop) => {
		expect(simdFftActive()).toBe(true);
		const simd = frames(channels, factor, nFft, hop);
		setSimdFftEnabled(false);
		const ts = frames(channels, factor, nFft, hop);
		expect(simd.length).toBe(ts.length);
		expect(simd.length).toBeGreaterThan(2);
		expect(maxRelDiff(simd, ts)).toBeLessThan(1e-5);
		// DC and Nyquist bins are unpacked from the SIMD layout too
		expect(Math.abs(simd[1][0] - ts[1][0])).toBeLessThan(1e-5 * Math.max(1, ts[1][0]));
		expect(Math.abs(simd[1][nFft / 2] - ts[1][nFft / 2])).toBeLessThan(1e-6 + 1e-5 * ts[1][nFft / 2]);
	});

	it('give the same key profiles and onset envelope as the TypeScript FFT', () => {
		const simdKey = keyProfiles(channels, RATE);
		const simdOnsets = onsetEnvelope(channels, RATE);
		setSimdFftEnabled(false);
		const tsKey = keyProfiles(channels, RATE);
		const tsOnsets = onsetEnvelope(channels, RATE);
		for (const part of ['full', 'bass', 'opening', 'chords'] as const)
			simdKey[part].forEach((v, p) => expect(v).toBeCloseTo(tsKey[part][p], 4));
		// the onset flux sums log1p(1000·|X|) rises over ~180 bins, near-silent ones included, where
		// float32 and float64 spectra differ most: 0.1 % of the envelope's peak at most here
		expect(simdOnsets.env.length).toBe(tsOnsets.env.length);
		const scale = Math.max(...tsOnsets.env);
		simdOnsets.env.forEach((v, t) => expect(Math.abs(v - tsOnsets.env[t])).toBeLessThan(3e-3 * scale));
		setSimdFftEnabled(true);
		const simdTempo = estimateTempo(channels, RATE);
		setSimdFftEnabled(false);
		expect(simdTempo?.bpm).toBeCloseTo(estimateTempo(channels, RATE)!.bpm, 1);
	});
});
