/**
 * Loudness per ITU-R BS.1770-4 and EBU R128 / Tech 3341 / Tech 3342: integrated loudness
 * (gated), maximum momentary (400 ms) and short-term (3 s) loudness, loudness range (LRA),
 * sample peak and true peak, for mono, stereo and 5.1 (channel weights; LFE excluded).
 *
 * The K-weighted power is first summed in 10 ms sub-blocks (sample-exact boundaries), so every
 * window — gating blocks every 100 ms, momentary and short-term every 10 ms — is a sum of
 * whole sub-blocks and long files need no per-sample buffers beyond one channel at a time.
 */
import { kWeightingFilters } from './k-weighting';
import { toDb, TruePeakTracker } from './true-peak';

export interface LoudnessReport {
	/** LUFS; -Infinity when everything is below the absolute gate. */
	integrated: number;
	/** LU (EBU Tech 3342). */
	range: number;
	momentaryMax: number;
	shortTermMax: number;
	/** dBFS of the largest sample, and dBTP of the oversampled signal, over all channels. */
	samplePeak: number;
	truePeak: number;
	/** Per-channel true peak, dBTP. */
	channelTruePeaks: number[];
}

/**
 * BS.1770 channel weights by channel count: 1 and 2 channels weight 1; 5.1 in the usual file
 * order L R C LFE Ls Rs gets 1, 1, 1, 0 (LFE not measured), 1.41, 1.41; 5.0 (L R C Ls Rs) the same
 * without LFE. Other layouts weight every channel 1.
 */
export function channelWeights(channels: number): number[] {
	if (channels === 6) return [1, 1, 1, 0, 1.41, 1.41];
	if (channels === 5) return [1, 1, 1, 1.41, 1.41];
	return new Array(channels).fill(1);
}

const SUB_BLOCKS_PER_SECOND = 100;
const ABSOLUTE_GATE = -70;

/** Sample index where 10 ms sub-block k starts (sample-exact, rounded). */
const subBlockStart = (k: number, sampleRate: number) => Math.round((k * sampleRate) / SUB_BLOCKS_PER_SECOND);

/**
 * Weighted K-power per 10 ms sub-block (sum over channels of G_i · Σ y_i², not yet averaged),
 * fed region by region: both biquads' state and the open sub-block's sums carry over, so a long
 * song never needs more than the region in hand.
 */
class SubBlockPower {
	private readonly filters: ReturnType<typeof kWeightingFilters>;
	/** Per channel: biquad states and the open sub-block's sum. */
	private readonly state: { a1: number; a2: number; b1: number; b2: number; sum: number }[];
	private power: Float64Array = new Float64Array(1024);
	private closed = 0;
	private position = 0;

	constructor(
		private readonly sampleRate: number,
		private readonly weights: number[]
	) {
		this.filters = kWeightingFilters(sampleRate);
		this.state = weights.map(() => ({ a1: 0, a2: 0, b1: 0, b2: 0, sum: 0 }));
	}

	push(region: Float32Array[]): void {
		const len = region[0]?.length ?? 0;
		const [f1, f2] = this.filters;
		const { b0: p0, b1: p1, b2: p2, a1: q1, a2: q2 } = f1;
		const { b0: r0, b1: r1, b2: r2, a1: s1, a2: s2 } = f2;
		const from = this.position;
		region.forEach((channel, c) => {
			const g = this.weights[c] ?? 1;
			if (g === 0) return;
			const s = this.state[c];
			let { a1, a2, b1, b2, sum } = s;
			let k = this.closed;
			let end = subBlockStart(k + 1, this.sampleRate) - from;
			for (let i = 0; i < len; i++) {
				if (i === end) {
					this.addPower(k, g * sum);
					sum = 0;
					end = subBlockStart(++k + 1, this.sampleRate) - from;
				}
				const x = channel[i];
				const y1 = p0 * x + a1;
				a1 = p1 * x - q1 * y1 + a2;
				a2 = p2 * x - q2 * y1;
				const y = r0 * y1 + b1;
				b1 = r1 * y1 - s1 * y + b2;
				b2 = r2 * y1 - s2 * y;
				sum += y * y;
			}
			if (len === end) {
				this.addPower(k, g * sum);
				sum = 0;
				k++;
			}
			Object.assign(s, { a1, a2, b1, b2, sum });
		});
		// every channel closed the sub-blocks that end by the region's end
		while (subBlockStart(this.closed + 1, this.sampleRate) <= from + len) this.closed++;
		this.position += len;
	}

	private addPower(k: number, value: number): void {
		if (k >= this.power.length) {
			const grown = new Float64Array(2 * this.power.length);
			grown.set(this.power);
			this.power = grown;
		}
		this.power[k] += value;
	}

	/** Every whole sub-block of the signal so far, with its length in samples. */
	result(): { power: Float64Array; samples: Float64Array } {
		const count = Math.min(this.closed, Math.floor((this.position * SUB_BLOCKS_PER_SECOND) / this.sampleRate));
		const samples = new Float64Array(count);
		for (let k = 0; k < count; k++) samples[k] = subBlockStart(k + 1, this.sampleRate) - subBlockStart(k, this.sampleRate);
		return { power: this.power.slice(0, count), samples };
	}
}

/** Weighted K-power per 10 ms sub-block (sum over channels of G_i · Σ y_i², not yet averaged). */
export function subBlockPower(channels: Float32Array[], sampleRate: number, weights = channelWeights(channels.length)): { power: Float64Array; samples: Float64Array } {
	const blocks = new SubBlockPower(sampleRate, weights);
	blocks.push(channels);
	return blocks.result();
}

const lufs = (meanPower: number) => (meanPower > 0 ? -0.691 + 10 * Math.log10(meanPower) : -Infinity);

/** Loudness of every window of `length` sub-blocks starting every `step` sub-blocks (mean power, not yet in LUFS). */
function windows(power: Float64Array, samples: Float64Array, length: number, step: number): Float64Array {
	const count = power.length >= length ? Math.floor((power.length - length) / step) + 1 : 0;
	const out = new Float64Array(count);
	let p = 0;
	let s = 0;
	for (let k = 0; k < length && k < power.length; k++) {
		p += power[k];
		s += samples[k];
	}
	for (let w = 0; w < count; w++) {
		if (w > 0) {
			const from = (w - 1) * step;
			for (let k = 0; k < step; k++) {
				p += power[from + length + k] - power[from + k];
				s += samples[from + length + k] - samples[from + k];
			}
		}
		out[w] = p / s;
	}
	return out;
}

/** Gated integrated loudness of block powers (BS.1770-4: absolute −70 LUFS, relative −10 LU). */
export function gatedLoudness(blocks: Float64Array, relativeGate = -10): number {
	const aboveAbsolute = [...blocks].filter((p) => lufs(p) > ABSOLUTE_GATE);
	if (!aboveAbsolute.length) return -Infinity;
	const threshold = lufs(aboveAbsolute.reduce((a, b) => a + b, 0) / aboveAbsolute.length) + relativeGate;
	const gated = aboveAbsolute.filter((p) => lufs(p) > threshold);
	return lufs(gated.reduce((a, b) => a + b, 0) / gated.length);
}

/** EBU Tech 3342: spread of short-term loudness (3 s windows), gates −70 LUFS and −20 LU, P95 − P10. */
export function loudnessRange(shortTerm: Float64Array): number {
	const above = [...shortTerm].filter((p) => lufs(p) > ABSOLUTE_GATE);
	if (!above.length) return 0;
	const threshold = lufs(above.reduce((a, b) => a + b, 0) / above.length) - 20;
	const values = above.map(lufs).filter((l) => l > threshold).sort((a, b) => a - b);
	const percentile = (q: number) => {
		const pos = q * (values.length - 1);
		const lo = Math.floor(pos);
		const hi = Math.min(values.length - 1, lo + 1);
		return values[lo] + (values[hi] - values[lo]) * (pos - lo);
	};
	return percentile(0.95) - percentile(0.1);
}

function maxOf(values: Float64Array): number {
	let max = 0;
	for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
	return max;
}

/**
 * BS.1770 / R128 measurement of a signal fed region by region (all channels together, in order):
 * what measureLoudness reports, for songs that are never whole in memory.
 */
export class LoudnessMeter {
	private readonly blocks: SubBlockPower;
	private readonly peaks: TruePeakTracker[];

	constructor(channels: number, sampleRate: number) {
		if (!channels) throw new RangeError('no channels to measure');
		this.blocks = new SubBlockPower(sampleRate, channelWeights(channels));
		this.peaks = Array.from({ length: channels }, () => new TruePeakTracker(sampleRate));
	}

	push(region: Float32Array[]): void {
		if (region.length !== this.peaks.length) throw new RangeError(`expected ${this.peaks.length} channels, got ${region.length}`);
		this.blocks.push(region);
		region.forEach((ch, c) => this.peaks[c].push(ch));
	}

	finish(): LoudnessReport {
		const { power, samples } = this.blocks.result();
		const gating = windows(power, samples, 40, 10); // 400 ms blocks, 75 % overlap
		const momentary = windows(power, samples, 40, 1);
		const shortTerm = windows(power, samples, 300, 1);
		const channelTruePeaks = this.peaks.map((t) => toDb(t.finish()));
		return {
			integrated: gatedLoudness(gating),
			// Tech 3342 asks for short-term values at 10 Hz or more; every 100 ms is its reference rate.
			range: loudnessRange(windows(power, samples, 300, 10)),
			momentaryMax: lufs(maxOf(momentary)),
			shortTermMax: lufs(maxOf(shortTerm)),
			samplePeak: toDb(Math.max(...this.peaks.map((t) => t.samplePeak))),
			truePeak: Math.max(...channelTruePeaks),
			channelTruePeaks
		};
	}
}

export function measureLoudness(channels: Float32Array[], sampleRate: number): LoudnessReport {
	const meter = new LoudnessMeter(channels.length, sampleRate);
	meter.push(channels);
	return meter.finish();
}
