/**
 * Worker side of saving stems: they are written to the library's files
 * (library/<job>/<n>-<stem>.c<channel>.f32, raw float32) through FileSystemSyncAccessHandle
 * (dedicated workers only) before the result leaves the worker, so a finished separation is on
 * disk before the page says so, and a page that dies before it has completed the record loses
 * nothing (records.ts, recoverSaved). Long songs go region by region as the chunk loop finishes
 * them (neither the worker nor the page ever holds a whole stem); short ones are separated in
 * memory and written whole. Then SAVED_MARKER says every file is complete and flushed.
 */
import type { AudioData } from '../dsp/audio';
import type { ModelManifest } from '../separation/manifest';
import type { SeparationResult, StoredStems } from '../separation/pipeline';
import type { RegionSink, RunModel, SeparateOptions } from '../separation/separate';
import { separateAudioStream } from '../separation/stream';
import { jobDir } from './opfs';
import { BYTES_PER_SAMPLE, SAVED_MARKER, savedMarker } from './records';

/** Where a job's stems go: the library record's folder and file names ([stem][channel]). */
export interface StemTarget {
	folder: string;
	files: string[][];
	/**
	 * 'stream' (the default): written region by region while separating, nothing song-length in
	 * memory (long songs). 'copy': separated in memory, then written whole (short songs).
	 */
	mode?: 'stream' | 'copy';
}

interface SyncHandle {
	write(data: ArrayBufferView, options: { at: number }): number;
	truncate(size: number): void;
	flush(): void;
	close(): void;
}

async function openFiles(target: StemTarget): Promise<SyncHandle[][]> {
	const dir = await jobDir(target.folder, true);
	if (!dir) throw new Error('The library folder for this job could not be created.');
	const handles: SyncHandle[][] = [];
	try {
		for (const chs of target.files) {
			const row: SyncHandle[] = [];
			handles.push(row);
			for (const name of chs) {
				const file = await dir.getFileHandle(name, { create: true });
				row.push(await (file as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle());
				row[row.length - 1].truncate(0);
			}
		}
		return handles;
	} catch (e) {
		closeFiles(handles);
		throw e;
	}
}

function closeFiles(handles: SyncHandle[][]): void {
	for (const row of handles) for (const h of row) h.close();
}

function writeRegion(handles: SyncHandle[][], start: number, stems: Float32Array[][]): void {
	if (stems.length !== handles.length || stems[0].length !== handles[0].length) {
		throw new Error(`the job's files are laid out for ${handles.length}×${handles[0].length} stems×channels, got ${stems.length}×${stems[0]?.length}`);
	}
	stems.forEach((chs, n) =>
		chs.forEach((region, c) => {
			if (handles[n][c].write(region, { at: start * BYTES_PER_SAMPLE }) !== region.byteLength) throw new Error('The disk is full: a stem could not be written.');
		})
	);
}

/**
 * Writes stems separated in memory to the job's files (and flushes them); the result keeps its
 * samples and gains `stored`. Throws if they cannot be written (a full disk): the page then saves
 * them itself, or says why it could not.
 */
export async function copyToFiles(target: StemTarget, result: SeparationResult): Promise<StoredStems> {
	const handles = await openFiles(target);
	try {
		writeRegion(handles, 0, result.stems.map((s) => s.channels));
		for (const row of handles) for (const h of row) h.flush();
	} finally {
		closeFiles(handles);
	}
	const frames = result.stems[0]?.channels[0]?.length ?? 0;
	return { folder: target.folder, frames, channels: target.files[0]?.length ?? 0, files: target.files };
}

/**
 * The last write of a saved job: SAVED_MARKER, after every stem file is flushed, with what the
 * record needs to be completed without the page (frames, notes, analysis, preview).
 */
export async function markSaved(result: SeparationResult & { stored: StoredStems }): Promise<void> {
	const dir = await jobDir(result.stored.folder, false);
	if (!dir) throw new Error('The library folder for this job is gone.');
	const file = await dir.getFileHandle(SAVED_MARKER, { create: true });
	const handle = await (file as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle();
	try {
		handle.truncate(0);
		const bytes = new TextEncoder().encode(JSON.stringify(savedMarker(result)));
		if (handle.write(bytes, { at: 0 }) !== bytes.byteLength) throw new Error('The disk is full: the job could not be marked as saved.');
		handle.flush();
	} finally {
		handle.close();
	}
}

/**
 * The worker's last step for a job with a target, once separated and analysed: a 'copy' job's
 * stems are written now (if they cannot be, the result goes back without `stored` and the page
 * saves it itself), then the job is marked saved. A marker that cannot be written costs only
 * the recovery of this job if the page closes before it completes the record.
 */
export async function saveToTarget(target: StemTarget, result: SeparationResult): Promise<void> {
	if (target.mode === 'copy') {
		try {
			result.stored = await copyToFiles(target, result);
		} catch {
			return;
		}
	}
	const { stored } = result;
	if (stored) await markSaved({ ...result, stored }).catch(() => undefined);
}

export async function separateToFiles(
	audio: AudioData,
	manifest: ModelManifest,
	runModel: RunModel,
	target: StemTarget,
	options: SeparateOptions = {},
	/** Sees every region after it is written (e.g. loudness meters). */
	observe?: RegionSink
): Promise<SeparationResult> {
	const handles = await openFiles(target);
	try {
		const done = await separateAudioStream(
			audio,
			manifest,
			runModel,
			(start, stems) => {
				writeRegion(handles, start, stems);
				return observe?.(start, stems);
			},
			options
		);
		for (const row of handles) for (const h of row) h.flush();
		const stored: StoredStems = { folder: target.folder, frames: done.frames, channels: done.layout.channels, files: target.files };
		return { sampleRate: done.sampleRate, stems: done.layout.stems.map((name) => ({ name, channels: [] })), notes: done.notes, stored };
	} finally {
		closeFiles(handles);
	}
}
