/**
 * Frame-wise pitch of a monophonic part: YIN (de Cheveigné & Kawahara 2002) — the squared
 * difference function, computed through an FFT cross-correlation, its cumulative mean normalised
 * form, the first dip under a threshold (else the deepest one), parabolic interpolation — on the
 * mono mix of the channels resampled to an analysis rate that suits the part's range. Each frame
 * also gets its level (RMS, dBFS), for voicing, note onsets and velocities. Pure.
 */
import { FFT } from '../dsp/fft';
import { resample } from '../dsp/resample';

export interface PitchSettings {
	/** Analysis sample rate (Hz): the part is resampled to it. */
	rate: number;
	/** Lowest and highest fundamental searched (Hz). */
	fmin: number;
	fmax: number;
	/** Integration window of the difference function (samples at `rate`). */
	window: number;
	/** Frame step (samples at `rate`). */
	hop: number;
	/** YIN threshold on the normalised difference: dips under it are periodic. */
	threshold: number;
}

export interface PitchTrack {
	/** Seconds per frame step; frame k is centred on k * step + offset. */
	step: number;
	offset: number;
	/** Fundamental (Hz) per frame; 0 where no period was found within range. */
	f0: Float32Array;
	/** Normalised difference at the chosen period (0 = perfectly periodic, ~1 = noise). */
	aperiodicity: Float32Array;
	/** Level around the frame's centre (dBFS RMS over two frame steps or the longest period), -Infinity for digital silence. */
	db: Float32Array;
}

/** The mono sum of the channels (their mean). */
export function monoOf(channels: Float32Array[]): Float32Array {
	if (channels.length === 1) return channels[0];
	const out = new Float32Array(channels[0].length);
	for (const ch of channels) for (let i = 0; i < out.length; i++) out[i] += ch[i];
	for (let i = 0; i < out.length; i++) out[i] /= channels.length;
	return out;
}

export function trackPitch(channels: Float32Array[], sampleRate: number, s: PitchSettings): PitchTrack {
	const x = resample(monoOf(channels), sampleRate, s.rate);
	const tauMin = Math.max(2, Math.floor(s.rate / s.fmax));
	const tauMax = Math.ceil(s.rate / s.fmin);
	const level = Math.max(s.hop, tauMax >> 1); // half the level window: at least a period of the lowest note
	const W = s.window;
	if (W < tauMax) throw new RangeError(`pitch window ${W} is shorter than the longest period ${tauMax}`);
	let n = 1;
	while (n < W + tauMax + 1) n *= 2;
	const fft = new FFT(n);
	const span = W + tauMax;
	const frames = x.length >= span ? Math.floor((x.length - span) / s.hop) + 1 : 0;
	const f0 = new Float32Array(frames);
	const aper = new Float32Array(frames).fill(1);
	const db = new Float32Array(frames);
	const aRe = new Float64Array(n), aIm = new Float64Array(n), bRe = new Float64Array(n), bIm = new Float64Array(n);
	const d = new Float64Array(tauMax + 2);
	// prefix sums of x² for the energy terms of the difference function
	const sq = new Float64Array(x.length + 1);
	for (let i = 0; i < x.length; i++) sq[i + 1] = sq[i] + x[i] * x[i];
	for (let k = 0; k < frames; k++) {
		const at = k * s.hop;
		const energy = sq[at + W] - sq[at];
		// the level: a short window on the frame's centre, so that attacks are placed in time
		const c = at + (W >> 1);
		const lo = Math.max(0, c - level), hi = Math.min(x.length, c + level);
		const local = sq[hi] - sq[lo];
		db[k] = local > 0 ? 10 * Math.log10(local / (hi - lo)) : -Infinity;
		if (!(energy > 1e-12)) continue;
		aRe.fill(0), aIm.fill(0), bRe.fill(0), bIm.fill(0);
		for (let j = 0; j < W; j++) aRe[j] = x[at + j];
		for (let j = 0; j < span; j++) bRe[j] = x[at + j];
		fft.transform(aRe, aIm);
		fft.transform(bRe, bIm);
		// cross-spectrum conj(A)·B -> r(τ) = Σ_j a_j b_{j+τ}
		for (let i = 0; i < n; i++) {
			const re = aRe[i] * bRe[i] + aIm[i] * bIm[i];
			const im = aRe[i] * bIm[i] - aIm[i] * bRe[i];
			aRe[i] = re;
			aIm[i] = im;
		}
		fft.transform(aRe, aIm, true);
		// d(τ) = Σ (x_j - x_{j+τ})² = E[0,W) + E[τ,τ+W) - 2 r(τ); then the cumulative mean normalised form
		let running = 0;
		d[0] = 1;
		for (let tau = 1; tau <= tauMax; tau++) {
			const raw = Math.max(0, energy + (sq[at + tau + W] - sq[at + tau]) - (2 * aRe[tau]) / n);
			running += raw;
			d[tau] = running > 0 ? (raw * tau) / running : 1;
		}
		let best = -1;
		for (let tau = tauMin; tau <= tauMax; tau++) {
			if (d[tau] < s.threshold) {
				while (tau + 1 <= tauMax && d[tau + 1] < d[tau]) tau++;
				best = tau;
				break;
			}
		}
		if (best < 0) {
			// no clear dip: the shortest period whose dip is about as deep as the deepest (the deepest
			// alone is often a multiple of the period in a rough, distorted tone)
			let deepest = tauMin;
			for (let tau = tauMin + 1; tau <= tauMax; tau++) if (d[tau] < d[deepest]) deepest = tau;
			best = deepest;
			for (let tau = tauMin + 1; tau < deepest; tau++) {
				if (d[tau] <= d[tau - 1] && d[tau] <= d[tau + 1] && d[tau] <= d[deepest] * 1.2 + 0.03) {
					best = tau;
					break;
				}
			}
		}
		// parabolic interpolation of the dip
		let period = best;
		if (best > tauMin && best < tauMax) {
			const a = d[best - 1], b = d[best], c = d[best + 1];
			const den = a - 2 * b + c;
			if (den > 0) period = best + (0.5 * (a - c)) / den;
		}
		aper[k] = d[best];
		f0[k] = best === tauMin || best === tauMax ? 0 : s.rate / period;
	}
	return { step: s.hop / s.rate, offset: W / 2 / s.rate, f0, aperiodicity: aper, db };
}

/** Fundamental (Hz) to MIDI note number (fractional). */
export const hzToMidi = (hz: number) => 69 + 12 * Math.log2(hz / 440);
export const midiToHz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
