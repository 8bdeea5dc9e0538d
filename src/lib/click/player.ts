/**
 * The click, live: scheduled on the stems' own audio clock (the player's AudioContext) a little
 * ahead of time, from where playback is and how fast it runs (clicksAhead), so every click starts
 * on its beat at any speed and through loops. One gain for the click's volume. The count-in is one
 * bar of clicks before playback starts.
 */
import type { LoopRegion } from '../playback/loop';
import { silence } from '../playback/transport';
import { clickSound, countInEvents, type ClickEvent } from './click';
import { clicksAhead } from './schedule';
import type { BeatGrid } from '../analysis/beats';

/** How often the schedule is topped up, and how far ahead it reaches (s of audio clock). */
const TICK_MS = 25;
/** How far the first tick may reach back for a click playback has just passed (seconds). */
const REACH_BACK = 0.1;
const HORIZON = 0.12;
/** How long before a count-in ends the player is asked to start (it starts on the clock at the end). */
const COUNT_IN_EARLY = 0.3;

export interface ClickSource {
	readonly audioContext: AudioContext | null;
	readonly position: number;
	readonly duration: number;
	readonly playing: boolean;
}

export class ClickPlayer {
	private timer: ReturnType<typeof setInterval> | undefined;
	private gain: GainNode | null = null;
	private ctx: AudioContext | null = null;
	/**
	 * Clicks scheduled lately (event index and clock time): a tick's window overlaps the last one's,
	 * a restart reaches back a tick, and each beat is scheduled once.
	 */
	private recent: { index: number; at: number }[] = [];
	private sources: AudioBufferSourceNode[] = [];
	private buffers = new Map<boolean, AudioBuffer>();
	private readonly events: ClickEvent[];
	volume = 0.8;
	speed = 1;
	loop: LoopRegion | null = null;

	constructor(
		private readonly grid: BeatGrid,
		private readonly source: ClickSource
	) {
		const down = new Set(grid.downbeats);
		this.events = grid.beats.map((time) => ({ time, accent: down.has(time) }));
	}

	private output(ctx: AudioContext): GainNode {
		if (this.ctx !== ctx || !this.gain) {
			this.ctx = ctx;
			this.gain = ctx.createGain();
			this.gain.connect(ctx.destination);
			this.buffers.clear();
		}
		this.gain.gain.setTargetAtTime(this.volume, ctx.currentTime, 0.01);
		return this.gain;
	}

	setVolume(volume: number): void {
		this.volume = volume;
		if (this.gain && this.ctx) this.gain.gain.setTargetAtTime(volume, this.ctx.currentTime, 0.01);
	}

	private play(ctx: AudioContext, at: number, accent: boolean): void {
		let buffer = this.buffers.get(accent);
		if (!buffer) {
			const s = clickSound(ctx.sampleRate, accent);
			buffer = ctx.createBuffer(1, s.length, ctx.sampleRate);
			buffer.copyToChannel(s as Float32Array<ArrayBuffer>, 0);
			this.buffers.set(accent, buffer);
		}
		const node = ctx.createBufferSource();
		node.buffer = buffer;
		node.connect(this.output(ctx));
		node.start(Math.max(at, ctx.currentTime));
		node.onended = () => (this.sources = this.sources.filter((n) => n !== node));
		this.sources.push(node);
	}

	/** Starts following playback (call after the player has started, and again after a seek, a new loop or speed). */
	start(): void {
		this.stop();
		let last: { position: number; now: number } | null = null;
		let first = true;
		const tick = () => {
			const ctx = this.source.audioContext;
			if (!ctx || !this.source.playing) return;
			// the clock moves by several render quanta at once: read the position between two equal readings of it
			const now = ctx.currentTime;
			const position = this.source.position;
			if (ctx.currentTime !== now) return;
			// the player has not started yet (its position stands still): wait, so the clock maps exactly
			if (last && last.position === position && now > last.now) return;
			if (!last) {
				last = { position, now };
				return;
			}
			// the first time, reach back to the last reading: playback started after it (a click on its first beat is then
			// late by the time since, not lost, even when a busy page delays the timer past a tick); at most REACH_BACK
			const back = first ? Math.max(0, Math.min(REACH_BACK, now - last.now, (position - last.position) / this.speed)) : 0;
			const head = { position: position - back * this.speed, now: now - back, speed: this.speed, loop: this.loop, duration: this.source.duration };
			this.recent = this.recent.filter((r) => r.at > now - 1);
			for (const c of clicksAhead(this.events, head, HORIZON + back)) {
				if (!first && c.at < now) continue;
				if (this.recent.some((r) => r.index === c.index && Math.abs(r.at - c.at) < 0.1)) continue;
				this.recent.push({ index: c.index, at: c.at });
				this.play(ctx, c.at, c.accent);
			}
			first = false;
			last = { position, now };
		};
		this.timer = setInterval(tick, TICK_MS);
	}

	/**
	 * One bar of clicks before song time `start` at the practice speed, starting now. Resolves
	 * shortly before the bar is over with the audio-clock time playback must start at (pass it to
	 * the player's play), or null when there is no bar to count (no beats before `start`).
	 */
	async countIn(ctx: AudioContext, start: number): Promise<number | null> {
		const events = countInEvents(this.grid, start);
		if (events.length === 0) return null;
		await ctx.resume();
		const t0 = ctx.currentTime + 0.05;
		const first = events[0].time;
		for (const e of events) this.play(ctx, t0 + (e.time - first) / this.speed, e.accent);
		const end = t0 + (start - first) / this.speed;
		// the player is asked EARLY s ahead and starts on the audio clock at `end`: a busy page
		// (a separation running, timers late) delays the call, not the song's entry
		await new Promise((resolve) => setTimeout(resolve, Math.max(0, (end - ctx.currentTime - COUNT_IN_EARLY) * 1000)));
		return end;
	}

	/** Stops following playback and silences clicks scheduled but not yet heard. */
	stop(): void {
		clearInterval(this.timer);
		this.timer = undefined;
		silence(this.sources);
		this.sources = [];
		// clicks already heard stay known (a restart that reaches back must not play them twice); the silenced ones are forgotten
		const now = this.ctx?.currentTime ?? Infinity;
		this.recent = this.recent.filter((r) => r.at <= now);
	}

	close(): void {
		this.stop();
		this.gain?.disconnect();
		this.gain = null;
	}
}
