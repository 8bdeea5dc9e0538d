/**
 * What a plan may separate. Free: the first PREVIEW_SECONDS of each song. A valid license:
 * the whole song. Applied by the separation worker itself before it runs the model.
 */
import type { AudioData } from '../dsp/audio';

export const PREVIEW_SECONDS = 60;
/** Devices one license is active on at once (the license function's default DEVICE_LIMIT). */
export const DEVICE_LIMIT = 3;
/** Days between two replacements of a device from another one (its DEVICE_REPLACE_DAYS). */
export const DEVICE_REPLACE_DAYS = 30;

export interface PlannedAudio {
	audio: AudioData;
	/** True when the song was cut to the preview length. */
	trimmed: boolean;
	/** Length of the song as given, in seconds. */
	originalSeconds: number;
	note: string | null;
}

export function previewNote(originalSeconds: number): string {
	return `Free preview: the first ${PREVIEW_SECONDS} s of this ${Math.round(originalSeconds)} s song were separated. Unlock full length to separate whole songs.`;
}

/** How many frames of a song of `frames` frames the plan separates (what its stems will hold). */
export function plannedFrames(frames: number, sampleRate: number, licensed: boolean): number {
	return licensed ? frames : Math.min(frames, Math.round(PREVIEW_SECONDS * sampleRate));
}

export function applyPlan(audio: AudioData, licensed: boolean): PlannedAudio {
	const length = audio.channels[0]?.length ?? 0;
	const originalSeconds = length / audio.sampleRate;
	const limit = plannedFrames(length, audio.sampleRate, licensed);
	if (length <= limit) return { audio, trimmed: false, originalSeconds, note: null };
	return {
		audio: { sampleRate: audio.sampleRate, channels: audio.channels.map((c) => c.slice(0, limit)) },
		trimmed: true,
		originalSeconds,
		note: previewNote(originalSeconds)
	};
}
