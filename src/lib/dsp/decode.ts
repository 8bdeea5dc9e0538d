/**
 * Turning a user's file into planar float audio. WAV, AIFF and FLAC are parsed here, at their
 * native sample rate and bit depth; anything else goes to the browser's decoder
 * (Web Audio decodeAudioData), which the caller supplies because it needs a window.
 */
import { probeCompressed } from '../input/probe';
import { AudioFormatError, checkAudio, MAX_DURATION_SECONDS, tooLongError, type AudioData } from './audio';
import { isAiff, parseAiff } from './aiff';
import { decodeFlac, isFlac } from './flac/decode';
import { isWav, parseWav, type ParsedAudio } from './wav';
import { STREAM_WAV_BYTES, readWavInSlices, type SliceableFile } from './wav-file';

/**
 * Decodes compressed audio. `sampleRate` is the file's own rate when its header states it
 * (decode at that rate, so nothing is resampled), or null (decode at the decoder's choice).
 */
export type PlatformDecoder = (bytes: ArrayBuffer, sampleRate: number | null) => Promise<AudioData>;

/** Files above this are refused before reading, so a huge file cannot exhaust memory. */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;
export { MAX_DURATION_SECONDS } from './audio';
/** Below this peak (−96 dBFS, half a 16-bit step) a file counts as silent. */
export const SILENCE_PEAK = 10 ** (-96 / 20);

export function checkFileSize(bytes: number): void {
	if (bytes === 0) throw new AudioFormatError('The file is empty (0 bytes).');
	if (bytes > MAX_FILE_BYTES) {
		throw new AudioFormatError(
			`The file is ${(bytes / 1024 ** 3).toFixed(1)} GiB; Stemsafe accepts files up to ${MAX_FILE_BYTES / 1024 ** 3} GiB.`
		);
	}
}

export function sniffContainer(bytes: Uint8Array): 'wav' | 'aiff' | 'flac' | 'other' {
	return isWav(bytes) ? 'wav' : isAiff(bytes) ? 'aiff' : isFlac(bytes) ? 'flac' : 'other';
}

/** A file as the page gets it (File / Blob); only `size` is looked at before reading. */
export interface UserFile {
	readonly size: number;
	arrayBuffer(): Promise<ArrayBuffer>;
}

/** Checks the size first (reading a 2 GiB+ file fails with an unhelpful browser error), then decodes. */
export async function decodeUserFile(file: UserFile, platform: PlatformDecoder): Promise<AudioData> {
	checkFileSize(file.size);
	if (file.size >= STREAM_WAV_BYTES && 'slice' in file) {
		// long WAVs: read in slices, never holding the file's bytes next to the decoded audio
		let parsed: ParsedAudio | null;
		try {
			parsed = await readWavInSlices(file as unknown as SliceableFile);
		} catch (e) {
			if (e instanceof AudioFormatError) throw e;
			throw new AudioFormatError('The file could not be read. It may have been moved, or it is still being written; try again.');
		}
		if (parsed) {
			const note = truncationNote(parsed);
			return checkDecoded({ sampleRate: parsed.sampleRate, channels: parsed.channels }, note ? [note] : []);
		}
	}
	let buffer: ArrayBuffer;
	try {
		buffer = await file.arrayBuffer();
	} catch {
		throw new AudioFormatError('The file could not be read. It may have been moved, or it is still being written; try again.');
	}
	return decodeAudioFile(buffer, platform);
}

/** "12.3 s" / "2:05.0" for messages about lengths. */
export function describeSeconds(seconds: number): string {
	if (seconds < 60) return `${seconds.toFixed(1)} s`;
	const m = Math.floor(seconds / 60);
	return `${m}:${(seconds - m * 60).toFixed(1).padStart(4, '0')}`;
}

export function truncationNote(audio: ParsedAudio): string | null {
	if (!audio.declaredFrames) return null;
	const read = audio.channels[0].length / audio.sampleRate;
	const whole = audio.declaredFrames / audio.sampleRate;
	return `The file is truncated: ${describeSeconds(read)} of ${describeSeconds(whole)} could be read; separating what was read.`;
}

export function peakOf(audio: AudioData): number {
	let peak = 0;
	for (const ch of audio.channels) {
		for (let i = 0; i < ch.length; i++) {
			const a = Math.abs(ch[i]);
			if (a > peak) peak = a;
		}
	}
	return peak;
}

export async function decodeAudioFile(buffer: ArrayBuffer, platform: PlatformDecoder): Promise<AudioData> {
	checkFileSize(buffer.byteLength);
	const bytes = new Uint8Array(buffer);
	const kind = sniffContainer(bytes);
	const notes: string[] = [];
	let audio: AudioData;
	if (kind === 'wav' || kind === 'aiff') {
		const parsed = kind === 'wav' ? parseWav(bytes) : parseAiff(bytes);
		const note = truncationNote(parsed);
		if (note) notes.push(note);
		audio = { sampleRate: parsed.sampleRate, channels: parsed.channels };
	} else if (kind === 'flac') {
		const flac = decodeFlac(bytes);
		notes.push(...flac.notes);
		audio = { sampleRate: flac.sampleRate, channels: flac.channels };
	} else {
		const probe = probeCompressed(bytes);
		try {
			audio = checkAudio(await platform(buffer.slice(0), probe.sampleRate));
		} catch (e) {
			if (e instanceof AudioFormatError) throw e;
			throw new AudioFormatError(undecodableMessage(probe.codec));
		}
		if (probe.sampleRate !== null && audio.sampleRate !== probe.sampleRate) {
			notes.push(
				`The browser decoded this ${probe.codec ?? 'compressed'} file at ${audio.sampleRate} Hz instead of its own ${probe.sampleRate} Hz; the stems are at ${audio.sampleRate} Hz.`
			);
		} else if (probe.sampleRate === null) {
			notes.push(
				`This file's own sample rate could not be read from its header, so the browser's decoder resampled it to ${audio.sampleRate} Hz; the stems are at ${audio.sampleRate} Hz.`
			);
		}
	}
	return checkDecoded(audio, notes);
}

/** The checks every decoded file goes through: length limit and silence. */
function checkDecoded(audio: AudioData, notes: string[]): AudioData {
	const seconds = audio.channels[0].length / audio.sampleRate;
	if (seconds > MAX_DURATION_SECONDS) throw tooLongError(seconds);
	if (peakOf(audio) < SILENCE_PEAK) {
		throw new AudioFormatError(`The file is silent (${describeSeconds(seconds)} with no sound above −96 dBFS), so there is nothing to separate.`);
	}
	return notes.length ? { ...audio, notes } : audio;
}

/** The message for a file the browser could not decode, naming its codec when the header says it. */
export function undecodableMessage(codec: string | null): string {
	if (codec === 'Apple Lossless (ALAC)') {
		return 'This file contains Apple Lossless (ALAC) audio, which this browser cannot decode. Convert it to WAV or FLAC (for example in Music/iTunes, Audacity, or with ffmpeg: ffmpeg -i input.m4a output.flac) and drop the converted file.';
	}
	if (codec) {
		return `This ${codec} file couldn't be decoded: it may be damaged, or this browser cannot play ${codec}. Convert it to WAV or FLAC (for example in Audacity, or with ffmpeg: ffmpeg -i input output.flac) and drop the converted file.`;
	}
	return "This file couldn't be decoded. It may be damaged, or in a format this browser can't play (try WAV, AIFF, FLAC, MP3, AAC/M4A or Ogg).";
}
