/**
 * The analysis a finished separation carries: loudness of the mix (integrated, range, maxima,
 * peaks), tempo and key of the mix, and loudness and true peak of every stem. Computed in the
 * separation worker after the stems are made; stored with the result and in the zip as JSON.
 */
import type { AudioData } from '../dsp/audio';
import { measureLoudness } from '../dsp/loudness/loudness';
import { estimateKey, type KeyEstimate } from './key';
import { estimateTempo, type TempoEstimate } from './tempo';

export interface StemLoudness {
	name: string;
	/** LUFS (-Infinity for a silent stem). */
	integrated: number;
	/** dBTP. */
	truePeak: number;
}

export interface SongAnalysis {
	mix: {
		integrated: number;
		range: number;
		momentaryMax: number;
		shortTermMax: number;
		samplePeak: number;
		truePeak: number;
	};
	tempo: TempoEstimate | null;
	key: KeyEstimate | null;
	stems: StemLoudness[];
	/** Wall-clock seconds the analysis took. */
	seconds: number;
}

export function analyzeSong(mix: AudioData, stems: { name: string; channels: Float32Array[] }[]): SongAnalysis {
	const started = performance.now();
	const m = measureLoudness(mix.channels, mix.sampleRate);
	const analysis: SongAnalysis = {
		mix: {
			integrated: m.integrated,
			range: m.range,
			momentaryMax: m.momentaryMax,
			shortTermMax: m.shortTermMax,
			samplePeak: m.samplePeak,
			truePeak: m.truePeak
		},
		tempo: estimateTempo(mix.channels, mix.sampleRate),
		key: estimateKey(mix.channels, mix.sampleRate),
		stems: stems.map((s) => {
			const l = measureLoudness(s.channels, mix.sampleRate);
			return { name: s.name, integrated: l.integrated, truePeak: l.truePeak };
		}),
		seconds: 0
	};
	analysis.seconds = (performance.now() - started) / 1000;
	return analysis;
}

/** JSON for the zip: -Infinity (silence) becomes null, numbers are rounded to what is meaningful. */
export function analysisJson(a: SongAnalysis, extra: Record<string, unknown> = {}): string {
	const db = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);
	return (
		JSON.stringify(
			{
				...extra,
				mix: {
					integratedLufs: db(a.mix.integrated),
					loudnessRangeLu: db(a.mix.range),
					maxMomentaryLufs: db(a.mix.momentaryMax),
					maxShortTermLufs: db(a.mix.shortTermMax),
					samplePeakDbfs: db(a.mix.samplePeak),
					truePeakDbtp: db(a.mix.truePeak)
				},
				tempoBpm: a.tempo?.bpm ?? null,
				key: a.key?.name ?? null,
				stems: Object.fromEntries(a.stems.map((s) => [s.name, { integratedLufs: db(s.integrated), truePeakDbtp: db(s.truePeak) }])),
				measuredWith: 'ITU-R BS.1770-4 / EBU R128 (Stemsafe)'
			},
			null,
			2
		) + '\n'
	);
}
