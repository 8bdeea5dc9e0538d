/**
 * Stem files for download: one file per stem, a custom mix, or all stems in one zip (WAV, FLAC,
 * or compressed: MP3 or Ogg Opus, encode/lossy.ts — those are encoded in the export worker).
 */
import { zipSync } from 'fflate';
import { chordsLab, type ChordSegment } from '../analysis/chords';
import { analysisJson } from '../analysis/report';
import type { AudioData } from '../dsp/audio';
import { encodeFlac } from '../dsp/flac/encode';
import { encodeWav, type WavFormat } from '../dsp/wav';
import type { SeparationResult, Stem } from '../separation/pipeline';
import { LOSSY_FORMATS, encodeLossy, isLossy, type LossyFormat } from '../encode/lossy';
import type { AudioTags } from '../encode/tags';
import { practiceLabel, type PracticeSettings } from '../stretch/settings';

export { isLossy, type LossyFormat };

export type AudioFileFormat = WavFormat | 'flac16' | 'flac24' | LossyFormat;

/** The format menu: lossless first, then the compressed formats, whose labels say "lossy". */
export const AUDIO_FORMATS: { value: AudioFileFormat; label: string; lossy: boolean }[] = [
	{ value: 'pcm24', label: 'WAV 24-bit', lossy: false },
	{ value: 'pcm16', label: 'WAV 16-bit (dithered)', lossy: false },
	{ value: 'float32', label: 'WAV 32-bit float', lossy: false },
	{ value: 'flac24', label: 'FLAC 24-bit', lossy: false },
	{ value: 'flac16', label: 'FLAC 16-bit', lossy: false },
	...(Object.keys(LOSSY_FORMATS) as LossyFormat[]).map((value) => ({ value, label: LOSSY_FORMATS[value].label, lossy: true }))
];

export function isFlac(format: AudioFileFormat): format is 'flac16' | 'flac24' {
	return format === 'flac16' || format === 'flac24';
}

export function extensionOf(format: AudioFileFormat): 'wav' | 'flac' | 'mp3' | 'opus' {
	return isLossy(format) ? LOSSY_FORMATS[format].extension : isFlac(format) ? 'flac' : 'wav';
}

export function mimeOf(format: AudioFileFormat): string {
	return isLossy(format) ? LOSSY_FORMATS[format].mime : isFlac(format) ? 'audio/flac' : 'audio/wav';
}

const UNSAFE = /[\\/:*?"<>|\u0000-\u001f]+/g;

/** The song's name without its extension and without characters file systems refuse. */
export function songBase(sourceName: string): string {
	return sourceName.replace(/\.[^./\\]+$/, '').replace(UNSAFE, '_').trim() || 'audio';
}

/** What a file name says: the model, the format (its extension), the practice settings applied (speed, transposition). */
export interface FileNameOptions {
	model?: string;
	format?: AudioFileFormat;
	practice?: PracticeSettings;
}

/** " (80% speed, +2 st)" when the practice settings change the audio, else nothing. */
export function practiceSuffix(practice: PracticeSettings | undefined): string {
	const label = practice ? practiceLabel(practice, { ascii: true }) : '';
	return label ? ` (${label})` : '';
}

/**
 * "My Song.mp3" + "vocals" (+ model "bsr-4stem") -> "My Song - vocals (bsr-4stem).wav":
 * song, stem (or mix) and model, without characters file systems refuse; at a practice speed or
 * transposition "My Song - vocals (80% speed, +2 st) (bsr-4stem).wav".
 */
export function stemFileName(sourceName: string, stem: string, options: FileNameOptions = {}): string {
	const model = options.model?.replace(UNSAFE, '_').trim();
	const part = stem.replace(UNSAFE, '_');
	return `${songBase(sourceName)} - ${part}${practiceSuffix(options.practice)}${model ? ` (${model})` : ''}.${extensionOf(options.format ?? 'pcm24')}`;
}

/** Short tags for file names, so that zips of different formats never share a name. */
export const FORMAT_TAGS: Record<AudioFileFormat, string> = {
	pcm24: 'wav24',
	pcm16: 'wav16',
	float32: 'wav32f',
	flac24: 'flac24',
	flac16: 'flac16',
	'mp3-320': 'mp3-320',
	'mp3-v0': 'mp3-v0',
	opus: 'opus'
};

/** "Song.flac" -> "Song - stems wav24 (m1).zip": the format in the name, so a FLAC and a WAV zip differ. */
export function zipFileName(sourceName: string, options: FileNameOptions = {}): string {
	const model = options.model?.replace(UNSAFE, '_').trim();
	return `${songBase(sourceName)} - stems ${FORMAT_TAGS[options.format ?? 'pcm24']}${practiceSuffix(options.practice)}${model ? ` (${model})` : ''}.zip`;
}

/**
 * A custom mix: "Song - instrumental (m1).wav", or normalised "Song - instrumental -14 LUFS (m1).wav",
 * so that a normalised mix never takes the plain one's name (nor one made for another target).
 */
export function mixFileName(sourceName: string, selection: string, options: FileNameOptions & { lufs?: number } = {}): string {
	const lufs = options.lufs === undefined ? '' : ` ${Math.round(options.lufs * 10) / 10} LUFS`;
	return stemFileName(sourceName, `${selection}${lufs}`, options);
}

/**
 * Encodes audio as a WAV (16 dithered / 24 / 32 float) or FLAC (16 / 24) file, at once. The
 * compressed formats are asynchronous (encodeAudioFile), and belong in the export worker.
 */
export function encodeAudio(audio: AudioData, format: AudioFileFormat): Uint8Array {
	if (isLossy(format)) throw new Error(`${format} is encoded asynchronously (encodeAudioFile, in the export worker)`);
	if (format === 'flac16') return encodeFlac(audio, { bitDepth: 16 });
	if (format === 'flac24') return encodeFlac(audio, { bitDepth: 24 });
	return encodeWav(audio, { format });
}

/** Any format, the compressed ones with `tags` (song, stem, model, tempo, key). */
export async function encodeAudioFile(audio: AudioData, format: AudioFileFormat, tags?: AudioTags): Promise<Uint8Array> {
	if (!isLossy(format)) return encodeAudio(audio, format);
	const frames = audio.channels[0]?.length ?? 0;
	return encodeLossy((a, b) => audio.channels.map((ch) => ch.subarray(a, b)), frames, audio.channels.length, audio.sampleRate, format, tags);
}

/** The tags of a song's stem or mix file: its name, the stem, the model, the analysis's tempo and key. */
export function fileTags(sourceName: string, stem: string, result: Pick<SeparationResult, 'analysis'> | null, model?: string): AudioTags {
	return { song: songBase(sourceName), stem, model, bpm: result?.analysis?.tempo?.bpm ?? null, key: result?.analysis?.key?.name ?? null };
}

export function stemFile(result: SeparationResult, stem: Stem, format: AudioFileFormat): Uint8Array {
	return encodeAudio({ sampleRate: result.sampleRate, channels: stem.channels }, format);
}

/**
 * All stems in one zip (stored, not deflated: audio does not shrink), with the analysis and any
 * `extras` (MIDI files). `encoded`: the stems' files already made (MP3 and Opus, by the worker), in stem order;
 * with `practice` they must be given (made at those settings, which the entries' names state).
 */
export function stemsZip(
	sourceName: string,
	result: SeparationResult,
	format: AudioFileFormat,
	options: { model?: string; extras?: { name: string; bytes: Uint8Array }[]; encoded?: Uint8Array[]; practice?: PracticeSettings } = {}
): Uint8Array {
	const files: Record<string, [Uint8Array, { level: 0 }]> = {};
	result.stems.forEach((stem, i) => {
		files[stemFileName(sourceName, stem.name, { model: options.model, format, practice: options.practice })] = [options.encoded?.[i] ?? stemFile(result, stem, format), { level: 0 }];
	});
	for (const file of analysisFiles(sourceName, result, options)) files[file.name] = [file.bytes, { level: 0 }];
	for (const extra of options.extras ?? []) files[extra.name] = [extra.bytes, { level: 0 }];
	return zipSync(files);
}

/**
 * The analysis as `<song> - analysis.json` and, when it found chords, `<song> - chords.lab`
 * (start, end, Harte label per line: what chord tools and DAW importers read), for the zip;
 * none when the result has no analysis.
 */
export function analysisFiles(sourceName: string, result: SeparationResult, options: { model?: string } = {}): { name: string; bytes: Uint8Array }[] {
	if (!result.analysis) return [];
	const json = analysisJson(result.analysis, { song: sourceName, model: options.model ?? null, sampleRate: result.sampleRate });
	const files: { name: string; bytes: Uint8Array }[] = [{ name: `${songBase(sourceName)} - analysis.json`, bytes: new TextEncoder().encode(json) }];
	const chords = result.analysis.chords;
	if (chords?.length) files.push(chordsLabFile(sourceName, chords));
	return files;
}

/** The chords as `<song> - chords.lab`. */
export function chordsLabFile(sourceName: string, chords: ChordSegment[]): { name: string; bytes: Uint8Array } {
	return { name: `${songBase(sourceName)} - chords.lab`, bytes: new TextEncoder().encode(chordsLab(chords)) };
}
