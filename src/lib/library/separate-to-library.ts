/**
 * A separation job whose stems go straight to the library: the record is created first
 * ('writing'), the worker writes the stems into its files — long songs region by region as
 * they are produced, short ones whole once separated — and marks them saved before the result
 * comes back (stem-writer.ts). The page then completes the record (library.save); until then
 * the job shows as saving, and a page that closes meanwhile loses nothing: the next visit
 * completes it. The page gets the samples (short songs) or references to the files (long ones).
 */
import type { ModelManifest } from '../separation/manifest';
import type { SeparationResult } from '../separation/pipeline';
import { outputLayout } from '../separation/stream';
import type { Library } from './library.svelte';
import type { StemTarget } from './stem-writer';
import { keepInMemory, stemBytes } from './stored';
import { StemFiles } from './stem-files';
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
	if (!library.supported) return run();
	// Short songs are separated in memory and written whole; long ones are written as they are separated.
	const inMemory = keepInMemory(needed);
	const { usage, quota } = await storageInfo();
	if (usage !== null && quota !== null && quota - usage < needed) {
		// a short song is still separated, in memory; saving it then says there is no room (library.save)
		if (inMemory) return run();
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
		result = await run({ folder: entry.id, files: entry.stems.map((s) => s.files), mode: inMemory ? 'copy' : 'stream' });
	} catch (e) {
		await library.discard(entry.id);
		if (isQuotaError(e)) {
			throw new AudioFormatError(`Your device ran out of room for this song's stems (about ${formatBytes(needed)}); nothing of it was kept. Free some space and try again.`);
		}
		throw e;
	}
	if (!result.stored) {
		// the worker could not write them (a full disk): the page saves them itself, or says why it cannot
		await library.discard(entry.id);
		return result;
	}
	if (inMemory || !keepInMemory(stemBytes(result))) return result;
	// planned as a long song, separated short (a preview): the page gets the samples, read back from the files
	const files = await StemFiles.open(result.stored);
	const samples = await files.readAll(0, files.frames);
	return { ...result, stems: result.stems.map((s, i) => ({ name: s.name, channels: samples[i] })) };
}
