/**
 * What the two stem players share: one AudioContext at the stems' rate with one gain per stem
 * (solo/mute/volume through `effectiveGains`), and the transport — play position kept as an
 * offset while stopped, loop region, pause, seek, close. A player supplies how sources are
 * scheduled (`play`, `position`, `stopSources`).
 */
import { effectiveGains, type ChannelStrip } from './mixer';
import { startOffset, type LoopRegion } from './loop';

/** Stops scheduled sources (started or not) without their `onended` firing. */
export function silence(sources: Iterable<AudioScheduledSourceNode>): void {
	for (const s of sources) {
		s.onended = null;
		try {
			s.stop();
		} catch {
			/* not started */
		}
	}
}

export abstract class StemTransport {
	protected ctx: AudioContext | null = null;
	protected gains: GainNode[] = [];
	/** Where playback starts or stood still (s). */
	protected offset = 0;
	protected loop: LoopRegion | null = null;
	playing = false;

	constructor(
		readonly duration: number,
		protected readonly sampleRate: number,
		private readonly stemCount: number,
		protected onEnded: () => void
	) {}

	/** Where playback is now (s). */
	abstract get position(): number;

	/** The audio clock the stems play on (null before the first play): the click is scheduled on it. */
	get audioContext(): AudioContext | null {
		return this.ctx;
	}
	/**
	 * Starts playback from `offset`: at audio-clock time `at` when given (a count-in's end, so
	 * the song comes in on the beat however late this call runs), else as soon as it can; never
	 * sooner than the player's own start-up lead.
	 */
	abstract play(at?: number): Promise<void>;
	/** Stops and forgets every scheduled source. */
	protected abstract stopSources(): void;
	/** Called once, when the context is created (e.g. to fill buffers). */
	protected prepare(_ctx: AudioContext): void {}

	protected ensureContext(): AudioContext {
		if (this.ctx) return this.ctx;
		const ctx = new AudioContext({ sampleRate: this.sampleRate });
		this.prepare(ctx);
		this.gains = Array.from({ length: this.stemCount }, () => {
			const g = ctx.createGain();
			g.connect(ctx.destination);
			return g;
		});
		this.ctx = ctx;
		return ctx;
	}

	/** The first steps of `play`: a running context, nothing scheduled, `offset` moved into the loop. */
	protected async restart(): Promise<AudioContext> {
		const ctx = this.ensureContext();
		await ctx.resume();
		this.stopSources();
		this.offset = startOffset(this.offset, this.duration, this.loop);
		return ctx;
	}

	/** Loops playback between two times (null: no loop). Applies at once when playing. */
	setLoop(loop: LoopRegion | null): void {
		const wasPlaying = this.playing;
		if (wasPlaying) this.pause();
		this.loop = loop;
		if (wasPlaying) void this.play();
	}

	setStrips(strips: ChannelStrip[]): void {
		const ctx = this.ensureContext();
		effectiveGains(strips).forEach((g, i) => this.gains[i].gain.setTargetAtTime(g, ctx.currentTime, 0.01));
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

	close(): void {
		this.stopSources();
		void this.ctx?.close();
		this.ctx = null;
	}
}
