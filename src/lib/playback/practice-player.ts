/**
 * The result's player with the practice settings: as recorded (speed 100 %, no transposition) the
 * plain player plays (StemPlayer or StreamingStemPlayer: no stretch, no CPU spent on it); otherwise
 * the stretch player (stretch-player.ts). A change of settings while playing hands playback over
 * at the same song time, with the same loop and mixer; changes within the stretch apply live.
 * The click (click/player.ts) follows it through `audioContext`, `position` and `playing`.
 */
import type { LoopRegion } from './loop';
import type { ChannelStrip } from './mixer';
import type { StemTransport } from './transport';
import type { StretchStemPlayer } from './stretch-player';
import { isNeutral, NEUTRAL, type PracticeSettings } from '../stretch/settings';

export class PracticePlayer {
	private current: StemTransport;
	private stretched: StretchStemPlayer | null = null;
	private loop: LoopRegion | null = null;
	private strips: ChannelStrip[] | null = null;
	private settings: PracticeSettings = NEUTRAL;
	/** Settings changes are applied one after the other. */
	private switching: Promise<void> = Promise.resolve();

	constructor(
		private readonly plain: StemTransport,
		private readonly makeStretched: (settings: PracticeSettings) => StretchStemPlayer
	) {
		this.current = plain;
	}

	get duration(): number {
		return this.plain.duration;
	}
	get playing(): boolean {
		return this.current.playing;
	}
	get position(): number {
		return this.current.position;
	}
	get audioContext(): AudioContext | null {
		return this.current.audioContext;
	}
	get practice(): PracticeSettings {
		return this.settings;
	}

	play(at?: number): Promise<void> {
		return this.current.play(at);
	}
	pause(): void {
		this.current.pause();
	}
	seek(seconds: number): void {
		this.current.seek(seconds);
	}
	setLoop(loop: LoopRegion | null): void {
		this.loop = loop;
		this.current.setLoop(loop);
	}
	setStrips(strips: ChannelStrip[]): void {
		this.strips = strips;
		this.current.setStrips(strips);
	}

	/** New speed and transposition; resolves once playback goes on with them. */
	setPractice(settings: PracticeSettings): Promise<void> {
		this.settings = settings;
		this.switching = this.switching.then(() => this.apply(settings));
		return this.switching;
	}

	private async apply(settings: PracticeSettings): Promise<void> {
		const next: StemTransport = isNeutral(settings) ? this.plain : (this.stretched ??= this.makeStretched(settings));
		if (next !== this.plain) (next as StretchStemPlayer).setPractice(settings);
		if (next === this.current) return;
		const from = this.current;
		const wasPlaying = from.playing;
		const at = from.position;
		from.pause();
		this.current = next;
		next.setLoop(this.loop);
		if (this.strips) next.setStrips(this.strips);
		next.seek(at);
		if (wasPlaying) await next.play();
	}

	close(): void {
		this.plain.close();
		this.stretched?.close();
	}
}
