/** Planar float audio: one Float32Array per channel, all the same length. */
export interface AudioData {
	sampleRate: number;
	channels: Float32Array[];
	/** What the user should know about how the file was read (truncation, resampling). */
	notes?: string[];
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

export function checkAudio(audio: AudioData, what = 'The file'): AudioData {
	const { sampleRate, channels } = audio;
	if (!Number.isFinite(sampleRate) || sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
		throw new AudioFormatError(
			`${what} has a sample rate of ${sampleRate} Hz; supported rates are ${MIN_SAMPLE_RATE}–${MAX_SAMPLE_RATE} Hz.`
		);
	}
	if (channels.length === 0) throw new AudioFormatError(`${what} has no audio channels.`);
	const n = channels[0].length;
	if (channels.some((c) => c.length !== n)) throw new AudioFormatError(`${what} has channels of different lengths.`);
	if (n === 0) throw new AudioFormatError(`${what} contains no audio samples.`);
	return audio;
}
