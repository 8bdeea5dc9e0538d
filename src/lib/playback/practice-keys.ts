/**
 * The practice shortcuts of a result (pure; StemResult listens, PracticeControls shows them):
 *   [ and ]  speed down / up by 5 %      - and =  transpose down / up a semitone (also _ and +)
 *   0        back to as recorded          L        loop on/off
 * and the loop that L makes when there is none.
 */
import { clampPractice, NEUTRAL, SPEED_STEP, type PracticeSettings } from '../stretch/settings';
import type { LoopRegion } from './loop';

export const PRACTICE_KEYS = { slower: '[', faster: ']', down: '-', up: '=', reset: '0', loop: 'L' } as const;

/** The settings a key press asks for; null when the key is not a practice key. */
export function practiceKey(key: string, s: PracticeSettings): PracticeSettings | null {
	switch (key) {
		case '[':
			return clampPractice({ ...s, speed: s.speed - SPEED_STEP });
		case ']':
			return clampPractice({ ...s, speed: s.speed + SPEED_STEP });
		case '-':
		case '_':
			return clampPractice({ ...s, semitones: s.semitones - 1 });
		case '=':
		case '+':
			return clampPractice({ ...s, semitones: s.semitones + 1 });
		case '0':
			return { ...NEUTRAL };
		default:
			return null;
	}
}

/** Bars a new loop spans (with a beat grid), or seconds (without). */
export const QUICK_LOOP_BARS = 4;
export const QUICK_LOOP_SECONDS = 8;

/**
 * The loop L makes: four bars from the bar the playhead is in (with the song's downbeats), else
 * eight seconds from the playhead; near the end, the last four bars (or eight seconds) of the song.
 */
export function quickLoop(position: number, duration: number, downbeats: readonly number[] | null): LoopRegion | null {
	if (!(duration > 0)) return null;
	const bars = downbeats ?? [];
	let at = -1;
	for (let i = 0; i < bars.length; i++) if (bars[i] <= position + 1e-6) at = i;
	// before the first bar line: from the first bar
	if (at < 0 && bars.length >= 2) at = 0;
	let start: number;
	let end: number;
	if (at >= 0 && bars.length >= 2) {
		// near the end, the last four bars
		const first = Math.min(at, Math.max(0, bars.length - 1 - QUICK_LOOP_BARS));
		start = bars[first];
		end = bars[Math.min(bars.length - 1, first + QUICK_LOOP_BARS)];
	} else {
		start = Math.max(0, Math.min(position, duration - QUICK_LOOP_SECONDS));
		end = Math.min(duration, start + QUICK_LOOP_SECONDS);
	}
	return end > start ? { start, end } : null;
}
