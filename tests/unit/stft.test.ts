import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSimdFft, setSimdFftEnabled, simdFftActive } from '../../src/lib/dsp/simd-fft';
import { frameCount, istft, stft } from '../../src/lib/dsp/stft';
import { loadGolden, maxAbsDiff } from './golden';

// Every golden case on both FFTs: the TypeScript one, and the WASM SIMD one where it can do the
// size (32 and 2048; 16 is below its minimum and stays on the TypeScript FFT).
describe.each([
	['TypeScript FFT', false],
	['WASM SIMD FFT', true]
])('%s', (_, simd) => {
	beforeAll(async () => {
		expect(await loadSimdFft()).toBe(true);
		setSimdFftEnabled(simd);
		expect(simdFftActive()).toBe(simd);
	});
	afterAll(() => setSimdFftEnabled(true));
	goldenCases();
});

function goldenCases() {
	describe.each(['small', 'odd-hop', 'model'])('STFT against torch golden vectors (%s)', (name) => {
		const g = loadGolden(`stft-${name}`);
		const params = { nFft: g.nFft as number, hopLength: g.hopLength as number };
		const length = g.length as number;
		const { signal, stft: ref, spectrum, istft: refIstft } = g.arrays;
		const frames = ref.shape[1];

		it('has torch.stft frame count', () => {
			expect(frameCount(length, params.hopLength)).toBe(frames);
		});

		it('matches torch.stft to 1e-5 (relative to the spectrum peak)', () => {
			const ours = stft(signal.data, params);
			let peak = 0;
			for (const v of ref.data) peak = Math.max(peak, Math.abs(v));
			expect(maxAbsDiff(ours, ref.data) / peak).toBeLessThan(1e-5);
		});

		it('matches torch.istft of an arbitrary spectrum to 1e-5', () => {
			const ours = istft(spectrum.data, frames, length, params);
			expect(maxAbsDiff(ours, refIstft.data)).toBeLessThan(1e-5);
		});

		it('round-trips a signal to 1e-5', () => {
			const back = istft(stft(signal.data, params), frames, length, params);
			expect(maxAbsDiff(back, signal.data)).toBeLessThan(1e-5);
		});
	});
}

describe('STFT input checks', () => {
	it('rejects signals too short for reflect padding', () => {
		expect(() => stft(new Float32Array(8), { nFft: 16, hopLength: 4 })).toThrow(/too short/);
	});
	it('rejects a spectrum of the wrong size', () => {
		expect(() => istft(new Float32Array(10), 3, 20, { nFft: 16, hopLength: 4 })).toThrow(/expected/);
	});
});
