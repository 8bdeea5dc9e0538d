/**
 * Live playback at a practice speed and transposition: every stem through ONE Signalsmith Stretch
 * AudioWorklet node (signalsmith-stretch's own node in buffer mode, its processor fixed by stretch-worklet.js) with one output channel per stem
 * channel (4 stereo stems: 8 channels). One engine and one time map for all channels keeps the stems
 * sample-aligned by construction; its output is split back into stems, each through its gain
 * (solo/mute/volume, StemTransport). The CPU cost is one stretch per channel (docs/practice.md).
 *
 * The node's input is fed just ahead of time, segment by segment in playing order (segments.ts: a
 * loop's end is followed by its start, so the stretch crosses the loop seam without a gap), and the
 * played part is dropped again, so memory stays bounded for songs of any length (stems on disk).
 * Speed and transposition change live, scheduled on the node's time map (no restart).
 */
import { nextSegment } from './segments';
import { StemTransport } from './transport';
import { TONALITY_HZ, type PracticeSettings } from '../stretch/settings';

/** Frames [start, end) of every stem: [stem][channel]; arrays the caller may hand over (transfer). */
export type StemsReader = (start: number, end: number) => Promise<Float32Array[][]>;

/** How much input (s, song time) is queued ahead of what is heard. */
const LOOKAHEAD = 3;
/** How long before a change it is scheduled beyond the node's latency (s). */
const LEAD = 0.03;

/** The AudioNode signalsmith-stretch makes (the methods we use). */
interface StretchNode extends AudioWorkletNode {
	schedule(change: Record<string, number | boolean>): Promise<unknown>;
	addBuffers(buffers: Float32Array[], transfer?: Transferable[]): Promise<number>;
	dropBuffers(toSeconds?: number): Promise<unknown>;
	latency(): Promise<number>;
}

type StretchFactory = ((ctx: BaseAudioContext, options?: AudioWorkletNodeOptions) => Promise<StretchNode>) & { moduleUrl?: string };

let factory: Promise<{ make: StretchFactory; fix: string }> | null = null;
const fixed = new WeakSet<BaseAudioContext>();

/**
 * The package's node factory; its worklet module is the package's own file served from this
 * origin (the CSP allows no blob: scripts, which the package would otherwise make), preceded in
 * each context by stretch-worklet.js, which fixes its processor's buffer mode (see there).
 */
async function makeStretchNode(ctx: AudioContext, channels: number): Promise<StretchNode> {
	factory ??= Promise.all([import('signalsmith-stretch'), import('signalsmith-stretch?url'), import('./stretch-worklet.js?url')]).then(([lib, url, fix]) => {
		const make = lib.default as unknown as StretchFactory;
		make.moduleUrl = url.default;
		return { make, fix: fix.default };
	});
	const { make, fix } = await factory;
	if (!fixed.has(ctx)) {
		await ctx.audioWorklet.addModule(fix);
		fixed.add(ctx);
	}
	// one (unconnected) input: the node then reads the buffers it is given
	return make(ctx, { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [channels] });
}

/** A stretch of input (s, on the node's buffer timeline) that plays song time `song` onwards. */
interface Fed {
	input: number;
	song: number;
	duration: number;
}

/** From ctx time `ctx` on, input time runs at `rate` from `input`. */
interface Anchor {
	ctx: number;
	input: number;
	rate: number;
}

export class StretchStemPlayer extends StemTransport {
	private node: StretchNode | null = null;
	private latency = 0;
	private fed: Fed[] = [];
	/** End of the input fed so far (s), and the song time that follows it. */
	private fedEnd = 0;
	private cursor = 0;
	private anchors: Anchor[] = [];
	private timer: ReturnType<typeof setInterval> | undefined;
	private generation = 0;
	private pumping = false;
	private ended = false;

	constructor(
		private readonly read: StemsReader,
		private readonly frames: number,
		sampleRate: number,
		private readonly stems: number,
		private readonly channels: number,
		private settings: PracticeSettings,
		onEnded: () => void = () => {}
	) {
		super(frames / sampleRate, sampleRate, stems, onEnded);
	}

	get practice(): PracticeSettings {
		return this.settings;
	}

	/** Input time (s) heard at ctx time `t`. */
	private inputAt(t: number): number {
		let a = this.anchors[0];
		if (!a) return 0;
		for (const b of this.anchors) if (b.ctx <= t) a = b;
		return Math.max(0, a.input + Math.max(0, t - a.ctx) * a.rate);
	}

	/** Song time of input time `x`. */
	private songAt(x: number): number {
		let pos = this.offset;
		for (const f of this.fed) if (f.input <= x) pos = f.song + Math.min(f.duration, x - f.input);
		return Math.min(this.duration, pos);
	}

	get position(): number {
		if (!this.playing || !this.ctx || this.anchors.length === 0) return this.offset;
		const t = this.ctx.currentTime;
		// before the first sound, playback stands at its start
		if (t < this.anchors[0].ctx) return this.offset;
		return this.songAt(this.inputAt(t));
	}

	private async ensureNode(ctx: AudioContext): Promise<StretchNode> {
		if (this.node) return this.node;
		const count = this.stems * this.channels;
		const node = await makeStretchNode(ctx, count);
		const split = ctx.createChannelSplitter(count);
		node.connect(split);
		for (let s = 0; s < this.stems; s++) {
			const merge = ctx.createChannelMerger(this.channels);
			for (let c = 0; c < this.channels; c++) split.connect(merge, s * this.channels + c, c);
			merge.connect(this.gains[s]);
		}
		// a processor that fails stops playing for good: say so and stop, rather than play silence
		node.onprocessorerror = () => {
			console.error('The time-stretch processor stopped.');
			if (this.playing) this.finished();
			this.node = null;
		};
		this.latency = await node.latency();
		this.node = node;
		return node;
	}

	async play(at?: number): Promise<void> {
		const ctx = await this.restart();
		const generation = ++this.generation;
		const node = await this.ensureNode(ctx);
		if (generation !== this.generation) return;
		await node.dropBuffers();
		this.fed = [];
		this.fedEnd = 0;
		this.cursor = this.offset;
		this.anchors = [];
		this.ended = false;
		this.playing = true;
		await this.feed(generation, LOOKAHEAD);
		if (generation !== this.generation) return;
		const when = Math.max(at ?? 0, ctx.currentTime + this.latency + LEAD);
		this.anchors = [{ ctx: when, input: 0, rate: this.settings.speed }];
		await node.schedule({ active: true, input: 0, output: when, rate: this.settings.speed, semitones: this.settings.semitones, tonalityHz: TONALITY_HZ, loopStart: 0, loopEnd: 0 });
		clearInterval(this.timer);
		this.timer = setInterval(() => void this.pump(generation), 200);
	}

	/** Queues segments until `ahead` seconds of song time lie beyond what is heard now. */
	private async feed(generation: number, ahead: number): Promise<void> {
		const node = this.node;
		const ctx = this.ctx;
		if (!node || !ctx) return;
		const heard = this.anchors.length ? this.inputAt(ctx.currentTime) : 0;
		while (generation === this.generation && this.fedEnd < heard + ahead) {
			const seg = nextSegment(this.cursor, this.duration, this.loop);
			if (!seg) {
				this.ended = true;
				return;
			}
			const from = Math.round(seg.start * this.sampleRate);
			const to = Math.min(this.frames, Math.round((seg.start + seg.duration) * this.sampleRate));
			if (to <= from) {
				this.ended = true;
				return;
			}
			const region = await this.read(from, to);
			if (generation !== this.generation) return;
			const buffers = region.flatMap((chs) => Array.from({ length: this.channels }, (_, c) => chs[c] ?? chs[0]));
			const owned = buffers.map((b) => (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : b.slice()));
			await node.addBuffers(owned, [...new Set(owned.map((b) => b.buffer as ArrayBuffer))]);
			const duration = (to - from) / this.sampleRate;
			this.fed.push({ input: this.fedEnd, song: seg.start, duration });
			this.fedEnd += duration;
			this.cursor = seg.start + duration;
		}
	}

	private async pump(generation: number): Promise<void> {
		if (this.pumping || generation !== this.generation || !this.ctx || !this.node) return;
		this.pumping = true;
		try {
			const heard = this.inputAt(this.ctx.currentTime);
			if (this.ended && heard >= this.fedEnd) return this.finished();
			await this.feed(generation, LOOKAHEAD * Math.max(1, this.settings.speed));
			// what has been heard (less a second for the engine's window) is let go
			const old = heard - 1;
			if (old > 0) {
				await this.node.dropBuffers(old);
				this.fed = this.fed.filter((f, i) => f.input + f.duration > old || i === this.fed.length - 1);
			}
		} finally {
			this.pumping = false;
		}
	}

	/** Changes speed and transposition; while playing, from a moment just ahead (the node's latency). */
	setPractice(settings: PracticeSettings): void {
		this.settings = settings;
		const ctx = this.ctx;
		if (!this.playing || !this.node || !ctx || this.anchors.length === 0) return;
		const at = Math.max(ctx.currentTime + this.latency + LEAD, this.anchors[this.anchors.length - 1].ctx);
		const input = this.inputAt(at);
		this.anchors = [...this.anchors.filter((a) => a.ctx < at), { ctx: at, input, rate: settings.speed }];
		void this.node.schedule({ output: at, input, rate: settings.speed, semitones: settings.semitones });
	}

	private finished(): void {
		this.playing = false;
		this.offset = 0;
		this.generation++;
		clearInterval(this.timer);
		void this.node?.schedule({ active: false });
		this.onEnded();
	}

	protected stopSources(): void {
		this.generation++;
		clearInterval(this.timer);
		if (this.node && this.ctx) void this.node.schedule({ active: false, output: this.ctx.currentTime });
		this.anchors = [];
	}

	close(): void {
		this.node?.disconnect();
		this.node = null;
		super.close();
	}
}
