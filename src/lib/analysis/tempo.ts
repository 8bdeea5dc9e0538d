/**
 * Tempo (BPM) from an onset-strength envelope: spectral flux of log-compressed magnitudes (30 Hz
 * to 8 kHz) at about 100 frames per second, autocorrelated; candidate tempos from 50 to 220 BPM are scored by a comb
 * over the first four beat multiples of the autocorrelation, weighted by a broad log-normal prior
 * around 120 BPM (listeners' preferred range), as in the tempo estimators of the MIR literature
 * (e.g. Ellis 2007). The winner's period is then refined over the whole song (`refinePeriod`): the
 * frequency, within 1.5 % of the comb's, at which the onset envelope's Fourier components at the
 * beat rate and its first harmonics are largest, i.e. the period whose phase fits every onset of
 * the song best, so that a steady 120 BPM click reads 120.0, not the comb grid's 119.75. Pure; runs
 * on any sample rate.
 */
import { DecimatedMono, forEachMixFrame } from './frames';

export const FRAME_RATE = 100;
const MIN_BPM = 50;
const MAX_BPM = 220;

export interface TempoEstimate {
	bpm: number;
	/** 0..1: how much the winning comb stands out from the median candidate. */
	confidence: number;
}

/** Onset strength at about FRAME_RATE frames per second (`frameRate` is the exact rate). */
export function onsetEnvelope(channels: Float32Array[], sampleRate: number): { env: Float32Array; frameRate: number } {
	// onsets need nothing above 8 kHz: analyse at 16-24 kHz
	const factor = Math.max(1, Math.floor(sampleRate / 16000));
	const rate = sampleRate / factor;
	const decimated = new DecimatedMono(channels, factor).length;
	const step = Math.round(rate / FRAME_RATE);
	const frameRate = rate / step;
	const nFft = 512;
	const frames = Math.max(0, Math.floor((decimated - nFft) / step) + 1);
	const env = new Float32Array(frames);
	const minBin = Math.max(1, Math.round((30 * nFft) / rate));
	const maxBin = Math.min(nFft / 2, Math.round((8000 * nFft) / rate));
	let prev = new Float64Array(maxBin + 1);
	let cur = new Float64Array(maxBin + 1);
	forEachMixFrame(channels, factor, nFft, step, (mag, t) => {
		let flux = 0;
		for (let k = minBin; k <= maxBin; k++) {
			cur[k] = Math.log1p(1000 * mag[k]);
			if (t > 0 && cur[k] > prev[k]) flux += cur[k] - prev[k];
		}
		env[t] = flux;
		[prev, cur] = [cur, prev];
	});
	// remove the slow trend (a 1 s moving average) and keep the rises
	const out = new Float32Array(frames);
	const w = Math.round(frameRate);
	let sum = 0;
	for (let t = 0; t < frames; t++) {
		sum += env[t];
		if (t >= w) sum -= env[t - w];
		out[t] = Math.max(0, env[t] - sum / Math.min(t + 1, w));
	}
	return { env: out, frameRate };
}

function autocorrelation(env: Float32Array, maxLag: number): Float64Array {
	const acf = new Float64Array(maxLag + 1);
	for (let lag = 0; lag <= maxLag; lag++) {
		let s = 0;
		for (let t = lag; t < env.length; t++) s += env[t] * env[t - lag];
		acf[lag] = s / (env.length - lag);
	}
	return acf;
}

function interp(acf: Float64Array, lag: number): number {
	const i = Math.floor(lag);
	if (i + 1 >= acf.length) return 0;
	const f = lag - i;
	return acf[i] * (1 - f) + acf[i + 1] * f;
}

export function estimateTempo(channels: Float32Array[], sampleRate: number): TempoEstimate | null {
	return tempoFromEnvelope(onsetEnvelope(channels, sampleRate));
}

/** The tempo of an onset envelope (`onsetEnvelope`); null under 4 s or for silence. */
export function tempoFromEnvelope({ env, frameRate }: { env: Float32Array; frameRate: number }, { refine = true } = {}): TempoEstimate | null {
	if (env.length < 4 * frameRate) return null; // under 4 s: no tempo worth stating
	const maxLag = Math.ceil((4 * 60 * frameRate) / MIN_BPM);
	const acf = autocorrelation(env, Math.min(maxLag, env.length - 1));
	if (!(acf[0] > 0)) return null;
	const scores: { bpm: number; score: number }[] = [];
	for (let bpm = MIN_BPM; bpm <= MAX_BPM; bpm += 0.25) {
		const lag = (60 * frameRate) / bpm;
		let comb = 0;
		for (let k = 1; k <= 4; k++) comb += interp(acf, k * lag) / k;
		const prior = Math.exp(-0.5 * (Math.log2(bpm / 120) / 0.9) ** 2);
		scores.push({ bpm, score: comb * prior });
	}
	const best = scores.reduce((a, b) => (b.score > a.score ? b : a));
	const sorted = scores.map((s) => s.score).sort((a, b) => a - b);
	const median = sorted[Math.floor(sorted.length / 2)];
	const bpm = refine ? refinePeriod(env, frameRate, best.bpm) : best.bpm;
	return { bpm: Math.round(bpm * 10) / 10, confidence: best.score > 0 ? Math.max(0, Math.min(1, 1 - median / best.score)) : 0 };
}

/** Harmonics of the beat rate whose Fourier magnitudes `refinePeriod` sums (weighted 1/h). */
const REFINE_HARMONICS = 4;
const REFINE_SECONDS = 600;

/** Σ_h |Σ_t env[t]·e^(−2πi·h·f·t)| / h: how well a beat rate of `f` cycles per frame fits every onset. */
function phaseFit(env: Float32Array, f: number): number {
	let total = 0;
	for (let h = 1; h <= REFINE_HARMONICS; h++) {
		const w = 2 * Math.PI * h * f;
		// the phasor advanced by rotation, exact enough over an hour of frames in float64 (renormalised)
		const cw = Math.cos(w);
		const sw = Math.sin(w);
		let c = 1;
		let s = 0;
		let re = 0;
		let im = 0;
		for (let t = 0; t < env.length; t++) {
			const e = env[t];
			if (e !== 0) {
				re += e * c;
				im -= e * s;
			}
			const nc = c * cw - s * sw;
			s = c * sw + s * cw;
			c = nc;
			if ((t & 1023) === 1023) {
				const norm = Math.hypot(c, s);
				c /= norm;
				s /= norm;
			}
		}
		total += Math.hypot(re, im) / h;
	}
	return total;
}

/**
 * The tempo within ±1.5 % of `bpm` at which the onset envelope's beat-rate components (phaseFit)
 * peak: searched on a grid finer than the peak's width (1 / the song's length), then a parabola
 * through the best point and its neighbours. The comb's 0.25 BPM grid and the autocorrelation's
 * whole-frame lags leave an error of up to a few tenths of a BPM; the whole song's phase does not.
 */
export function refinePeriod(whole: Float32Array, frameRate: number, bpm: number): number {
	// at most ten minutes (from the middle): bounded time on an hour-long file, where the tempo drifts anyway
	const most = Math.round(REFINE_SECONDS * frameRate);
	const from = Math.max(0, Math.floor((whole.length - most) / 2));
	const env = whole.subarray(from, from + most);
	const seconds = env.length / frameRate;
	if (seconds < 4) return bpm;
	// the peak is about 60 / seconds BPM wide: a tenth of that per step
	const step = 6 / seconds;
	const half = 0.015 * bpm;
	const n = Math.ceil(half / step);
	const fit = (b: number) => phaseFit(env, b / 60 / frameRate);
	let bestI = 0;
	let bestV = -1;
	const values = new Float64Array(2 * n + 1);
	for (let i = -n; i <= n; i++) {
		values[i + n] = fit(bpm + i * step);
		if (values[i + n] > bestV) [bestI, bestV] = [i, values[i + n]];
	}
	if (Math.abs(bestI) === n) return bpm; // no peak inside the window: keep the comb's tempo
	const [a, b, c] = [values[bestI + n - 1], values[bestI + n], values[bestI + n + 1]];
	const den = a - 2 * b + c;
	const offset = den < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den)) : 0;
	return bpm + (bestI + offset) * step;
}
