/**
 * Synchronised playback of all stems of one result through Web Audio, from the stems in
 * memory: one buffer source per stem, started together (transport, loop and gains: StemTransport).
 */
import type { SeparationResult } from '../separation/pipeline';
import { playbackPosition } from './loop';
import { silence, StemTransport } from './transport';

export class StemPlayer extends StemTransport {
	private buffers: AudioBuffer[] = [];
	private sources: AudioBufferSourceNode[] = [];
	private startedAt = 0;

	constructor(private readonly result: SeparationResult, onEnded: () => void = () => {}) {
		super(result.stems[0].channels[0].length / result.sampleRate, result.sampleRate, result.stems.length, onEnded);
	}

	protected prepare(ctx: AudioContext): void {
		this.buffers = this.result.stems.map((stem) => {
			const b = ctx.createBuffer(stem.channels.length, stem.channels[0].length, this.result.sampleRate);
			stem.channels.forEach((ch, c) => b.copyToChannel(ch as Float32Array<ArrayBuffer>, c));
			return b;
		});
	}

	get position(): number {
		if (!this.playing || !this.ctx) return this.offset;
		return playbackPosition(this.offset, this.ctx.currentTime - this.startedAt, this.duration, this.loop);
	}

	async play(at?: number): Promise<void> {
		const ctx = await this.restart();
		const loop = this.loop;
		const when = Math.max(at ?? 0, ctx.currentTime + 0.05);
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

	protected stopSources(): void {
		silence(this.sources);
		this.sources = [];
	}
}
