/**
 * Export worker: a thin comlink shell that makes download files off the page's thread — a
 * custom mix of a song in memory (renderMix: normalised, encoded), and, for a long song whose
 * stems stay on disk, a stem, the zip of all stems or a custom mix, streamed from and into the
 * origin private file system (export/stream.ts), and a batch's songs in one zip; MP3 and Opus
 * files of stems in memory (encode/), and the MIDI file of a bass or vocal stem (transcription/).
 * The page only downloads the result.
 */
import * as Comlink from 'comlink';
import type { LoudnessTarget } from '../dsp/loudness/normalize';
import { encodeAudioFile, type AudioFileFormat } from '../export/files';
import type { AudioData } from '../dsp/audio';
import type { AudioTags } from '../encode/tags';
import type { ClickTrack } from '../click/click';
import type { TempoSource } from '../transcription/midi';
import type { PartKind } from '../transcription/notes';
import { stemMidi } from '../transcription/stem-midi';
import { mixAudioFile, songsZipFile, stemAudioFile, stemsZipFile, type DiskMix } from '../export/stream';
import { openZipSong, type BatchZipInput } from '../export/batch-zip';
import { StemFiles } from '../library/stem-files';
import { renderMix, type RenderedMix } from '../mixdown/render';
import type { StoredStems } from '../separation/pipeline';
import { stretchAudio } from '../stretch/offline';
import { isNeutral, type PracticeSettings } from '../stretch/settings';

const api = {
	async render(...args: Parameters<typeof renderMix>): Promise<RenderedMix> {
		const rendered = await renderMix(...args);
		return rendered.ok ? Comlink.transfer(rendered, [rendered.bytes.buffer]) : rendered;
	},
	async stemFile(stored: StoredStems, stem: number, sampleRate: number, format: AudioFileFormat, name: string, tags?: AudioTags, practice?: PracticeSettings): Promise<File> {
		return stemAudioFile(await StemFiles.open(stored), stem, sampleRate, format, name, tags, practice);
	},
	async zipFile(
		stored: StoredStems,
		names: string[],
		sampleRate: number,
		format: AudioFileFormat,
		zipName: string,
		extras: { name: string; bytes: Uint8Array }[],
		tags?: AudioTags[],
		practice?: PracticeSettings
	): Promise<File> {
		return stemsZipFile(await StemFiles.open(stored), names, sampleRate, format, zipName, extras, tags, practice);
	},
	/** A stem in memory as a file (MP3 and Opus are encoded here, not on the page), at the practice speed and transposition if given. */
	async encodeFile(audio: AudioData, format: AudioFileFormat, tags?: AudioTags, practice?: PracticeSettings): Promise<Uint8Array> {
		const stretched = practice && !isNeutral(practice) ? { sampleRate: audio.sampleRate, channels: await stretchAudio(audio.channels, audio.sampleRate, practice) } : audio;
		const bytes = await encodeAudioFile(stretched, format, tags);
		return Comlink.transfer(bytes, [bytes.buffer]);
	},
	/** The MIDI file of a bass or vocal stem, from its file on disk (`stored`) or its samples. */
	async midiFile(
		source: { stored: StoredStems; stem: number } | { channels: Float32Array[] },
		sampleRate: number,
		kind: PartKind,
		tempo: TempoSource,
		title: string
	): Promise<{ bytes: Uint8Array; notes: number }> {
		let read: (a: number, b: number) => Promise<Float32Array[]> | Float32Array[];
		let frames: number;
		if ('stored' in source) {
			const files = await StemFiles.open(source.stored);
			read = (a, b) => files.read(source.stem, a, b);
			frames = files.frames;
		} else {
			read = (a, b) => source.channels.map((ch) => ch.subarray(a, b));
			frames = source.channels[0]?.length ?? 0;
		}
		const made = await stemMidi(read, frames, sampleRate, kind, tempo, title);
		return Comlink.transfer(made, [made.bytes.buffer]);
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
		onPass: ((pass: number) => void) | undefined,
		tags?: AudioTags,
		practice?: PracticeSettings,
		click?: ClickTrack
	): Promise<DiskMix & { file: File }> {
		return mixAudioFile(await StemFiles.open(stored), selected, volumes, sampleRate, format, name, target, onPass, tags, practice, click);
	}
};

export type ExportApi = typeof api;

Comlink.expose(api);
