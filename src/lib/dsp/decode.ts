/**
 * Turning a user's file into planar float audio. WAV, AIFF and FLAC are parsed here, at their
 * native sample rate and bit depth; anything else goes to the browser's decoder
 * (Web Audio decodeAudioData), which the caller supplies because it needs a window.
 */
import { AudioFormatError, checkAudio, type AudioData } from './audio';
import { isAiff, parseAiff } from './aiff';
import { decodeFlac, isFlac } from './flac/decode';
import { isWav, parseWav } from './wav';

export type PlatformDecoder = (bytes: ArrayBuffer) => Promise<AudioData>;

/** Files above this are refused before reading, so a huge file cannot exhaust memory. */
export const MAX_FILE_BYTES = 2 * 1024 ** 3;
/** Longest audio accepted (decoded audio is held as 32-bit floats). */
export const MAX_DURATION_SECONDS = 60 * 60;

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

export async function decodeAudioFile(buffer: ArrayBuffer, platform: PlatformDecoder): Promise<AudioData> {
	checkFileSize(buffer.byteLength);
	const bytes = new Uint8Array(buffer);
	const kind = sniffContainer(bytes);
	let audio: AudioData;
	if (kind === 'wav') audio = parseWav(bytes);
	else if (kind === 'aiff') audio = parseAiff(bytes);
	else if (kind === 'flac') {
		const flac = decodeFlac(bytes);
		audio = { sampleRate: flac.sampleRate, channels: flac.channels, ...(flac.notes.length ? { notes: flac.notes } : {}) };
	}
	else {
		try {
			audio = checkAudio(await platform(buffer.slice(0)));
		} catch (e) {
			if (e instanceof AudioFormatError) throw e;
			throw new AudioFormatError(
				"This file couldn't be decoded. It may be damaged, or in a format this browser can't play (try WAV, AIFF, FLAC, MP3, AAC/M4A or Ogg)."
			);
		}
	}
	const seconds = audio.channels[0].length / audio.sampleRate;
	if (seconds > MAX_DURATION_SECONDS) {
		throw new AudioFormatError(
			`The audio is ${(seconds / 60).toFixed(0)} minutes long; Stemsafe handles up to ${MAX_DURATION_SECONDS / 60} minutes per file.`
		);
	}
	return audio;
}
