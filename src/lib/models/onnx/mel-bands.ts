/**
 * Mel-Band-Roformer's band layout, computed exactly as tools/stemsafe_tools/mel_band_roformer.py
 * (and upstream, through librosa.filters.mel) does: the bands are the non-zero regions of a Slaney
 * mel filter bank (float64 arithmetic, float32 weights), the first bin forced into the first band and
 * the last bin into the last band. Overlapping bands' masks are averaged per bin with a few Gathers
 * of constant indices (not scatter-add, which not every onnxruntime-web backend runs).
 */

const F_SP = 200.0 / 3;
const MIN_LOG_HZ = 1000.0;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOGSTEP = Math.log(6.4) / 27.0;

function hzToMel(f: number): number {
	return f >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(Math.max(f, 1e-10) / MIN_LOG_HZ) / LOGSTEP : f / F_SP;
}

function melToHz(m: number): number {
	return m >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOGSTEP * (m - MIN_LOG_MEL)) : F_SP * m;
}

/** librosa.filters.mel(sr, n_fft, n_mels) non-zero pattern: [n_mels][n_fft/2+1] booleans. */
export function melFilterSupport(sampleRate: number, nFft: number, nMels: number): boolean[][] {
	const bins = nFft / 2 + 1;
	const val = 1.0 / (nFft * (1.0 / sampleRate));
	const fft = Array.from({ length: bins }, (_, k) => k * val);
	const lo = hzToMel(0.0);
	const hi = hzToMel(sampleRate / 2.0);
	const step = (hi - lo) / (nMels + 1);
	const melF = Array.from({ length: nMels + 2 }, (_, i) => melToHz(i === nMels + 1 ? hi : i * step + lo));
	const out: boolean[][] = [];
	for (let i = 0; i < nMels; i++) {
		const d0 = melF[i + 1] - melF[i];
		const d1 = melF[i + 2] - melF[i + 1];
		const enorm = 2.0 / (melF[i + 2] - melF[i]);
		out.push(
			fft.map((f) => {
				const lower = -(melF[i] - f) / d0;
				const upper = (melF[i + 2] - f) / d1;
				const w = Math.fround(Math.max(0, Math.min(lower, upper)));
				return Math.fround(w * enorm) > 0;
			})
		);
	}
	return out;
}

export interface MelBandLayout {
	/** Indices into the (f s) axis of the folded spectrum, band-major: what each band gathers. */
	freqIndices: number[];
	/** STFT bins per band. */
	binsPerBand: number[];
	/** How many bands cover each (f s) position (the averaging divisor). */
	bandsPerBin: number[];
	/** [rounds][F*S] positions k of freqIndices with freqIndices[k] == bin, padded with freqIndices.length. */
	gathers: number[][];
}

export function melBandLayout(sampleRate: number, nFft: number, numBands: number, channels: number): MelBandLayout {
	const support = melFilterSupport(sampleRate, nFft, numBands);
	const bins = nFft / 2 + 1;
	support[0][0] = true;
	support[numBands - 1][bins - 1] = true;
	const freqIndices: number[] = [];
	const binsPerBand: number[] = [];
	const perBin = new Array<number>(bins).fill(0);
	for (const band of support) {
		let count = 0;
		band.forEach((on, f) => {
			if (!on) return;
			count++;
			perBin[f]++;
			for (let c = 0; c < channels; c++) freqIndices.push(f * channels + c);
		});
		binsPerBand.push(count);
	}
	if (perBin.some((n) => n === 0)) throw new Error('mel bands do not cover every STFT bin');
	const bandsPerBin = perBin.flatMap((n) => new Array<number>(channels).fill(n));
	const kOfBin: number[][] = bandsPerBin.map(() => []);
	freqIndices.forEach((j, k) => kOfBin[j].push(k));
	const rounds = Math.max(...kOfBin.map((ks) => ks.length));
	const gathers = Array.from({ length: rounds }, (_, r) => kOfBin.map((ks) => ks[r] ?? freqIndices.length));
	return { freqIndices, binsPerBand, bandsPerBin, gathers };
}
