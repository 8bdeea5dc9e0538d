/**
 * Export worker: a thin comlink shell that makes download files off the page's thread — a
 * custom mix of a song in memory (renderMix: normalised, encoded), and, for a long song whose
 * stems stay on disk, a stem, the zip of all stems or a custom mix, streamed from and into the
 * origin private file system (export/stream.ts), and a batch's songs in one zip. The page only downloads the result.
 */
import * as Comlink from 'comlink';
import type { LoudnessTarget } from '../dsp/loudness/normalize';
import type { AudioFileFormat } from '../export/files';
import { mixAudioFile, songsZipFile, stemAudioFile, stemsZipFile, type DiskMix } from '../export/stream';
import { openZipSong, type BatchZipInput } from '../export/batch-zip';
import { StemFiles } from '../library/stem-files';
import { renderMix, type RenderedMix } from '../mixdown/render';
import type { StoredStems } from '../separation/pipeline';

const api = {
	async render(...args: Parameters<typeof renderMix>): Promise<RenderedMix> {
		const rendered = await renderMix(...args);
		return rendered.ok ? Comlink.transfer(rendered, [rendered.bytes.buffer]) : rendered;
	},
	async stemFile(stored: StoredStems, stem: number, sampleRate: number, format: AudioFileFormat, name: string): Promise<File> {
		return stemAudioFile(await StemFiles.open(stored), stem, sampleRate, format, name);
	},
	async zipFile(stored: StoredStems, names: string[], sampleRate: number, format: AudioFileFormat, zipName: string, extras: { name: string; bytes: Uint8Array }[]): Promise<File> {
		return stemsZipFile(await StemFiles.open(stored), names, sampleRate, format, zipName, extras);
	},
	/** A batch's "download all": every song's stems in one zip, a folder per song. */
	async songsZipFile(songs: BatchZipInput[], format: AudioFileFormat, zipName: string): Promise<File> {
		return songsZipFile(await Promise.all(songs.map(openZipSong)), format, zipName);
	},
	async mixFile(
		stored: StoredStems,
		selected: boolean[],
		volumes: number[],
		sampleRate: number,
		format: AudioFileFormat,
		name: string,
		target: LoudnessTarget | undefined,
		onPass: ((pass: number) => void) | undefined
	): Promise<DiskMix & { file: File }> {
		return mixAudioFile(await StemFiles.open(stored), selected, volumes, sampleRate, format, name, target, onPass);
	}
};

export type ExportApi = typeof api;

Comlink.expose(api);
