/**
 * Synchronised playback of all stems of one result through Web Audio, one gain per stem
 * (solo/mute/volume applied via `effectiveGains`).
 */
import { effectiveGains, type ChannelStrip } from './mixer';
import { playbackPosition, startOffset, type LoopRegion } from './loop';
import type { SeparationResult } from '../separation/pipeline';

export class StemPlayer {
	private ctx: AudioContext | null = null;
	private buffers: AudioBuffer[] = [];
	private gains: GainNode[] = [];
	private sources: AudioBufferSourceNode[] = [];
	private startedAt = 0;
	private offset = 0;
	private loop: LoopRegion | null = null;
	playing = false;
	readonly duration: number;

	constructor(private readonly result: SeparationResult, private onEnded: () => void = () => {}) {
		const first = result.stems[0].channels[0];
		this.duration = first.length / result.sampleRate;
	}

	private ensureContext(): AudioContext {
		if (this.ctx) return this.ctx;
		const ctx = new AudioContext({ sampleRate: this.result.sampleRate });
		this.buffers = this.result.stems.map((stem) => {
			const b = ctx.createBuffer(stem.channels.length, stem.channels[0].length, this.result.sampleRate);
			stem.channels.forEach((ch, c) => b.copyToChannel(ch as Float32Array<ArrayBuffer>, c));
			return b;
		});
		this.gains = this.buffers.map(() => {
			const g = ctx.createGain();
			g.connect(ctx.destination);
			return g;
		});
		this.ctx = ctx;
		return ctx;
	}

	get position(): number {
		if (!this.playing || !this.ctx) return this.offset;
		return playbackPosition(this.offset, this.ctx.currentTime - this.startedAt, this.duration, this.loop);
	}

	/** Loops playback between two times (null: no loop). Applies at once when playing. */
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
		this.offset = startOffset(this.offset, this.duration, this.loop);
		this.stopSources();
		const loop = this.loop;
		const when = ctx.currentTime + 0.05;
		this.sources = this.buffers.map((b, i) => {
			const s = ctx.createBufferSource();
			s.buffer = b;
			s.connect(this.gains[i]);
			if (loop) {
				s.loop = true;
				s.loopStart = loop.start;
				s.loopEnd = loop.end;
			}
			s.start(when, this.offset);
			return s;
		});
		this.sources[0].onended = () => {
			if (this.playing && this.position >= this.duration - 0.1) {
				this.playing = false;
				this.offset = 0;
				this.onEnded();
			}
		};
		this.startedAt = when;
		this.playing = true;
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
		for (const s of this.sources) {
			s.onended = null;
			try {
				s.stop();
			} catch {
				/* not started */
			}
		}
		this.sources = [];
	}

	close(): void {
		this.stopSources();
		void this.ctx?.close();
		this.ctx = null;
	}
}
