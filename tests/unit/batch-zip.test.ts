/**
 * "Download all": a batch's songs in one zip, a folder per song, streamed into a private file
 * (songsZipFile over a fake origin private file system) or built in memory; names that never
 * collide.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unzipSync } from 'fflate';
import { batchZipBytes, batchZipName, openZipSong, songEntries, songFolders, type BatchSong } from '../../src/lib/export/batch-zip';
import { songsZipFile } from '../../src/lib/export/stream';
import { parseWav } from '../../src/lib/dsp/wav';
import { MPEGDecoder } from 'mpg123-decoder';
import type { SeparationResult } from '../../src/lib/separation/pipeline';

/** A writable private file as createWritable gives it: writes at the end, or at a position. */
class FakeFileHandle {
	bytes = new Uint8Array(0);
	constructor(readonly name: string) {}
	async createWritable() {
		const put = (data: Uint8Array, at: number) => {
			if (at + data.length > this.bytes.length) {
				const grown = new Uint8Array(at + data.length);
				grown.set(this.bytes);
				this.bytes = grown;
			}
			this.bytes.set(data, at);
		};
		let end = 0;
		return {
			write: async (chunk: Uint8Array | { type: 'write'; position: number; data: Uint8Array }) => {
				if (chunk instanceof Uint8Array) put(chunk, (end += chunk.length) - chunk.length);
				else put(chunk.data, chunk.position);
			},
			close: async () => undefined,
			abort: async () => undefined
		};
	}
	async getFile() {
		return new File([this.bytes as BlobPart], this.name);
	}
}
class FakeDir {
	dirs = new Map<string, FakeDir>();
	files = new Map<string, FakeFileHandle>();
	async getDirectoryHandle(name: string, { create = false } = {}) {
		if (!this.dirs.has(name)) {
			if (!create) throw new DOMException('no such folder', 'NotFoundError');
			this.dirs.set(name, new FakeDir());
		}
		return this.dirs.get(name)!;
	}
	async getFileHandle(name: string, { create = false } = {}) {
		if (!this.files.has(name)) {
			if (!create) throw new DOMException('no such file', 'NotFoundError');
			this.files.set(name, new FakeFileHandle(name));
		}
		return this.files.get(name)!;
	}
	async removeEntry(name: string) {
		this.dirs.delete(name);
		this.files.delete(name);
	}
}

const RATE = 8000;
function song(fileName: string, stems: string[], frames: number, seed: number): BatchSong {
	const result = {
		sampleRate: RATE,
		notes: [],
		stems: stems.map((name, s) => ({
			name,
			channels: [0, 1].map((c) => Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin((i + 1) * (seed + s + c) * 0.01)))
		}))
	} as unknown as SeparationResult;
	return { fileName, result };
}

afterEach(() => vi.unstubAllGlobals());

describe('a folder per song', () => {
	it('songs of the same name get numbered folders', () => {
		expect(songFolders(['Intro.wav', 'intro.flac', 'Outro.mp3', 'Intro.aiff', 'a:b.wav'])).toEqual(['Intro', 'intro (2)', 'Outro', 'Intro (3)', 'a_b']);
	});

	it('names the zip by songs, format and model', () => {
		expect(batchZipName(3, 'flac24', 'm1')).toBe('Stemsafe - 3 songs - stems flac24 (m1).zip');
		expect(batchZipName(1, 'pcm24')).toBe('Stemsafe - 1 song - stems wav24.zip');
	});
});

describe('the batch zip', () => {
	const songs = [song('One.wav', ['vocals', 'drums'], 3000, 1), song('Two.mp3', ['vocals', 'drums'], 2000, 7), song('One.flac', ['vocals', 'drums'], 500, 3)];
	const expected = [
		'One/One - vocals (m1).wav',
		'One/One - drums (m1).wav',
		'Two/Two - vocals (m1).wav',
		'Two/Two - drums (m1).wav',
		'One (2)/One - vocals (m1).wav',
		'One (2)/One - drums (m1).wav'
	];

	function checkEntries(entries: Record<string, Uint8Array>) {
		expect(Object.keys(entries)).toEqual(expected);
		songs.forEach((s, i) => {
			s.result.stems.forEach((stem, k) => {
				const wav = parseWav(entries[expected[2 * i + k]]);
				expect(wav.sampleRate).toBe(RATE);
				expect(wav.channels.map((c) => c.length)).toEqual([stem.channels[0].length, stem.channels[1].length]);
				expect(Array.from(wav.channels[1].subarray(0, 50))).toEqual(Array.from(stem.channels[1].subarray(0, 50)));
			});
		});
	}

	it('streamed into a private file: every song in its folder, the samples exact (32-bit float)', async () => {
		const root = new FakeDir();
		vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
		const folders = songFolders(songs.map((s) => s.fileName));
		const inputs = await Promise.all(
			songs.map((s, i) =>
				openZipSong({ stored: null, stems: s.result.stems.map((x) => x.channels), sampleRate: RATE, names: songEntries(folders[i], s, 'float32', 'm1').stems, extras: [], tags: [] })
			)
		);
		const file = await songsZipFile(inputs, 'float32', batchZipName(3, 'float32', 'm1'));
		expect(file.name).toBe('Stemsafe - 3 songs - stems wav32f (m1).zip');
		checkEntries(unzipSync(new Uint8Array(await file.arrayBuffer())));
	});

	it('streamed as MP3: each stem an MP3 with its tags that decodes to the stem\'s length (gapless)', async () => {
		const root = new FakeDir();
		vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
		const one = song('Four.wav', ['bass', 'drums'], 12_345, 4);
		// MP3 has no 8 kHz in MPEG-1: the stems are resampled to 48 kHz on the way
		const names = songEntries('Four', one, 'mp3-v0', 'm1').stems;
		const tags = one.result.stems.map((s) => ({ song: 'Four', stem: s.name, model: 'm1' }));
		const input = await openZipSong({ stored: null, stems: one.result.stems.map((x) => x.channels), sampleRate: RATE, names, extras: [], tags });
		const file = await songsZipFile([input], 'mp3-v0', batchZipName(1, 'mp3-v0', 'm1'));
		const entries = unzipSync(new Uint8Array(await file.arrayBuffer()));
		expect(Object.keys(entries)).toEqual(['Four/Four - bass (m1).mp3', 'Four/Four - drums (m1).mp3']);
		const decoder = new MPEGDecoder({ enableGapless: true });
		await decoder.ready;
		for (const [name, bytes] of Object.entries(entries)) {
			expect(new TextDecoder().decode(bytes.subarray(0, 3))).toBe('ID3');
			expect(new TextDecoder().decode(bytes.subarray(0, 200))).toContain(name.includes('bass') ? 'Four - bass' : 'Four - drums');
			const decoded = decoder.decode(bytes);
			expect(decoded.sampleRate).toBe(48000);
			expect(decoded.samplesDecoded).toBe(Math.round((12_345 * 48000) / RATE));
			await decoder.reset();
		}
		decoder.free();
	});

	it('in memory, where there is no private file system, the same entries', () => {
		checkEntries(unzipSync(batchZipBytes(songs, 'float32', 'm1')));
	});

	it('carries each song\'s analysis in its folder', () => {
		const withAnalysis = song('Three.wav', ['bass'], 100, 2);
		const loud = { integrated: -12, range: 3, momentaryMax: -8, shortTermMax: -10, samplePeak: -1.2, truePeak: -1 };
		(withAnalysis.result as { analysis?: unknown }).analysis = { mix: loud, stems: [{ name: 'bass', ...loud }], tempo: { bpm: 120 }, key: null };
		const { stems, analysis } = songEntries('Three', withAnalysis, 'flac16');
		expect(stems).toEqual(['Three/Three - bass.flac']);
		expect(analysis.map((f) => f.name)).toEqual(['Three/Three - analysis.json']); // no chords found: no .lab
		const json = JSON.parse(new TextDecoder().decode(analysis[0].bytes));
		expect([json.song, json.tempoBpm, json.mix.integratedLufs]).toEqual(['Three.wav', 120, -12]);
		expect(Object.keys(unzipSync(batchZipBytes([withAnalysis], 'pcm16')))).toEqual(['Three/Three - bass.wav', 'Three/Three - analysis.json']);
		// files made elsewhere (MP3 by the worker, MIDI) go in as they are, in the song's folder
		const made = unzipSync(batchZipBytes([{ ...withAnalysis, encoded: [Uint8Array.of(0xff, 0xfb, 1)], extras: [{ name: 'Three - bass.mid', bytes: Uint8Array.of(0x4d, 0x54) }] }], 'mp3-320'));
		expect(Object.keys(made)).toEqual(['Three/Three - bass.mp3', 'Three/Three - analysis.json', 'Three/Three - bass.mid']);
		expect(Array.from(made['Three/Three - bass.mp3'])).toEqual([0xff, 0xfb, 1]);
	});

	it('puts the chords beside the analysis as a .lab file', () => {
		const withChords = song('Four.wav', ['bass'], 100, 2);
		const loud = { integrated: -12, range: 3, momentaryMax: -8, shortTermMax: -10, samplePeak: -1.2, truePeak: -1 };
		const chords = [
			{ start: 0, end: 1.5, label: 'N' },
			{ start: 1.5, end: 3.25, label: 'A:min' }
		];
		(withChords.result as { analysis?: unknown }).analysis = { mix: loud, stems: [{ name: 'bass', ...loud }], tempo: { bpm: 120 }, key: null, chords };
		const files = unzipSync(batchZipBytes([withChords], 'pcm16'));
		expect(Object.keys(files)).toEqual(['Four/Four - bass.wav', 'Four/Four - analysis.json', 'Four/Four - chords.lab']);
		const lines = new TextDecoder().decode(files['Four/Four - chords.lab']).trim().split('\n');
		expect(lines.map((l) => l.split(/\s+/))).toEqual([
			['0.000', '1.500', 'N'],
			['1.500', '3.250', 'A:min']
		]);
	});
});
