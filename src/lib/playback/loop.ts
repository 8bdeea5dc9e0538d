/** Loop-region arithmetic for the stem player (pure, so it is tested without Web Audio). */
export interface LoopRegion {
	start: number;
	end: number;
}

/** Shortest loop accepted (s); shorter drags are treated as clicks. */
export const MIN_LOOP_SECONDS = 0.05;

/** A region from two times in any order, clamped to the audio; null when too short. */
export function makeLoop(a: number, b: number, duration: number): LoopRegion | null {
	const start = Math.max(0, Math.min(a, b));
	const end = Math.min(duration, Math.max(a, b));
	return end - start >= Math.min(MIN_LOOP_SECONDS, duration / 2) && end > start ? { start, end } : null;
}

/**
 * Where playback is after `elapsed` seconds from `offset`. Without a loop it stops at the
 * end; with one, reaching the loop end jumps back to its start (as AudioBufferSourceNode does).
 */
export function playbackPosition(offset: number, elapsed: number, duration: number, loop: LoopRegion | null): number {
	const t = offset + Math.max(0, elapsed);
	if (!loop || offset >= loop.end || t < loop.end) return Math.min(duration, t);
	const len = loop.end - loop.start;
	return loop.start + ((t - loop.start) % len);
}

/** Where playback starts when play is pressed: inside the loop if there is one. */
export function startOffset(offset: number, duration: number, loop: LoopRegion | null): number {
	if (loop) return offset >= loop.start && offset < loop.end ? offset : loop.start;
	return offset >= duration ? 0 : offset;
}

/** What loop edges snap to: nothing, the nearest beat, or the nearest bar line (downbeat). */
export type LoopSnap = 'off' | 'beat' | 'bar';

/**
 * A loop with both edges moved to the nearest beat or bar line of a beat grid (ascending times);
 * an end that would meet its start moves to the next grid time after it. Unchanged with snapping
 * off or without a grid; null when the snapped loop is too short.
 */
export function snapLoop(loop: LoopRegion, grid: { beats: number[]; downbeats: number[] } | null | undefined, snap: LoopSnap, duration: number): LoopRegion | null {
	const times = snap === 'bar' ? grid?.downbeats : snap === 'beat' ? grid?.beats : null;
	if (!times || times.length < 2) return loop;
	const nearest = (t: number) => times.reduce((a, b) => (Math.abs(b - t) < Math.abs(a - t) ? b : a));
	const start = nearest(loop.start);
	let end = nearest(loop.end);
	if (end <= start) end = times.find((t) => t > start) ?? duration;
	return makeLoop(start, Math.min(end, duration), duration);
}
