/**
 * "Download all" for a batch: every finished song's stems (with their analysis and MIDI files)
 * in one zip, a folder per song, the same files as each song's own zip. Names here (pure); the
 * zip is streamed by the export worker (songsZipFile in stream.ts) from the stems' files, or built
 * in memory where the browser has no private file system (batchZipBytes). The page's side is
 * batch-download.ts.
 */
import { zipSync } from 'fflate';
import { FORMAT_TAGS, analysisFiles, songBase, stemFile, stemFileName, type AudioFileFormat } from './files';
import type { AudioTags } from '../encode/tags';
import type { SeparationResult, StoredStems } from '../separation/pipeline';
import { StemFiles } from '../library/stem-files';
import type { ZipSong } from './stream';

export interface BatchSong {
	fileName: string;
	result: SeparationResult;
}

/** A named small file in the zip (analysis, MIDI). */
export interface ZipExtra {
	name: string;
	bytes: Uint8Array;
}

/** One folder name per song, from its file name; songs of the same name get " (2)", " (3)". */
export function songFolders(fileNames: readonly string[]): string[] {
	const used = new Set<string>();
	return fileNames.map((name) => {
		const base = songBase(name);
		let folder = base;
		for (let n = 2; used.has(folder.toLowerCase()); n++) folder = `${base} (${n})`;
		used.add(folder.toLowerCase());
		return folder;
	});
}

/** The entries of one song in the batch zip: its stems, then its analysis and chords (when it has them). */
export function songEntries(folder: string, song: BatchSong, format: AudioFileFormat, model?: string): { stems: string[]; analysis: ZipExtra[] } {
	const stems = song.result.stems.map((s) => `${folder}/${stemFileName(song.fileName, s.name, { model, format })}`);
	return { stems, analysis: analysisFiles(song.fileName, song.result, { model }).map((f) => ({ name: `${folder}/${f.name}`, bytes: f.bytes })) };
}

/** "Stemsafe - 3 songs - stems flac24 (model).zip": the format in the name, like a single song's zip. */
export function batchZipName(songs: number, format: AudioFileFormat, model?: string): string {
	const m = model?.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim();
	return `Stemsafe - ${songs} ${songs === 1 ? 'song' : 'songs'} - stems ${FORMAT_TAGS[format]}${m ? ` (${m})` : ''}.zip`;
}

/**
 * The batch zip in memory, for browsers without a private file system (whose results are all in
 * memory anyway): stored entries, a folder per song. `encoded`: each song's stem files already
 * made (MP3 and Opus, by the worker), in stem order; `extras`: more files in its folder (MIDI).
 */
export function batchZipBytes(
	songs: readonly (BatchSong & { encoded?: Uint8Array[]; extras?: ZipExtra[] })[],
	format: AudioFileFormat,
	model?: string
): Uint8Array {
	const files: Record<string, [Uint8Array, { level: 0 }]> = {};
	const folders = songFolders(songs.map((s) => s.fileName));
	songs.forEach((song, i) => {
		const { stems, analysis } = songEntries(folders[i], song, format, model);
		song.result.stems.forEach((stem, s) => (files[stems[s]] = [song.encoded?.[s] ?? stemFile(song.result, stem, format), { level: 0 }]));
		for (const file of analysis) files[file.name] = [file.bytes, { level: 0 }];
		for (const extra of song.extras ?? []) files[`${folders[i]}/${extra.name}`] = [extra.bytes, { level: 0 }];
	});
	return zipSync(files);
}

/**
 * A song as the page hands it to the export worker: its stems' files when they are on disk
 * (nothing copied), else its samples (a song the library could not keep: short, in memory).
 */
export interface BatchZipInput {
	stored: StoredStems | null;
	/** [stem][channel], only when `stored` is null. */
	stems: Float32Array[][] | null;
	sampleRate: number;
	names: string[];
	extras: ZipExtra[];
	/** Each stem file's tags (the compressed formats carry them). */
	tags?: AudioTags[];
}

/** The worker's side: a song's stems as regions for songsZipFile. */
export async function openZipSong(song: BatchZipInput): Promise<ZipSong> {
	const { sampleRate, names, extras, tags } = song;
	if (song.stored) {
		const files = await StemFiles.open(song.stored);
		return { read: (s, a, b) => files.read(s, a, b), frames: files.frames, channels: song.stored.channels, sampleRate, names, extras, tags };
	}
	const stems = song.stems ?? [];
	const frames = stems[0]?.[0]?.length ?? 0;
	return { read: async (s, a, b) => stems[s].map((ch) => ch.slice(a, b)), frames, channels: stems[0]?.length ?? 0, sampleRate, names, extras, tags };
}
