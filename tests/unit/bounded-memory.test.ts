import { describe, expect, it } from 'vitest';
import { WavStreamEncoder, wavFileBytes } from '../../src/lib/dsp/wav-stream';
import { encodeWav, parseWav, type WavFormat } from '../../src/lib/dsp/wav';
import { readWavInSlices } from '../../src/lib/dsp/wav-file';
import { IN_MEMORY_STEM_BYTES, keepInMemory, stemBytes, storedResult } from '../../src/lib/library/stored';
import { newEntry } from '../../src/lib/library/records';
import { nextSegment } from '../../src/lib/playback/segments';
import { BlockPeaks } from '../../src/lib/waveform/block-peaks';
import { computePeaks } from '../../src/lib/waveform/peaks';
import { noise, sine } from './signals';

function seeded(seed: number) {
	let s = seed;
	return () => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

describe('WavStreamEncoder', () => {
	for (const format of ['pcm16', 'pcm24', 'float32'] as WavFormat[]) {
		it(`${format}: header + regions are byte-identical to encodeWav of the whole`, () => {
			const channels = [noise(10_007, 3), sine(440, 44100, 10_007)];
			const whole = encodeWav({ sampleRate: 44100, channels }, { format, random: seeded(9) });
			const enc = new WavStreamEncoder(44100, 2, 10_007, { format, random: seeded(9) });
			const parts = [enc.header()];
			for (let f = 0; f < 10_007; f += 3000) parts.push(enc.body(channels.map((c) => c.subarray(f, f + 3000))));
			const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
			let o = 0;
			for (const p of parts) (joined.set(p, o), (o += p.length));
			expect(joined.length).toBe(wavFileBytes(10_007, 2, format));
			expect(Buffer.from(joined).equals(Buffer.from(whole))).toBe(true);
		});
	}

	it('refuses a file over 4 GiB before writing anything', () => {
		expect(() => new WavStreamEncoder(44100, 2, 600_000_000, { format: 'float32' })).toThrow(/4 GiB/);
	});
});

describe('BlockPeaks', () => {
	it('with one-frame blocks equals computePeaks; with larger blocks contains it', () => {
		const a = noise(5000, 1);
		const b = sine(100, 8000, 5000);
		const lanes = [[a, b]];
		const exact = new BlockPeaks(5000, 1);
		const coarse = new BlockPeaks(5000, 64);
		for (let f = 0; f < 5000; f += 777) {
			const region = [[a.subarray(f, f + 777), b.subarray(f, f + 777)]];
			exact.add(f, region);
			coarse.add(f, region);
		}
		for (const cols of [7, 300, 9000]) {
			const ref = computePeaks(lanes, cols);
			const got = exact.columns(cols);
			expect(Array.from(got.min)).toEqual(Array.from(ref.min));
			expect(Array.from(got.max)).toEqual(Array.from(ref.max));
			const wide = coarse.columns(cols);
			for (let k = 0; k < cols; k++) {
				expect(wide.min[k]).toBeLessThanOrEqual(ref.min[k]);
				expect(wide.max[k]).toBeGreaterThanOrEqual(ref.max[k]);
			}
		}
	});
});

describe('nextSegment', () => {
	it('cuts at segment length and the song end, and stops there without a loop', () => {
		expect(nextSegment(0, 5, null, 2)).toEqual({ start: 0, duration: 2 });
		expect(nextSegment(4, 5, null, 2)).toEqual({ start: 4, duration: 1 });
		expect(nextSegment(5, 5, null, 2)).toBeNull();
	});
	it('cuts at the loop end and goes back to the loop start', () => {
		const loop = { start: 1, end: 2.5 };
		expect(nextSegment(1, 10, loop, 2)).toEqual({ start: 1, duration: 1.5 });
		expect(nextSegment(2.5, 10, loop, 2)).toEqual({ start: 1, duration: 1.5 });
	});
});

describe('in memory or on disk', () => {
	it('keeps short songs in memory and long ones on disk', () => {
		const minute = 44100 * 60 * 2 * 4 * 4; // 4 stereo stems, float32
		expect(keepInMemory(3 * minute)).toBe(true);
		expect(keepInMemory(20 * minute)).toBe(false);
		expect(keepInMemory(IN_MEMORY_STEM_BYTES + 1)).toBe(false);
	});
	it('turns a saved record into file references with the stems in order', () => {
		const e = newEntry({
			id: 'j',
			fileName: 'a.wav',
			sampleRate: 48000,
			channels: 2,
			frames: 100,
			model: { id: 'm', name: 'M' },
			stemNames: ['vocals', 'other'],
			ownerTab: 't',
			writer: 'w',
			notes: ['n'],
			now: 0
		});
		e.stems = e.stems.map((s) => ({ ...s, frames: 100, complete: true }));
		const r = storedResult(e);
		expect(r.stems.map((s) => [s.name, s.channels.length])).toEqual([['vocals', 0], ['other', 0]]);
		expect(r.stored).toEqual({ folder: 'j', frames: 100, channels: 2, files: [['0-vocals.c0.f32', '0-vocals.c1.f32'], ['1-other.c0.f32', '1-other.c1.f32']] });
		expect(stemBytes(r)).toBe(100 * 2 * 2 * 4);
	});
});

describe('readWavInSlices', () => {
	const fileOf = (bytes: Uint8Array) => ({
		size: bytes.length,
		slice: (a: number, b: number) => ({ arrayBuffer: async () => bytes.slice(a, b).buffer as ArrayBuffer })
	});
	for (const format of ['pcm16', 'pcm24', 'float32'] as WavFormat[]) {
		it(`${format}: the same audio as parseWav of the whole file, across slices`, async () => {
			const channels = [noise(3_000_001, 2), sine(440, 44100, 3_000_001)];
			const bytes = encodeWav({ sampleRate: 44100, channels }, { format, dither: false });
			const got = (await readWavInSlices(fileOf(bytes)))!;
			const ref = parseWav(bytes);
			expect(got.sampleRate).toBe(44100);
			got.channels.forEach((ch, c) => expect(Buffer.from(ch.buffer).equals(Buffer.from(ref.channels[c].buffer))).toBe(true));
		});
	}
	it('skips chunks before the data, and reports a truncated file', async () => {
		const channels = [sine(100, 8000, 10_000)];
		const wav = encodeWav({ sampleRate: 8000, channels }, { format: 'pcm16', dither: false });
		const junk = new Uint8Array(8 + 1001 + 1);
		junk.set([0x4a, 0x55, 0x4e, 0x4b]); // "JUNK", odd size + pad byte
		new DataView(junk.buffer).setUint32(4, 1001, true);
		const bytes = new Uint8Array(wav.length + junk.length - 1000);
		bytes.set(wav.subarray(0, 36));
		bytes.set(junk, 36);
		bytes.set(wav.subarray(36, wav.length - 1000), 36 + junk.length); // 500 frames missing
		const got = (await readWavInSlices(fileOf(bytes)))!;
		expect(got.channels[0].length).toBe(9500);
		expect(got.declaredFrames).toBe(10_000);
		expect(Array.from(got.channels[0])).toEqual(Array.from(parseWav(wav).channels[0].subarray(0, 9500)));
	});
	it('leaves other files to the whole-file reader', async () => {
		expect(await readWavInSlices(fileOf(new TextEncoder().encode('fLaC not a wav at all')))).toBeNull();
	});
});
