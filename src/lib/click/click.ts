/**
 * The click track: a metronome on the song's beat grid (analysis: beats and downbeats), the
 * bar's first beat accented (higher and louder), at the practice speed. Pure and sample-exact:
 * a beat at song time t starts at output sample round(t × rate / speed), where the stretched
 * stems put the same moment (stretch/offline.ts maps input sample k to output sample k / speed),
 * so the click lines up with stems played or exported at any speed. The count-in is one bar of
 * clicks at the grid's local beat period before a loop's start.
 */
import type { BeatGrid } from '../analysis/beats';
import type { AudioData } from '../dsp/audio';

/** Length of one click (s). */
export const CLICK_SECONDS = 0.035;
/** Pitch of the downbeat's click and of the other beats' (Hz): a woodblock-like pair. */
export const ACCENT_HZ = 1760;
export const BEAT_HZ = 1320;
/** Peak level of a downbeat's click and of the others' at volume 1 (linear). */
export const ACCENT_LEVEL = 0.7;
export const BEAT_LEVEL = 0.45;

/** The click as one more source of a mix: its events and volume (plain data, for the export worker). */
export interface ClickTrack {
	events: ClickEvent[];
	volume: number;
}

export interface ClickEvent {
	/** Song time (s). */
	time: number;
	accent: boolean;
}

const clickCache = new Map<string, Float32Array>();

/** One click at `sampleRate`: a sine burst with a 1 ms attack and an exponential decay, peak 1. */
export function clickSound(sampleRate: number, accent: boolean): Float32Array {
	const key = `${sampleRate}:${accent}`;
	let s = clickCache.get(key);
	if (s) return s;
	const n = Math.round(CLICK_SECONDS * sampleRate);
	const f = accent ? ACCENT_HZ : BEAT_HZ;
	const attack = 0.001 * sampleRate;
	s = new Float32Array(n);
	for (let i = 0; i < n; i++) {
		const t = i / sampleRate;
		const env = Math.min(1, i / attack) * Math.exp(-t / (CLICK_SECONDS / 5));
		s[i] = env * Math.sin(2 * Math.PI * f * t);
	}
	clickCache.set(key, s);
	return s;
}

/** The grid's beats as click events (downbeats accented), ascending. */
export function clickEvents(grid: BeatGrid): ClickEvent[] {
	const down = new Set(grid.downbeats);
	return grid.beats.map((time) => ({ time, accent: down.has(time) }));
}

/** The beat period (s) around song time `t`: the median gap of the nearest eight beats (0 without a grid). */
export function beatPeriodAt(beats: number[], t: number): number {
	if (beats.length < 2) return 0;
	let i = beats.findIndex((b) => b >= t);
	if (i < 0) i = beats.length - 1;
	const from = Math.max(0, Math.min(i - 4, beats.length - 9));
	const gaps: number[] = [];
	for (let k = from + 1; k < Math.min(beats.length, from + 9); k++) gaps.push(beats[k] - beats[k - 1]);
	gaps.sort((a, b) => a - b);
	return gaps[Math.floor(gaps.length / 2)];
}

/**
 * One bar of count-in before song time `start`: `beatsPerBar` clicks a beat period apart, the
 * first accented, the last one beat before `start`. Times are song times (before `start`, may be
 * negative: the count-in is played before the song's time runs).
 */
export function countInEvents(grid: BeatGrid, start: number, beatsPerBar = 4): ClickEvent[] {
	const period = beatPeriodAt(grid.beats, start);
	if (!(period > 0)) return [];
	return Array.from({ length: beatsPerBar }, (_, k) => ({ time: start - (beatsPerBar - k) * period, accent: k === 0 }));
}

export interface ClickRender {
	sampleRate: number;
	/** Practice speed (1 = as recorded); the output is `round(frames / speed)` frames long. */
	speed?: number;
	/** Linear gain (1 = the levels above). */
	volume?: number;
	/** Song frames covered (the output starts at song time 0). */
	frames: number;
}

/**
 * The click track as one mono signal in the stretched timeline: every event at song time t
 * starts at sample round(t × rate / speed); events outside the signal are cut.
 */
export function renderClick(events: ClickEvent[], { sampleRate, speed = 1, volume = 1, frames }: ClickRender): Float32Array {
	if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError('The speed must be a positive number.');
	if (!(frames >= 0) || !Number.isFinite(frames)) throw new RangeError('The click track needs a length.');
	return clickInto(new Float32Array(Math.round(frames / speed)), events, { sampleRate, speed, volume });
}

/** Adds the click track to `out` (a signal in the stretched timeline, from song time 0); returns `out`. */
export function clickInto(out: Float32Array, events: ClickEvent[], { sampleRate, speed = 1, volume = 1 }: Omit<ClickRender, 'frames'>): Float32Array {
	for (const e of events) addClick(out, Math.round((e.time * sampleRate) / speed), e.accent, sampleRate, volume);
	return out;
}

/**
 * A mix (stems already at the practice speed) with the click added to every channel, in place:
 * the click as one more source of a custom mix.
 */
export function mixInClick(mix: AudioData, events: ClickEvent[], { speed = 1, volume = 1 } = {}): AudioData {
	clickIntoRegion(mix.channels, 0, events, { sampleRate: mix.sampleRate, speed, volume });
	return mix;
}

/**
 * Adds the click to a region of a mix in the stretched timeline: `region` holds output frames
 * [start, start + length) of every channel; a click that began before the region or runs past it
 * contributes the part inside. Region by region, the sum is the whole mix's click (mixInClick),
 * for mixes written piece by piece from stems on disk.
 */
export function clickIntoRegion(region: Float32Array[], start: number, events: ClickEvent[], { sampleRate, speed = 1, volume = 1 }: Omit<ClickRender, 'frames'>): void {
	if (region.length === 0) return;
	const length = region[0].length;
	const sound = Math.max(clickSound(sampleRate, false).length, clickSound(sampleRate, true).length);
	for (const e of events) {
		const at = Math.round((e.time * sampleRate) / speed) - start;
		if (at >= length || at + sound <= 0) continue;
		for (const ch of region) addClick(ch, at, e.accent, sampleRate, volume);
	}
}

/** Adds one click starting at sample `at` (clipped to `out`). */
export function addClick(out: Float32Array, at: number, accent: boolean, sampleRate: number, volume: number): void {
	const s = clickSound(sampleRate, accent);
	const g = volume * (accent ? ACCENT_LEVEL : BEAT_LEVEL);
	const from = Math.max(0, -at);
	const to = Math.min(s.length, out.length - at);
	for (let i = from; i < to; i++) out[at + i] += g * s[i];
}
