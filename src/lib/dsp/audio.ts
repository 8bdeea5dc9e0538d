/** Planar float audio: one Float32Array per channel, all the same length. */
export interface AudioData {
	sampleRate: number;
	channels: Float32Array[];
	/** What the user should know about how the file was read (truncation, resampling). */
	notes?: string[];
}

/** The distinct buffers behind the channels (what to hand over when the audio moves to another thread). */
export function channelBuffers(audio: AudioData): ArrayBuffer[] {
	return [...new Set(audio.channels.map((c) => c.buffer as ArrayBuffer))];
}

/** A problem with the user's file, worded for the user. */
export class AudioFormatError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'AudioFormatError';
	}
}

export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 384000;
/** Most channels read from a file (7.1, FLAC's maximum); more are refused before anything is allocated. */
export const MAX_CHANNELS = 8;
/** Longest audio accepted (decoded audio is held as 32-bit floats). */
export const MAX_DURATION_SECONDS = 60 * 60;

/** The error for audio over MAX_DURATION_SECONDS. */
export function tooLongError(seconds: number): AudioFormatError {
	return new AudioFormatError(
		`The audio is ${(seconds / 60).toFixed(0)} minutes long; Stemsafe handles up to ${MAX_DURATION_SECONDS / 60} minutes per file.`
	);
}

/**
 * The checks a reader makes from the header, before it allocates the decoded audio: the sample
 * rate, the channel count and (when `frames` is known) the length.
 */
export function checkAudioShape(sampleRate: number, channelCount: number, frames: number | null, what = 'The file'): void {
	if (!Number.isFinite(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
		throw new AudioFormatError(
			`${what} has a sample rate of ${sampleRate} Hz; supported rates are ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz.`
		);
	}
	if (channelCount === 0) throw new AudioFormatError(`${what} has no audio channels.`);
	if (channelCount > MAX_CHANNELS) {
		throw new AudioFormatError(
			`${what} has ${channelCount} channels; Stemsafe reads up to ${MAX_CHANNELS} (7.1). Export a stereo mix of it and drop that.`
		);
	}
	if (frames !== null && frames / sampleRate > MAX_DURATION_SECONDS) throw tooLongError(frames / sampleRate);
}

export function checkAudio(audio: AudioData, what = 'The file'): AudioData {
	const { sampleRate, channels } = audio;
	checkAudioShape(sampleRate, channels.length, null, what);
	const n = channels[0].length;
	if (channels.some((c) => c.length !== n)) throw new AudioFormatError(`${what} has channels of different lengths.`);
	if (n === 0) throw new AudioFormatError(`${what} contains no audio samples.`);
	return audio;
}
