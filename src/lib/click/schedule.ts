/**
 * Which clicks to start in the next moments of playback (pure): from where playback is now (song
 * time), how fast it runs (practice speed) and the loop, the events whose song time is reached
 * within `horizon` seconds of the audio clock, with the clock time each starts at. After a loop's
 * end the song time continues at the loop's start, as the players do.
 */
import type { LoopRegion } from '../playback/loop';
import type { ClickEvent } from './click';

export interface Playhead {
	/** Song time now (s). */
	position: number;
	/** Audio clock now (s). */
	now: number;
	/** Practice speed: song seconds per clock second. */
	speed: number;
	loop: LoopRegion | null;
	duration: number;
}

export interface TimedClick {
	/** Audio clock time (s) the click starts at. */
	at: number;
	accent: boolean;
	/** Which event (its index in `events`): the same event comes again on each pass of a loop. */
	index: number;
}

/** Clicks starting within [now, now + horizon) of the clock, ascending; events must be ascending. */
export function clicksAhead(events: ClickEvent[], head: Playhead, horizon: number): TimedClick[] {
	const out: TimedClick[] = [];
	const { speed, loop, duration } = head;
	if (!(speed > 0) || horizon <= 0) return out;
	let songFrom = head.position;
	let clockFrom = head.now;
	const clockEnd = head.now + horizon;
	// at most a few loop passes within the horizon (a loop is at least MIN_LOOP_SECONDS long)
	for (let pass = 0; pass < 64 && clockFrom < clockEnd; pass++) {
		const inLoop = loop !== null && songFrom < loop.end;
		const songEnd = inLoop ? loop!.end : duration;
		const songLimit = Math.min(songEnd, songFrom + (clockEnd - clockFrom) * speed);
		for (let index = 0; index < events.length; index++) {
			const e = events[index];
			if (e.time < songFrom) continue;
			if (e.time >= songLimit) break;
			out.push({ at: clockFrom + (e.time - songFrom) / speed, accent: e.accent, index });
		}
		if (!inLoop || songLimit < songEnd) break;
		clockFrom += (songEnd - songFrom) / speed;
		songFrom = loop!.start;
	}
	return out;
}
