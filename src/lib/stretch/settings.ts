/**
 * Practice settings: playback speed (without changing pitch) and transposition (without changing
 * speed), applied to every stem the same way, live (playback/stretch-player.ts) and in every export
 * (stretch/offline.ts). Pure.
 */

export interface PracticeSettings {
	/** Playback speed: 1 = as recorded, 0.5 = half as fast (twice as long). */
	speed: number;
	/** Transposition in whole semitones. */
	semitones: number;
}

export const NEUTRAL: PracticeSettings = { speed: 1, semitones: 0 };
export const SPEED_MIN = 0.5;
export const SPEED_MAX = 1.5;
/** One press of a speed key or step of the slider. */
export const SPEED_STEP = 0.05;
export const SEMITONES_MIN = -12;
export const SEMITONES_MAX = 12;
/** The library's default tonality limit (its AudioWorklet node's too): above it timbre is kept rather than shifted. */
export const TONALITY_HZ = 8000;

/** Speed rounded to whole percent within 50–150 %, semitones whole within ±12; a non-number is refused. */
export function clampPractice(s: PracticeSettings): PracticeSettings {
	if (!Number.isFinite(s.speed) || !Number.isFinite(s.semitones)) throw new RangeError('The speed and the transposition must be numbers.');
	const speed = Math.round(Math.min(SPEED_MAX, Math.max(SPEED_MIN, s.speed)) * 100) / 100;
	const semitones = Math.round(Math.min(SEMITONES_MAX, Math.max(SEMITONES_MIN, s.semitones)));
	return { speed, semitones: semitones === 0 ? 0 : semitones };
}

export function isNeutral(s: PracticeSettings): boolean {
	return s.speed === 1 && s.semitones === 0;
}

/** "+2 st", "−3 st" (the minus sign), "0 st". */
export function semitoneLabel(semitones: number): string {
	return semitones > 0 ? `+${semitones} st` : semitones < 0 ? `−${-semitones} st` : '0 st';
}

/**
 * What was applied, for file names and the UI: "80% speed, +2 st", "80% speed", "-3 st"; empty for
 * the neutral settings. File names use ASCII "-" (clampPractice first).
 */
export function practiceLabel(s: PracticeSettings, { ascii = false } = {}): string {
	const parts: string[] = [];
	if (s.speed !== 1) parts.push(`${Math.round(s.speed * 100)}% speed`);
	if (s.semitones !== 0) parts.push(ascii ? (s.semitones > 0 ? `+${s.semitones} st` : `-${-s.semitones} st`) : semitoneLabel(s.semitones));
	return parts.join(', ');
}

/** Frames of a stretched signal: `frames` input frames played at `speed`. */
export function stretchedFrames(frames: number, speed: number): number {
	return Math.round(frames / speed);
}
