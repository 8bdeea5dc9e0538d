/**
 * Streaming playback plan (pure): the song is played as consecutive short segments read
 * from disk just ahead of time. Given where playback continues from, which segment comes
 * next, cut at segment boundaries, the loop end and the song end; after a loop's end the
 * next one starts again at the loop's start.
 */
import type { LoopRegion } from './loop';

export interface Segment {
	/** Song time (s) where it starts and how long it plays. */
	start: number;
	duration: number;
}

export const SEGMENT_SECONDS = 2;

/** The segment that plays from song time `from`; null at the end of a song without loop. */
export function nextSegment(from: number, duration: number, loop: LoopRegion | null, seconds = SEGMENT_SECONDS): Segment | null {
	let start = from;
	if (loop && start >= loop.end - 1e-9) start = loop.start;
	if (!loop && start >= duration - 1e-9) return null;
	const end = Math.min(start + seconds, loop && start < loop.end ? loop.end : duration);
	if (end <= start) return null;
	return { start, duration: end - start };
}
