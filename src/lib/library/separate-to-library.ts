/**
 * A separation job whose stems go straight to the library: the record is created first,
 * the worker writes the stems into its files as they are produced, and the page gets
 * either the samples (short songs, read back) or references to the files (long songs).
 */
import type { ModelManifest } from '../separation/manifest';
import type { SeparationResult } from '../separation/pipeline';
import { outputLayout } from '../separation/stream';
import type { Library } from './library.svelte';
import type { StemTarget } from './stem-writer';
import { keepInMemory, stemBytes } from './stored';
import { AudioFormatError } from '../dsp/audio';
import { BYTES_PER_SAMPLE } from './records';
import { formatBytes, isQuotaError, storageInfo } from './storage';
import { plannedFrames } from '../license/policy';

export interface LibraryJob {
	fileName: string;
	manifest: ModelManifest;
	sampleRate: number;
	/** The song's length in frames. */
	frames: number;
	inputChannels: number;
	/** Whether the page sees a valid license; without one the worker separates only the free preview. */
	licensed: boolean;
}

export async function separateIntoLibrary(
	library: Library,
	job: LibraryJob,
	run: (target?: StemTarget) => Promise<SeparationResult>
): Promise<SeparationResult> {
	const layout = outputLayout(job.manifest, job.inputChannels);
	// The free tier's stems hold the preview only: space and memory are planned for what will be written.
	const frames = plannedFrames(job.frames, job.sampleRate, job.licensed);
	const needed = frames * layout.channels * layout.stems.length * BYTES_PER_SAMPLE;
	// Short songs: stems in memory and saved afterwards, exactly as before (see library.save).
	if (keepInMemory(needed) || !library.supported) return run();
	const { usage, quota } = await storageInfo();
	if (usage !== null && quota !== null && quota - usage < needed) {
		throw new AudioFormatError(
			`This song's stems need about ${formatBytes(needed)} of storage on this device, but only ${formatBytes(quota - usage)} is free for this site. ` +
				'Delete items from your library (or free disk space) and try again.'
		);
	}
	const entry = await library
		.begin({
			fileName: job.fileName,
			model: { id: job.manifest.id, name: job.manifest.name },
			sampleRate: job.sampleRate,
			channels: layout.channels,
			frames,
			stemNames: layout.stems
		})
		.catch(() => null);
	if (!entry) return run(); // the library could not start this job: stems in memory, as before
	let result: SeparationResult;
	try {
		result = await run({ folder: entry.id, files: entry.stems.map((s) => s.files) });
	} catch (e) {
		await library.discard(entry.id);
		if (isQuotaError(e)) {
			throw new AudioFormatError(`Your device ran out of room for this song's stems (about ${formatBytes(needed)}); nothing of it was kept. Free some space and try again.`);
		}
		throw e;
	}
	await library.finish(entry.id, result);
	if (!keepInMemory(stemBytes(result))) return result;
	const loaded = await library.load(entry.id);
	return { ...loaded, notes: result.notes, stored: result.stored, preview: result.preview };
}
