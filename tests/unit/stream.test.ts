import { describe, expect, it } from 'vitest';
import { OverlapAdd, StreamingOverlapAdd, planChunks } from '../../src/lib/dsp/chunking';
import { StreamResampler, resample } from '../../src/lib/dsp/resample';
import { separateAudio } from '../../src/lib/separation/pipeline';
import type { RunModel } from '../../src/lib/separation/separate';
import { outputLayout, separateAudioStream } from '../../src/lib/separation/stream';
import { fakeManifest } from './fake-manifest';
import { noise, sine } from './signals';

const manifest = fakeManifest({
	stems: ['vocals', 'other', 'drums'],
	stft: { nFft: 256, hopLength: 64, window: 'hann', center: true, padMode: 'reflect' },
	chunk: { frames: 65, samples: 4096 }
});

/** A nonlinear fake network, so each chunk's output depends on where the chunk lies. */
const squash: RunModel = async (input) => {
	const out = new Float32Array(input.length * 2);
	for (let i = 0; i < input.length; i++) {
		out[i] = Math.tanh(input[i]) * 0.5;
		out[input.length + i] = input[i] * input[i] * 0.01;
	}
	return out;
};

/** Collects a stream back into whole stems, checking the regions are in order and contiguous. */
function collector(stems: number, channels: number, length: number) {
	const whole = Array.from({ length: stems }, () => Array.from({ length: channels }, () => new Float32Array(length)));
	let next = 0;
	let biggest = 0;
	const sink = (start: number, region: Float32Array[][]) => {
		expect(start).toBe(next);
		expect(region).toHaveLength(stems);
		region.forEach((chs, n) => chs.forEach((r, c) => whole[n][c].set(r, start)));
		next += region[0][0].length;
		biggest = Math.max(biggest, region[0][0].length);
	};
	return { whole, sink, done: () => next, biggest: () => biggest };
}

describe('StreamingOverlapAdd', () => {
	it('flushes exactly the samples OverlapAdd finishes with, holding one chunk', () => {
		const length = 10_000;
		const plan = planChunks(length, 1000, 250);
		const whole = new OverlapAdd(length, plan);
		const stream = new StreamingOverlapAdd(length, plan);
		const parts: Float32Array[] = [];
		plan.starts.forEach((_, c) => {
			const block = noise(1000, c + 1);
			whole.add(c, block);
			stream.add(c, block);
			parts.push(stream.flush(c + 1 < plan.starts.length ? plan.starts[c + 1] : length));
		});
		const joined = new Float32Array(length);
		let o = 0;
		for (const p of parts) (joined.set(p, o), (o += p.length));
		expect(o).toBe(length);
		expect(Array.from(joined)).toEqual(Array.from(whole.finish()));
	});

	it('refuses a chunk that would need samples already flushed or not yet flushed', () => {
		const plan = planChunks(5000, 1000, 250);
		const stream = new StreamingOverlapAdd(5000, plan);
		stream.add(0, new Float32Array(1000));
		expect(() => stream.add(2, new Float32Array(1000))).toThrow(RangeError);
	});
});

describe('StreamResampler', () => {
	for (const [from, to] of [
		[48000, 44100],
		[44100, 48000],
		[22050, 44100]
	]) {
		it(`${from} -> ${to} in uneven pieces equals resample of the whole`, () => {
			const x = noise(20_011, 7);
			const r = new StreamResampler(x.length, from, to);
			const out: number[] = [];
			let i = 0;
			let piece = 1;
			while (i < x.length) {
				const p = x.subarray(i, i + piece);
				out.push(...r.push(p));
				i += p.length;
				piece = (piece * 7 + 3) % 2500;
			}
			out.push(...r.end());
			expect(out).toEqual(Array.from(resample(x, from, to)));
		});
	}
});

describe('separateAudioStream', () => {
	it('gives the same stems as separateAudio (stereo, residual), in small regions', async () => {
		const length = 30_000;
		const audio = { sampleRate: 44100, channels: [sine(220, 44100, length), noise(length, 5, 0.3)] };
		const ref = await separateAudio(audio, manifest, squash);
		const got = collector(3, 2, length);
		const res = await separateAudioStream(audio, manifest, squash, got.sink);
		expect(res.layout).toEqual({ stems: ['vocals', 'other', 'drums'], channels: 2 });
		expect(ref.stems.map((s) => s.name)).toEqual(res.layout.stems);
		expect(got.done()).toBe(length);
		expect(got.biggest()).toBeLessThanOrEqual(manifest.chunk.samples);
		ref.stems.forEach((s, n) => s.channels.forEach((ch, c) => expect(Array.from(got.whole[n][c])).toEqual(Array.from(ch))));
	});

	it('gives the same stems as separateAudio for a mono 48 kHz file (resampled both ways)', async () => {
		const length = 24_000;
		const audio = { sampleRate: 48000, channels: [sine(440, 48000, length)] };
		const ref = await separateAudio(audio, manifest, squash);
		const got = collector(3, 1, length);
		const res = await separateAudioStream(audio, manifest, squash, got.sink);
		expect(res.notes).toEqual(ref.notes);
		expect(res.layout.channels).toBe(1);
		expect(got.done()).toBe(length);
		ref.stems.forEach((s, n) => expect(Array.from(got.whole[n][0])).toEqual(Array.from(s.channels[0])));
	});

	it('lays out stems without a residual in network order', () => {
		expect(outputLayout({ ...manifest, residualStem: null }, 6)).toEqual({ stems: ['vocals', 'other', 'drums'], channels: 2 });
	});
});
