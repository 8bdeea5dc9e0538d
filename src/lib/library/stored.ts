/**
 * Which results stay in memory and which are used from their files (pure). Short songs keep
 * today's in-memory view (instant waveforms, Web Audio buffers, FLAC export); above
 * IN_MEMORY_STEM_BYTES of stems the page only ever reads the files piece by piece.
 */
import type { SeparationResult } from '../separation/pipeline';
import { BYTES_PER_SAMPLE, type LibraryEntry } from './records';

/** 256 MiB of float32 stems: about 3 min of a 4-stem stereo song at 44.1 kHz. */
export const IN_MEMORY_STEM_BYTES = 256 * 1024 ** 2;

/** localStorage key that lowers the limit (tests and the memory benchmark use it to take the disk path with short songs). */
export const IN_MEMORY_OVERRIDE_KEY = 'stemsafe:in-memory-stem-bytes';

export function inMemoryLimit(): number {
	let override: string | null = null;
	try {
		override = globalThis.localStorage?.getItem(IN_MEMORY_OVERRIDE_KEY) ?? null;
	} catch {
		override = null;
	}
	const n = override === null ? NaN : Number(override);
	return Number.isFinite(n) && n >= 0 ? Math.min(n, IN_MEMORY_STEM_BYTES) : IN_MEMORY_STEM_BYTES;
}

export function keepInMemory(stemBytes: number, limit = inMemoryLimit()): boolean {
	return stemBytes <= limit;
}

export function stemBytes(result: SeparationResult): number {
	const s = result.stored;
	return s ? s.frames * s.channels * s.files.length * BYTES_PER_SAMPLE : 0;
}

/** A saved item as file references (no samples). */
export function storedResult(entry: LibraryEntry): SeparationResult {
	const frames = Math.min(...entry.stems.map((s) => s.frames));
	return {
		sampleRate: entry.sampleRate,
		stems: entry.stems.map((s) => ({ name: s.name, channels: [] })),
		notes: entry.notes,
		analysis: entry.analysis,
		preview: entry.preview,
		stored: { folder: entry.id, frames, channels: entry.channels, files: entry.stems.map((s) => s.files) }
	};
}
