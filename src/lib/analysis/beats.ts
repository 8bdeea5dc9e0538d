/**
 * Beats and downbeats. Beats by dynamic programming over the onset envelope (Ellis 2007, "Beat
 * tracking by dynamic programming", as librosa's beat_track does it): every frame's score is its
 * onset strength plus the best score of a previous beat between half and twice the song's beat
 * period back, less a penalty on the squared log-ratio of the gap to the period; the beats are
 * the best path back from the strongest late frame. The period is the refined tempo (tempo.ts),
 * so the grid follows the song's own tempo and bends with a drifting one.
 *
 * Downbeats: which of the four beat positions of a 4/4 bar starts the bars. Harmony changes at
 * bar lines and the bass lands on the bar's first beat, so each phase is scored by how much the
 * chroma changes on its beats (chords.ts's beat chroma) plus how much low-frequency onset falls
 * on them; the best phase's every fourth beat is a downbeat. Pure.
 */

/** How strongly the gap between beats is held to the period (librosa's default). */
export const TIGHTNESS = 100;
/** Onset frames describe a window ending this late after the onset (s): the envelope's frame t is at t / frameRate + this. */
export const ONSET_LATENCY = 0.0116;
export const BEATS_PER_BAR = 4;

export interface BeatGrid {
	/** Seconds of every beat. */
	beats: number[];
	/** Seconds of every bar's first beat (a subset of beats). */
	downbeats: number[];
}

/** Beat times (s) of an onset envelope at `frameRate` whose tempo is `bpm`. */
export function trackBeats(env: Float32Array, frameRate: number, bpm: number, { tightness = TIGHTNESS, latency = ONSET_LATENCY } = {}): number[] {
	const n = env.length;
	const period = (60 * frameRate) / bpm;
	if (!(period > 1) || n < 2 * period) return [];
	// normalised onsets, smoothed by a Gaussian a 32nd of a beat wide (librosa)
	let sq = 0;
	for (let t = 0; t < n; t++) sq += env[t] * env[t];
	const std = Math.sqrt(sq / n);
	if (!(std > 0)) return [];
	const sigma = period / 32;
	const half = Math.ceil(4 * sigma);
	const kernel = Float64Array.from({ length: 2 * half + 1 }, (_, k) => Math.exp(-0.5 * ((k - half) / sigma) ** 2));
	const local = new Float64Array(n);
	for (let t = 0; t < n; t++) {
		let s = 0;
		for (let k = -half; k <= half; k++) {
			const u = t + k;
			if (u >= 0 && u < n) s += kernel[k + half] * env[u];
		}
		local[t] = s / std;
	}
	const score = new Float64Array(n);
	const back = new Int32Array(n).fill(-1);
	const lo = Math.round(period / 2);
	const hi = Math.round(2 * period);
	const penalty = Float64Array.from({ length: hi + 1 }, (_, gap) => (gap >= lo ? -tightness * Math.log(gap / period) ** 2 : -Infinity));
	for (let t = 0; t < n; t++) {
		let best = -Infinity;
		let from = -1;
		for (let gap = lo; gap <= Math.min(hi, t); gap++) {
			const v = score[t - gap] + penalty[gap];
			if (v > best) [best, from] = [v, t - gap];
		}
		score[t] = local[t] + (from >= 0 && best > 0 ? best : 0);
		back[t] = from >= 0 && best > 0 ? from : -1;
	}
	// the last beat: the last local maximum of the score above half the median local maximum
	const maxima: number[] = [];
	for (let t = 1; t < n - 1; t++) if (score[t] > score[t - 1] && score[t] >= score[t + 1]) maxima.push(score[t]);
	if (maxima.length === 0) return [];
	const sorted = [...maxima].sort((a, b) => a - b);
	const threshold = 0.5 * sorted[Math.floor(sorted.length / 2)];
	let last = -1;
	for (let t = n - 2; t >= 1 && last < 0; t--) if (score[t] > score[t - 1] && score[t] >= score[t + 1] && score[t] > threshold) last = t;
	if (last < 0) return [];
	const frames: number[] = [];
	for (let t = last; t >= 0; t = back[t]) frames.push(t);
	frames.reverse();
	// leading and trailing beats on near-silence (an intro's or the fade's) are the grid's guesses: drop them
	let rms = 0;
	for (const t of frames) rms += local[t] * local[t];
	rms = Math.sqrt(rms / frames.length);
	let a = 0;
	let b = frames.length;
	while (a < b && local[frames[a]] < 0.5 * rms) a++;
	while (b > a && local[frames[b - 1]] < 0.5 * rms) b--;
	return frames.slice(a, b).map((t) => Math.max(0, t / frameRate + latency));
}

/**
 * The bar phase (0..3): the beat index modulo 4 of the downbeats, from per-beat evidence (larger:
 * more likely a bar's first beat). Ties go to the earliest phase.
 */
export function barPhase(evidence: ArrayLike<number>, beatsPerBar = BEATS_PER_BAR): number {
	const sums = new Float64Array(beatsPerBar);
	const counts = new Float64Array(beatsPerBar);
	for (let i = 0; i < evidence.length; i++) {
		sums[i % beatsPerBar] += evidence[i];
		counts[i % beatsPerBar]++;
	}
	let best = 0;
	for (let p = 1; p < beatsPerBar; p++) if (sums[p] / Math.max(1, counts[p]) > sums[best] / Math.max(1, counts[best])) best = p;
	return best;
}

/** Every `beatsPerBar`-th beat from `phase`. */
export function downbeatsOf(beats: number[], phase: number, beatsPerBar = BEATS_PER_BAR): number[] {
	return beats.filter((_, i) => i % beatsPerBar === phase);
}

/**
 * Beat F-measure (MIREX, mir_eval's beat.f_measure): an estimated beat within `window` s of an
 * unmatched reference beat is a hit (each matched once); beats in the first 5 s are ignored by
 * mir_eval's convention only when `trim` is set.
 */
export function beatFMeasure(estimated: number[], reference: number[], { window = 0.07, trim = false } = {}): number {
	const cut = (x: number[]) => (trim ? x.filter((t) => t >= 5) : x);
	const est = cut(estimated);
	const ref = cut(reference);
	if (est.length === 0 && ref.length === 0) return 1;
	if (est.length === 0 || ref.length === 0) return 0;
	const used = new Uint8Array(ref.length);
	let hits = 0;
	let j = 0;
	for (const t of est) {
		while (j < ref.length && ref[j] < t - window) j++;
		// the nearest unused reference within the window
		let best = -1;
		for (let k = j; k < ref.length && ref[k] <= t + window; k++) if (!used[k] && (best < 0 || Math.abs(ref[k] - t) < Math.abs(ref[best] - t))) best = k;
		if (best >= 0) {
			used[best] = 1;
			hits++;
		}
	}
	const precision = hits / est.length;
	const recall = hits / ref.length;
	return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}
