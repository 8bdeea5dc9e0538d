/**
 * The storage check before a long song's stems go to the library: it must plan for what the
 * worker will write — on the free tier the 60 s preview, not the whole song.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { separateIntoLibrary, type LibraryJob } from '../../src/lib/library/separate-to-library';
import type { Library } from '../../src/lib/library/library.svelte';
import { IN_MEMORY_OVERRIDE_KEY } from '../../src/lib/library/stored';
import { PREVIEW_SECONDS, plannedFrames } from '../../src/lib/license/policy';
import type { SeparationResult } from '../../src/lib/separation/pipeline';
import type { StemTarget } from '../../src/lib/library/stem-writer';
import { fakeManifest } from './fake-manifest';

const RATE = 44100;
const manifest = fakeManifest({ stems: ['vocals', 'drums', 'bass', 'other'], stft: { nFft: 2048, hopLength: 512, window: 'hann', center: true, padMode: 'reflect' }, chunk: { frames: 256, samples: 255 * 512 } });
/** 4 stereo stems of float32: bytes per second of song. */
const BYTES_PER_SECOND = RATE * 2 * 4 * 4;

function job(seconds: number, licensed: boolean): LibraryJob {
	return { fileName: 'song.wav', manifest, sampleRate: RATE, frames: seconds * RATE, inputChannels: 2, licensed };
}

function fakeLibrary() {
	const begun: { frames: number }[] = [];
	const library = {
		supported: true,
		begin: async (input: { frames: number; stemNames: string[] }) => {
			begun.push({ frames: input.frames });
			return { id: 'entry-1', stems: input.stemNames.map((name) => ({ name, files: [`${name}.c0.f32`, `${name}.c1.f32`] })) };
		},
		finish: async () => null,
		discard: async () => undefined,
		load: async () => ({ sampleRate: RATE, stems: [], notes: [] })
	};
	return { library: library as unknown as Library, begun };
}

const result = (frames: number): SeparationResult => ({
	sampleRate: RATE,
	stems: [],
	notes: [],
	stored: { folder: 'entry-1', frames, channels: 2, files: ['vocals', 'drums', 'bass', 'other'].map((name) => [`${name}.c0.f32`, `${name}.c1.f32`]) }
});

/** `free` bytes left for the site; every song takes the disk path (as long songs do). */
function device(free: number) {
	const storage: Record<string, string> = { [IN_MEMORY_OVERRIDE_KEY]: '0' };
	vi.stubGlobal('localStorage', { getItem: (k: string) => storage[k] ?? null });
	vi.stubGlobal('navigator', { storage: { estimate: async () => ({ usage: 1e9, quota: 1e9 + free }), persisted: async () => false } });
}

beforeEach(() => vi.unstubAllGlobals());
afterEach(() => vi.unstubAllGlobals());

describe('library space check', () => {
	it('counts the free preview, not the whole song', async () => {
		// A 10-minute song needs ~850 MB of stems in full; its 60 s preview ~85 MB. 200 MB are free.
		device(200e6);
		const { library, begun } = fakeLibrary();
		const targets: (StemTarget | undefined)[] = [];
		await separateIntoLibrary(library, job(600, false), async (target) => {
			targets.push(target);
			return result(PREVIEW_SECONDS * RATE);
		});
		expect(targets).toHaveLength(1);
		expect(targets[0]?.folder).toBe('entry-1'); // the stems go to disk, into the record begun for them
		expect(begun).toEqual([{ frames: PREVIEW_SECONDS * RATE }]);
	});

	it('still refuses a licensed song whose full stems do not fit, naming the full size', async () => {
		device(200e6);
		const { library, begun } = fakeLibrary();
		const run = vi.fn(async () => result(600 * RATE));
		await expect(separateIntoLibrary(library, job(600, true), run)).rejects.toThrow(/need about 847 MB .* only 200 MB is free/);
		expect(run).not.toHaveBeenCalled();
		expect(begun).toEqual([]);
	});

	it('refuses the preview too when even it does not fit, naming the preview size', async () => {
		device(50e6);
		const { library } = fakeLibrary();
		const run = vi.fn(async () => result(PREVIEW_SECONDS * RATE));
		await expect(separateIntoLibrary(library, job(600, false), run)).rejects.toThrow(/need about 85 MB .* only 50 MB is free/);
		expect(run).not.toHaveBeenCalled();
	});

	it('plans whole songs up to the preview length and licensed songs whole', () => {
		expect(plannedFrames(30 * RATE, RATE, false)).toBe(30 * RATE);
		expect(plannedFrames(600 * RATE, RATE, false)).toBe(PREVIEW_SECONDS * RATE);
		expect(plannedFrames(600 * 48000, 48000, false)).toBe(PREVIEW_SECONDS * 48000);
		expect(plannedFrames(600 * RATE, RATE, true)).toBe(600 * RATE);
		expect(BYTES_PER_SECOND * PREVIEW_SECONDS).toBe(84_672_000);
	});
});
