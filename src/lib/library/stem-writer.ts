/**
 * Worker side of bounded-memory separation: stems are written to the library's files
 * (library/<job>/<n>-<stem>.c<channel>.f32, raw float32) region by region as the chunk loop
 * finishes them, through FileSystemSyncAccessHandle (dedicated workers only), so neither
 * the worker nor the page ever holds a whole stem.
 */
import type { AudioData } from '../dsp/audio';
import type { ModelManifest } from '../separation/manifest';
import type { SeparationResult, StoredStems } from '../separation/pipeline';
import type { RegionSink, RunModel, SeparateOptions } from '../separation/separate';
import { separateAudioStream } from '../separation/stream';
import { jobDir } from './opfs';
import { BYTES_PER_SAMPLE } from './records';

/** Where a job's stems go: the library record's folder and file names ([stem][channel]). */
export interface StemTarget {
	folder: string;
	files: string[][];
}

interface SyncHandle {
	write(data: ArrayBufferView, options: { at: number }): number;
	truncate(size: number): void;
	flush(): void;
	close(): void;
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
	const dir = await jobDir(target.folder, true);
	if (!dir) throw new Error('The library folder for this job could not be created.');
	const handles: SyncHandle[][] = [];
	try {
		for (const chs of target.files) {
			const row: SyncHandle[] = [];
			handles.push(row);
			for (const name of chs) {
				const file = await dir.getFileHandle(name, { create: true });
				row.push((await (file as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle()));
				row[row.length - 1].truncate(0);
			}
		}
		const done = await separateAudioStream(audio, manifest, runModel, (start, stems) => {
			if (stems.length !== handles.length || stems[0].length !== handles[0].length) {
				throw new Error(`the job's files are laid out for ${handles.length}×${handles[0].length} stems×channels, got ${stems.length}×${stems[0].length}`);
			}
			stems.forEach((chs, n) => chs.forEach((region, c) => {
				const at = start * BYTES_PER_SAMPLE;
				if (handles[n][c].write(region, { at }) !== region.byteLength) throw new Error('The disk is full: a stem could not be written.');
			}));
			return observe?.(start, stems);
		}, options);
		for (const row of handles) for (const h of row) h.flush();
		const stored: StoredStems = { folder: target.folder, frames: done.frames, channels: done.layout.channels, files: target.files };
		return { sampleRate: done.sampleRate, stems: done.layout.stems.map((name) => ({ name, channels: [] })), notes: done.notes, stored };
	} finally {
		for (const row of handles) for (const h of row) h.close();
	}
}
