/**
 * Playback of stems that stay on disk: short segments of every stem are read from their
 * files just ahead of time and scheduled on one AudioContext clock (sample-accurate
 * between stems), one gain per stem for solo/mute/volume. Same controls as StemPlayer.
 */
import type { StemFiles } from '../library/stem-files';
import type { StoredStems } from '../separation/pipeline';
import { effectiveGains, type ChannelStrip } from './mixer';
import { startOffset, type LoopRegion } from './loop';
import { nextSegment } from './segments';

/** How far ahead of the playhead segments are read and scheduled (s). */
const LOOKAHEAD = 3;

interface Scheduled {
	ctxStart: number;
	songStart: number;
	duration: number;
	sources: AudioBufferSourceNode[];
}

export class StreamingStemPlayer {
	private ctx: AudioContext | null = null;
	private gains: GainNode[] = [];
	private scheduled: Scheduled[] = [];
	private cursor = 0;
	private cursorCtx = 0;
	private offset = 0;
	private loop: LoopRegion | null = null;
	private timer: ReturnType<typeof setInterval> | undefined;
	private generation = 0;
	private pumping = false;
	playing = false;
	readonly duration: number;

	private readonly frames: number;

	/** `files` may still be opening; `stored` says what they hold. */
	constructor(
		private readonly files: Promise<StemFiles>,
		private readonly stored: StoredStems,
		private readonly sampleRate: number,
		private onEnded: () => void = () => {}
	) {
		this.frames = stored.frames;
		this.duration = stored.frames / sampleRate;
	}

	private ensureContext(): AudioContext {
		if (this.ctx) return this.ctx;
		const ctx = new AudioContext({ sampleRate: this.sampleRate });
		this.gains = this.stored.files.map(() => {
			const g = ctx.createGain();
			g.connect(ctx.destination);
			return g;
		});
		this.ctx = ctx;
		return ctx;
	}

	get position(): number {
		if (!this.playing || !this.ctx) return this.offset;
		const now = this.ctx.currentTime;
		let pos = this.offset;
		for (const s of this.scheduled) if (s.ctxStart <= now) pos = s.songStart + Math.min(s.duration, now - s.ctxStart);
		return Math.min(this.duration, pos);
	}

	setLoop(loop: LoopRegion | null): void {
		const wasPlaying = this.playing;
		if (wasPlaying) this.pause();
		this.loop = loop;
		if (wasPlaying) void this.play();
	}

	setStrips(strips: ChannelStrip[]): void {
		this.ensureContext();
		effectiveGains(strips).forEach((g, i) => this.gains[i].gain.setTargetAtTime(g, this.ctx!.currentTime, 0.01));
	}

	async play(): Promise<void> {
		const ctx = this.ensureContext();
		await ctx.resume();
		this.stopSources();
		this.offset = startOffset(this.offset, this.duration, this.loop);
		this.cursor = this.offset;
		this.cursorCtx = ctx.currentTime + 0.1;
		this.playing = true;
		const generation = ++this.generation;
		await this.pump(generation);
		clearInterval(this.timer);
		this.timer = setInterval(() => void this.pump(generation), 250);
	}

	/** Reads and schedules segments until LOOKAHEAD seconds are queued. */
	private async pump(generation: number): Promise<void> {
		if (this.pumping || generation !== this.generation || !this.ctx) return;
		this.pumping = true;
		try {
			const ctx = this.ctx;
			this.scheduled = this.scheduled.filter((s) => s.ctxStart + s.duration > ctx.currentTime - 1);
			while (this.playing && generation === this.generation && this.cursorCtx < ctx.currentTime + LOOKAHEAD) {
				const seg = nextSegment(this.cursor, this.duration, this.loop);
				if (!seg) {
					if (ctx.currentTime >= this.cursorCtx) this.finished();
					return;
				}
				const from = Math.round(seg.start * this.sampleRate);
				const to = Math.min(this.frames, Math.round((seg.start + seg.duration) * this.sampleRate));
				const region = await (await this.files).readAll(from, to);
				if (generation !== this.generation || to <= from) return;
				if (this.cursorCtx < ctx.currentTime + 0.02) this.cursorCtx = ctx.currentTime + 0.05; // the disk fell behind
				const sources = region.map((chs, i) => {
					const b = ctx.createBuffer(chs.length, to - from, this.sampleRate);
					chs.forEach((ch, c) => b.copyToChannel(ch as Float32Array<ArrayBuffer>, c));
					const s = ctx.createBufferSource();
					s.buffer = b;
					s.connect(this.gains[i]);
					s.start(this.cursorCtx);
					return s;
				});
				const duration = (to - from) / this.sampleRate;
				this.scheduled.push({ ctxStart: this.cursorCtx, songStart: seg.start, duration, sources });
				this.cursor = seg.start + duration;
				this.cursorCtx += duration;
			}
		} finally {
			this.pumping = false;
		}
	}

	private finished(): void {
		this.playing = false;
		this.offset = 0;
		this.generation++;
		clearInterval(this.timer);
		this.scheduled = [];
		this.onEnded();
	}

	pause(): void {
		this.offset = this.position;
		this.playing = false;
		this.stopSources();
	}

	seek(seconds: number): void {
		const wasPlaying = this.playing;
		this.pause();
		this.offset = Math.max(0, Math.min(this.duration, seconds));
		if (wasPlaying) void this.play();
	}

	private stopSources(): void {
		this.generation++;
		clearInterval(this.timer);
		for (const s of this.scheduled) {
			for (const src of s.sources) {
				try {
					src.stop();
				} catch {
					/* not started */
				}
			}
		}
		this.scheduled = [];
	}

	close(): void {
		this.stopSources();
		void this.ctx?.close();
		this.ctx = null;
	}
}
