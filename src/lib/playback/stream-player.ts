/**
 * Playback of stems that stay on disk: short segments of every stem are read from their
 * files just ahead of time and scheduled on one AudioContext clock (sample-accurate
 * between stems), one gain per stem for solo/mute/volume. Same controls as StemPlayer (StemTransport).
 */
import type { StemFiles } from '../library/stem-files';
import type { StoredStems } from '../separation/pipeline';
import { nextSegment } from './segments';
import { silence, StemTransport } from './transport';

/** How far ahead of the playhead segments are read and scheduled (s). */
const LOOKAHEAD = 3;

interface Scheduled {
	ctxStart: number;
	songStart: number;
	duration: number;
	sources: AudioBufferSourceNode[];
}

export class StreamingStemPlayer extends StemTransport {
	private scheduled: Scheduled[] = [];
	private cursor = 0;
	private cursorCtx = 0;
	private timer: ReturnType<typeof setInterval> | undefined;
	private generation = 0;
	private pumping = false;

	private readonly frames: number;

	/** `files` may still be opening; `stored` says what they hold. */
	constructor(
		private readonly files: Promise<StemFiles>,
		stored: StoredStems,
		sampleRate: number,
		onEnded: () => void = () => {}
	) {
		super(stored.frames / sampleRate, sampleRate, stored.files.length, onEnded);
		this.frames = stored.frames;
	}

	get position(): number {
		if (!this.playing || !this.ctx) return this.offset;
		const now = this.ctx.currentTime;
		let pos = this.offset;
		for (const s of this.scheduled) if (s.ctxStart <= now) pos = s.songStart + Math.min(s.duration, now - s.ctxStart);
		return Math.min(this.duration, pos);
	}

	async play(at?: number): Promise<void> {
		const ctx = await this.restart();
		this.cursor = this.offset;
		this.cursorCtx = Math.max(at ?? 0, ctx.currentTime + 0.1);
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

	protected stopSources(): void {
		this.generation++;
		clearInterval(this.timer);
		for (const s of this.scheduled) silence(s.sources);
		this.scheduled = [];
	}
}
