/**
 * A look-ahead true-peak limiter. The gain each sample needs (ceiling / its peak, the peak
 * including the inter-sample peaks a 4x interpolator finds around it) is min-filtered over the
 * look-ahead window, released smoothly, and box-filtered over the same window: a box average of
 * a min filter of the same length never exceeds the gain any sample in it needs, so the gain
 * is down before a peak arrives with no hard corners (no clicks). The output is delayed by
 * nothing: the gain curve itself looks ahead.
 */
import { peakEnvelope } from './true-peak';

export interface LimiterOptions {
	/** Linear ceiling, e.g. 10^(-1/20) for −1 dBTP. */
	ceiling: number;
	lookAheadSeconds?: number;
	releaseSeconds?: number;
}

/** Minimum of `values` over [i, i + window) for every i (monotonic deque). */
function forwardMin(values: Float32Array, window: number): Float32Array {
	const n = values.length;
	const out = new Float32Array(n);
	const deque = new Int32Array(n);
	let head = 0;
	let tail = 0;
	for (let i = n - 1; i >= 0; i--) {
		while (tail > head && values[deque[tail - 1]] >= values[i]) tail--;
		deque[tail++] = i;
		while (deque[head] >= i + window) head++;
		out[i] = values[deque[head]];
	}
	return out;
}

const lookAhead = (sampleRate: number, options: LimiterOptions) => Math.max(1, Math.round((options.lookAheadSeconds ?? 0.005) * sampleRate));
const releaseCoefficient = (sampleRate: number, options: LimiterOptions) =>
	Math.exp(-1 / (Math.max(1e-3, options.releaseSeconds ?? 0.08) * sampleRate));

/** The gain curve (≤ 1) that keeps every peak under the ceiling. */
export function limiterGain(channels: Float32Array[], sampleRate: number, options: LimiterOptions): Float32Array {
	const n = channels[0]?.length ?? 0;
	const look = lookAhead(sampleRate, options);
	const env = peakEnvelope(channels, sampleRate);
	const need = new Float32Array(n);
	for (let i = 0; i < n; i++) need[i] = env[i] > options.ceiling ? options.ceiling / env[i] : 1;
	const held = forwardMin(need, look);
	// release: the gain rises back towards 1 with a one-pole curve, but falls at once
	const a = releaseCoefficient(sampleRate, options);
	let g = 1;
	for (let i = 0; i < n; i++) {
		g = held[i] < g ? held[i] : a * g + (1 - a) * held[i];
		held[i] = g;
	}
	// box filter over the look-ahead window, aligned so sample i averages held[i - look + 1 .. i]
	const out = new Float32Array(n);
	let sum = 0;
	for (let i = 0; i < n; i++) {
		sum += held[i];
		if (i >= look) sum -= held[i - look];
		out[i] = sum / Math.min(i + 1, look);
	}
	// the box average at i covers held[k] for k ≤ i, each ≤ need over [k, k + look) ∋ i
	return out;
}

/** Samples the 4x interpolator reads on each side of a position (true-peak.ts: 16 taps). */
const ENVELOPE_REACH = 8;

/**
 * limiterGain for a signal read region by region (stems kept on disk): the same gain, sample
 * for sample, with the look-ahead read past each region's end and the release and box filter
 * carried across regions. `read(start, end)` gives the signal's channels for [start, end)
 * within [0, frames).
 */
export class StreamLimiter {
	readonly look: number;
	private readonly a: number;
	private g = 1;
	private sum = 0;
	/** held values of the last `look` samples, by sample index modulo look */
	private readonly ring: Float32Array;
	private next = 0;

	constructor(
		private readonly read: (start: number, end: number) => Promise<Float32Array[]>,
		private readonly frames: number,
		private readonly sampleRate: number,
		private readonly options: LimiterOptions
	) {
		this.look = lookAhead(sampleRate, options);
		this.a = releaseCoefficient(sampleRate, options);
		this.ring = new Float32Array(this.look);
	}

	/** The gain for [start, end), which must follow the previous region, and the signal there. */
	async process(start: number, end: number): Promise<{ gain: Float32Array; input: Float32Array[] }> {
		if (start !== this.next) throw new RangeError(`regions must follow each other: expected ${this.next}, got ${start}`);
		this.next = end;
		const look = this.look;
		// the envelope over [start, end + look) needs the interpolator's reach on both sides
		const from = Math.max(0, start - ENVELOPE_REACH);
		const to = Math.min(this.frames, end + look + ENVELOPE_REACH);
		// song samples [start - reach, end + look + reach), zeros outside the song (as limiterGain's
		// interpolator sees them)
		const origin = start - ENVELOPE_REACH;
		const padded = (await this.read(from, to)).map((ch) => {
			const p = new Float32Array(end + look + ENVELOPE_REACH - origin);
			p.set(ch, from - origin);
			return p;
		});
		const env = peakEnvelope(padded, this.sampleRate);
		const lead = ENVELOPE_REACH;
		const needEnd = Math.min(this.frames, end + look);
		const need = new Float32Array(needEnd - start);
		const ceiling = this.options.ceiling;
		for (let i = 0; i < need.length; i++) {
			const e = env[lead + i];
			need[i] = e > ceiling ? ceiling / e : 1;
		}
		const held = forwardMin(need, look);
		const out = new Float32Array(end - start);
		for (let i = 0; i < out.length; i++) {
			const k = start + i;
			this.g = held[i] < this.g ? held[i] : this.a * this.g + (1 - this.a) * held[i];
			const h = Math.fround(this.g);
			this.sum += h;
			if (k >= look) this.sum -= this.ring[k % look];
			this.ring[k % look] = h;
			out[i] = this.sum / Math.min(k + 1, look);
		}
		return { gain: out, input: padded.map((p) => p.subarray(lead, lead + end - start)) };
	}
}

export function applyGain(channels: Float32Array[], gain: Float32Array | number): Float32Array[] {
	return channels.map((ch) => {
		const out = new Float32Array(ch.length);
		for (let i = 0; i < ch.length; i++) out[i] = ch[i] * (typeof gain === 'number' ? gain : gain[i]);
		return out;
	});
}
