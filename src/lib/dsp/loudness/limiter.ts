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

/** The gain curve (≤ 1) that keeps every peak under the ceiling. */
export function limiterGain(channels: Float32Array[], sampleRate: number, options: LimiterOptions): Float32Array {
	const n = channels[0]?.length ?? 0;
	const look = Math.max(1, Math.round((options.lookAheadSeconds ?? 0.005) * sampleRate));
	const env = peakEnvelope(channels, sampleRate);
	const need = new Float32Array(n);
	for (let i = 0; i < n; i++) need[i] = env[i] > options.ceiling ? options.ceiling / env[i] : 1;
	const held = forwardMin(need, look);
	// release: the gain rises back towards 1 with a one-pole curve, but falls at once
	const a = Math.exp(-1 / (Math.max(1e-3, options.releaseSeconds ?? 0.08) * sampleRate));
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

export function applyGain(channels: Float32Array[], gain: Float32Array | number): Float32Array[] {
	return channels.map((ch) => {
		const out = new Float32Array(ch.length);
		for (let i = 0; i < ch.length; i++) out[i] = ch[i] * (typeof gain === 'number' ? gain : gain[i]);
		return out;
	});
}
