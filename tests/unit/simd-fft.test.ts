import { beforeAll, describe, expect, it } from 'vitest';
import { FFT } from '../../src/lib/dsp/fft';
import { loadSimdFft, setSimdFftEnabled, simdFftActive, simdFftSupports, simdRealFft } from '../../src/lib/dsp/simd-fft';
import { istft, stft } from '../../src/lib/dsp/stft';
import { separateAudio } from '../../src/lib/separation/pipeline';
import type { RunModel } from '../../src/lib/separation/separate';
import { fakeManifest } from './fake-manifest';
import { maxAbsDiff } from './golden';
import { diff, noise, rmsDb, sine } from './signals';

beforeAll(async () => {
	expect(await loadSimdFft()).toBe(true);
	expect(loadSimdFft()).toBe(loadSimdFft()); // loaded once
});

/** The half spectrum of a real signal by the TypeScript FFT, in the SIMD FFT's layout. */
function referenceSpectrum(x: Float32Array): Float64Array {
	const n = x.length;
	const fft = new FFT(n);
	const re = Float64Array.from(x);
	const im = new Float64Array(n);
	fft.transform(re, im);
	const out = new Float64Array(n);
	out[0] = re[0];
	out[1] = re[n / 2];
	for (let k = 1; k < n / 2; k++) {
		out[2 * k] = re[k];
		out[2 * k + 1] = im[k];
	}
	return out;
}

describe('WASM SIMD real FFT', () => {
	it('supports the sizes PFFFT can do (multiples of 32 with factors 2, 3, 5 only)', () => {
		for (const n of [32, 256, 2048, 6144, 7680, 1 << 16]) expect(simdFftSupports(n)).toBe(true);
		for (const n of [0, 16, 48, 2047, 7 * 64, 11 * 32, 2048.5]) expect(simdFftSupports(n)).toBe(false);
		expect(simdRealFft(16)).toBeNull(); // the STFT keeps the TypeScript FFT for such sizes
	});

	it.each([64, 2048])('matches the TypeScript FFT forward and inverts it backward (N = %i)', (n) => {
		const fft = simdRealFft(n)!;
		const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.9) + (i % 7) / 10);
		fft.input.set(x);
		fft.forward();
		const ref = referenceSpectrum(x);
		let peak = 0;
		for (const v of ref) peak = Math.max(peak, Math.abs(v));
		expect(maxAbsDiff(fft.output, ref) / peak).toBeLessThan(1e-6);
		fft.input.set(fft.output);
		fft.backward();
		expect(maxAbsDiff(fft.output.map((v) => v / n), x)).toBeLessThan(1e-5);
	});

	it('keeps working after another size grows the module memory', () => {
		const small = simdRealFft(2048)!;
		const before = small.input.buffer;
		expect(simdRealFft(1 << 22)).not.toBeNull(); // 3 × 16 MiB of buffers: the memory grows
		expect(small.input.buffer).not.toBe(before);
		expect(small.input.length).toBe(2048);
		const x = Float32Array.from({ length: 2048 }, (_, i) => Math.cos(i * 0.01));
		small.input.set(x);
		small.forward();
		expect(maxAbsDiff(small.output, referenceSpectrum(x)) / 1024).toBeLessThan(1e-6);
	});

	it('is used by the STFT only while switched on', () => {
		const x = Float32Array.from({ length: 4000 }, (_, i) => Math.sin(i * 0.05));
		const p = { nFft: 256, hopLength: 64 };
		setSimdFftEnabled(false);
		expect(simdFftActive()).toBe(false);
		expect(simdRealFft(256)).toBeNull();
		const js = stft(x, p);
		setSimdFftEnabled(true);
		expect(simdFftActive()).toBe(true);
		const simd = stft(x, p);
		expect(simd).not.toEqual(js); // float32 transforms: not bit-identical, only close
		expect(maxAbsDiff(simd, js)).toBeLessThan(1e-5);
		const frames = simd.length / (129 * 2);
		expect(maxAbsDiff(istft(simd, frames, x.length, p), istft(js, frames, x.length, p))).toBeLessThan(1e-6);
	});
});

describe('separation on the SIMD FFT', () => {
	const manifest = fakeManifest({
		stems: ['vocals', 'other'],
		stft: { nFft: 2048, hopLength: 441, window: 'hann', center: true, padMode: 'reflect' },
		chunk: { frames: 41, samples: 17640 }
	});
	/** A mask that depends on frequency (so any transform error shows): low bins to vocals. */
	const model: RunModel = async (input, dims) => {
		const [, S, F, T] = dims;
		const out = new Float32Array(input.length);
		for (let s = 0; s < S; s++)
			for (let f = 0; f < F; f++)
				for (let t = 0; t < T; t++) {
					const o = ((s * F + f) * T + t) * 2;
					const m = f < 60 ? 0.9 : 0.1;
					out[o] = m * input[o];
					out[o + 1] = m * input[o + 1];
				}
		return out;
	};

	it('gives the same stems as the TypeScript FFT to 1e-5', async () => {
		const n = 50000;
		const low = sine(220, 44100, n, 0.4);
		const high = sine(5000, 44100, n, 0.4);
		const audio = { sampleRate: 44100, channels: [low.map((v, i) => v + high[i]), noise(n, 3, 0.3)] };
		setSimdFftEnabled(false);
		const js = await separateAudio(audio, manifest, model);
		setSimdFftEnabled(true);
		const simd = await separateAudio(audio, manifest, model);
		for (let k = 0; k < 2; k++) for (let c = 0; c < 2; c++) expect(maxAbsDiff(simd.stems[k].channels[c], js.stems[k].channels[c])).toBeLessThan(1e-5);
		// the mask did its work on the SIMD path too: vocals ≈ 0.9·(220 Hz) + 0.1·(5 kHz), well below the tones' level
		const expected = low.map((v, i) => 0.9 * v + 0.1 * high[i]);
		expect(rmsDb(diff(simd.stems[0].channels[0].subarray(5000, 45000), expected.subarray(5000, 45000))) - rmsDb(expected)).toBeLessThan(-30);
	});
});
