/**
 * Tempo (BPM) from an onset-strength envelope: spectral flux of log-compressed magnitudes (30 Hz
 * to 8 kHz) at about 100 frames per second, autocorrelated; candidate tempos from 50 to 220 BPM are scored by a comb
 * over the first four beat multiples of the autocorrelation, weighted by a broad log-normal prior
 * around 120 BPM (listeners' preferred range), as in the tempo estimators of the MIR literature
 * (e.g. Ellis 2007). Pure; runs on any sample rate.
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
	const { env, frameRate } = onsetEnvelope(channels, sampleRate);
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
	return { bpm: Math.round(best.bpm * 10) / 10, confidence: best.score > 0 ? Math.max(0, Math.min(1, 1 - median / best.score)) : 0 };
}
