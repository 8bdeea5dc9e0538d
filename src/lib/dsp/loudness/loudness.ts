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
import { samplePeak, toDb, truePeak } from './true-peak';

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

/** Weighted K-power per 10 ms sub-block (sum over channels of G_i · Σ y_i², not yet averaged). */
export function subBlockPower(channels: Float32Array[], sampleRate: number, weights = channelWeights(channels.length)): { power: Float64Array; samples: Float64Array } {
	const n = channels[0]?.length ?? 0;
	const count = Math.floor((n * SUB_BLOCKS_PER_SECOND) / sampleRate);
	const bounds = Array.from({ length: count + 1 }, (_, k) => Math.round((k * sampleRate) / SUB_BLOCKS_PER_SECOND));
	const power = new Float64Array(count);
	const samples = new Float64Array(count);
	for (let k = 0; k < count; k++) samples[k] = bounds[k + 1] - bounds[k];
	const [f1, f2] = kWeightingFilters(sampleRate);
	channels.forEach((channel, c) => {
		const g = weights[c] ?? 1;
		if (g === 0) return;
		// both biquads inline, state in locals: no per-sample arrays for long files
		let a1 = 0;
		let a2 = 0;
		let b1 = 0;
		let b2 = 0;
		for (let k = 0; k < count; k++) {
			let sum = 0;
			for (let i = bounds[k]; i < bounds[k + 1]; i++) {
				const x = channel[i];
				const y1 = f1.b0 * x + a1;
				a1 = f1.b1 * x - f1.a1 * y1 + a2;
				a2 = f1.b2 * x - f1.a2 * y1;
				const y = f2.b0 * y1 + b1;
				b1 = f2.b1 * y1 - f2.a1 * y + b2;
				b2 = f2.b2 * y1 - f2.a2 * y;
				sum += y * y;
			}
			power[k] += g * sum;
		}
	});
	return { power, samples };
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

export function measureLoudness(channels: Float32Array[], sampleRate: number): LoudnessReport {
	if (!channels.length) throw new RangeError('no channels to measure');
	const { power, samples } = subBlockPower(channels, sampleRate);
	const gating = windows(power, samples, 40, 10); // 400 ms blocks, 75 % overlap
	const momentary = windows(power, samples, 40, 1);
	const shortTerm = windows(power, samples, 300, 1);
	const channelTruePeaks = channels.map((c) => toDb(truePeak(c, sampleRate)));
	return {
		integrated: gatedLoudness(gating),
		// Tech 3342 asks for short-term values at 10 Hz or more; every 100 ms is its reference rate.
		range: loudnessRange(windows(power, samples, 300, 10)),
		momentaryMax: lufs(maxOf(momentary)),
		shortTermMax: lufs(maxOf(shortTerm)),
		samplePeak: toDb(Math.max(...channels.map(samplePeak))),
		truePeak: Math.max(...channelTruePeaks),
		channelTruePeaks
	};
}
