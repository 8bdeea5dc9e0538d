import { describe, expect, it } from 'vitest';
import { estimateEta, CancelledError } from '../../src/lib/separation/progress';
import { separateAudio } from '../../src/lib/separation/pipeline';
import type { RunModel } from '../../src/lib/separation/separate';
import { fakeManifest } from './fake-manifest';
import { maxAbsDiff } from './golden';
import { diff, noise, rmsDb, sine } from './signals';

const manifest = fakeManifest({
	stems: ['vocals', 'drums', 'other'],
	stft: { nFft: 256, hopLength: 64, window: 'hann', center: true, padMode: 'reflect' },
	chunk: { frames: 65, samples: 4096 }
});

/** A fake network applying fixed real masks: vocals 0.5, drums 0.25 (so other = 0.25). */
const maskModel: RunModel = async (input, dims) => {
	const out = new Float32Array(input.length * 2);
	for (let i = 0; i < input.length; i++) {
		out[i] = 0.5 * input[i];
		out[input.length + i] = 0.25 * input[i];
	}
	expect(dims).toEqual([1, 2, 129, 65, 2]);
	return out;
};

describe('separateAudio', () => {
	const length = 44100;
	const stereo = { sampleRate: 44100, channels: [sine(220, 44100, length), noise(length, 5, 0.3)] };

	it('applies the masks across chunk boundaries and derives the residual', async () => {
		const calls: number[] = [];
		const res = await separateAudio(stereo, manifest, maskModel, { onChunk: (d) => calls.push(d) });
		expect(res.stems.map((s) => s.name)).toEqual(['vocals', 'drums', 'other']);
		expect(calls).toEqual(Array.from({ length: calls.length }, (_, i) => i)); // 0 before the first chunk, then each
		expect(calls.length).toBeGreaterThan(10);
		for (let c = 0; c < 2; c++) {
			const half = stereo.channels[c].map((v) => v * 0.5);
			expect(maxAbsDiff(res.stems[0].channels[c], half)).toBeLessThan(1e-5);
			expect(maxAbsDiff(res.stems[2].channels[c], stereo.channels[c].map((v) => v * 0.25))).toBeLessThan(1e-5);
		}
	});

	it('returns stems at the file rate and channel count that sum to the input', async () => {
		const mono = { sampleRate: 48000, channels: [sine(440, 48000, 24000)] };
		const res = await separateAudio(mono, manifest, maskModel);
		expect(res.sampleRate).toBe(48000);
		expect(res.notes.join(' ')).toMatch(/Mono.*Resampled 48000 Hz/);
		const sum = new Float32Array(24000);
		for (const s of res.stems) {
			expect(s.channels).toHaveLength(1);
			expect(s.channels[0]).toHaveLength(24000);
			s.channels[0].forEach((v, i) => (sum[i] += v));
		}
		expect(maxAbsDiff(sum, mono.channels[0])).toBeLessThan(1e-5);
		// and the masked stem survives the round trip through 44.1 kHz
		const err = rmsDb(diff(res.stems[0].channels[0].subarray(2000, 22000), mono.channels[0].map((v) => v / 2).subarray(2000, 22000)));
		expect(err - rmsDb(mono.channels[0])).toBeLessThan(-70);
	});

	it('stops between chunks when cancelled', async () => {
		let n = 0;
		await expect(separateAudio(stereo, manifest, maskModel, { onChunk: (d) => (n = d), isCancelled: () => n >= 2 })).rejects.toThrow(CancelledError);
		expect(n).toBe(2);
	});

	it('rejects a model whose output has the wrong number of stems', async () => {
		const bad: RunModel = async (input) => input.slice();
		await expect(separateAudio(stereo, manifest, bad)).rejects.toThrow(/expected .* \(2 stems\)/);
	});
});

describe('estimateEta', () => {
	it('extrapolates linearly and waits for data', () => {
		expect(estimateEta(0, 10, 1000)).toBeNull();
		expect(estimateEta(2, 10, 1000)).toBe(4);
	});
});
