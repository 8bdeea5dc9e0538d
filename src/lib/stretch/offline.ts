/**
 * Tempo and pitch changes of whole signals, for exports and tests: Signalsmith Stretch's C API
 * (wasm.ts) driven the way the library's documentation describes for a fixed-length sound. The
 * engine's processing time starts `inputLatency` samples into the input (a seek over the first
 * ones), input is fed at `speed` input samples per output sample with zeros after its end, and the
 * first `outputLatency` output samples — the pre-roll — are dropped: output sample n is input time
 * n × speed, so a click at input sample k lands at sample k / speed of every stem stretched with the
 * same settings (stems stay aligned). Output is `round(frames / speed)` frames long.
 *
 * `StretchStream` does this region by region (bounded memory for songs kept on disk); `stretchAudio`
 * is the whole-array form. Settings must be within clampPractice's ranges.
 */
import { acquireStretch, heapF32, releaseStretch, type StretchWasm } from './wasm';
import { isNeutral, SPEED_MAX, SPEED_MIN, stretchedFrames, TONALITY_HZ, type PracticeSettings } from './settings';

/** Output samples per engine call. */
const CHUNK = 4096;

/** Input frames [start, end) of every channel (zeros past the end of the signal are added here). */
export type FrameReader = (start: number, end: number) => Promise<Float32Array[]> | Float32Array[];

export class StretchStream {
	readonly outputFrames: number;
	private engine: StretchWasm | null = null;
	private inputLatency = 0;
	private outputLatency = 0;
	private pointer = 0;
	private bufferLength = 0;
	/** Output frames produced so far, counted after the dropped pre-roll. */
	private produced = 0;
	/** Engine output frames produced so far, pre-roll included. */
	private engineOut = 0;
	/** Input frames handed to the engine so far (the seek's included). */
	private consumed = 0;
	/** Produced output not read yet: chunks of every channel, the first starting at output frame `pendingStart`. */
	private pending: Float32Array[][] = [];
	private pendingStart = 0;

	constructor(
		private readonly read: FrameReader,
		readonly frames: number,
		readonly channels: number,
		readonly sampleRate: number,
		readonly settings: PracticeSettings
	) {
		if (channels < 1) throw new RangeError('no channels to stretch');
		if (!(settings.speed >= SPEED_MIN && settings.speed <= SPEED_MAX)) throw new RangeError(`speed ${settings.speed} is outside ${SPEED_MIN}–${SPEED_MAX}`);
		this.outputFrames = stretchedFrames(frames, settings.speed);
	}

	private async start(): Promise<void> {
		const engine = (this.engine ??= await acquireStretch());
		engine._presetDefault(this.channels, this.sampleRate);
		engine._reset();
		engine._setTransposeSemitones(this.settings.semitones, TONALITY_HZ / this.sampleRate);
		this.inputLatency = engine._inputLatency();
		this.outputLatency = engine._outputLatency();
		this.bufferLength = Math.max(this.inputLatency, Math.ceil(CHUNK * SPEED_MAX) + 2);
		this.pointer = engine._setBuffers(this.channels, this.bufferLength);
		this.produced = 0;
		this.engineOut = 0;
		this.pending = [];
		this.pendingStart = 0;
		this.consumed = 0;
		await this.feed(this.inputLatency);
		engine._seek(this.inputLatency, this.settings.speed);
		this.consumed = this.inputLatency;
	}

	/** Copies the next `n` input frames (zeros past the end) into the engine's input buffers. */
	private async feed(n: number): Promise<void> {
		const from = this.consumed;
		const to = Math.min(this.frames, from + n);
		const input = to > from ? await this.read(from, to) : [];
		const heap = heapF32(this.engine!);
		for (let c = 0; c < this.channels; c++) {
			const at = (this.pointer >> 2) + this.bufferLength * c;
			const got = to > from ? input[c] : null;
			if (got) heap.set(got.subarray(0, to - from), at);
			heap.fill(0, at + Math.max(0, to - from), at + n);
		}
	}

	/** Runs the engine for up to CHUNK more output frames; returns what is new after the pre-roll. */
	private async step(): Promise<Float32Array[]> {
		const engine = this.engine!;
		const total = this.outputFrames + this.outputLatency;
		const o = Math.min(CHUNK, total - this.engineOut);
		const wanted = this.inputLatency + Math.round((this.engineOut + o) * this.settings.speed);
		const n = wanted - this.consumed;
		await this.feed(n);
		engine._process(n, o);
		this.consumed += n;
		const heap = heapF32(engine);
		const skip = Math.max(0, this.outputLatency - this.engineOut);
		this.engineOut += o;
		const out: Float32Array[] = [];
		for (let c = 0; c < this.channels; c++) {
			const at = (this.pointer >> 2) + this.bufferLength * (c + this.channels);
			out.push(heap.slice(at + skip, at + o));
		}
		return out;
	}

	/** Output frames [start, end): read in order (a read before the last restarts the stream from its start). */
	async readOutput(start: number, end: number): Promise<Float32Array[]> {
		end = Math.min(end, this.outputFrames);
		if (!this.engine || start < this.pendingStart) await this.start();
		const out = Array.from({ length: this.channels }, () => new Float32Array(Math.max(0, end - start)));
		while (this.produced < end) {
			const got = await this.step();
			this.pending.push(got);
			this.produced += got[0].length;
		}
		let at = this.pendingStart;
		let done = 0;
		for (const chunk of this.pending) {
			const len = chunk[0].length;
			const from = Math.max(at, start);
			const to = Math.min(at + len, end);
			if (to > from) chunk.forEach((ch, c) => out[c].set(ch.subarray(from - at, to - at), from - start));
			if (at + len <= end) done++;
			at += len;
		}
		// everything before `end` has been read
		for (const chunk of this.pending.splice(0, done)) this.pendingStart += chunk[0].length;
		return out;
	}

	/** Hands the engine back (the stream restarts on the next read). */
	close(): void {
		if (this.engine) releaseStretch(this.engine);
		this.engine = null;
		this.pending = [];
		this.pendingStart = 0;
	}
}

/** The whole signal stretched (a copy; the neutral settings return copies of the input). */
export async function stretchAudio(channels: Float32Array[], sampleRate: number, settings: PracticeSettings): Promise<Float32Array[]> {
	if (isNeutral(settings)) return channels.map((c) => c.slice());
	const frames = channels[0]?.length ?? 0;
	const stream = new StretchStream((a, b) => channels.map((c) => c.subarray(a, b)), frames, channels.length, sampleRate, settings);
	try {
		return await stream.readOutput(0, stream.outputFrames);
	} finally {
		stream.close();
	}
}

/**
 * A region reader over the stretched signal of `read` (frames input frames): regions are read in
 * order, as the file writers do; a read that goes back restarts the stretch from the start.
 */
export function stretchedReader(
	read: FrameReader,
	frames: number,
	channels: number,
	sampleRate: number,
	settings: PracticeSettings
): { frames: number; read: (start: number, end: number) => Promise<Float32Array[]>; close: () => void } {
	if (isNeutral(settings)) return { frames, read: async (a, b) => read(a, b), close: () => {} };
	const stream = new StretchStream(read, frames, channels, sampleRate, settings);
	return { frames: stream.outputFrames, read: (a, b) => stream.readOutput(a, b), close: () => stream.close() };
}
