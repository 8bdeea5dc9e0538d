/**
 * The analysis a finished separation carries: loudness of the mix (integrated, range, maxima,
 * peaks), tempo, beat grid, chords and key of the mix, and loudness and true peak of every stem. Computed in the
 * separation worker (the stems' meters as the stems are made, so stems kept on disk are measured
 * too); stored with the result and in the zip as JSON.
 */
import type { AudioData } from '../dsp/audio';
import { LoudnessMeter, measureLoudness, type LoudnessReport } from '../dsp/loudness/loudness';
import { camelotCode } from './camelot';
import type { BeatGrid } from './beats';
import type { ChordSegment } from './chords';
import { analyzeGrid } from './grid';
import { estimateKey, type KeyEstimate } from './key';
import type { TempoEstimate } from './tempo';

export interface StemLoudness {
	name: string;
	/** LUFS (-Infinity for a silent stem). */
	integrated: number;
	/** dBTP. */
	truePeak: number;
}

export interface SongAnalysis {
	mix: Omit<LoudnessReport, 'channelTruePeaks'>;
	tempo: TempoEstimate | null;
	key: KeyEstimate | null;
	/** Beats and downbeats (s); null when there is no steady pulse; absent in analyses made before they were. */
	grid?: BeatGrid | null;
	/** Major/minor/no-chord segments (Harte labels); absent in analyses made before they were. */
	chords?: ChordSegment[] | null;
	stems: StemLoudness[];
	/** Wall-clock seconds the analysis took. */
	seconds: number;
}

/** Loudness, tempo, beat grid, chords and key of the mix (passes over the whole mix, which the worker holds anyway). */
export function analyzeMix(mix: AudioData): Pick<SongAnalysis, 'mix' | 'tempo' | 'key' | 'grid' | 'chords'> {
	const { channelTruePeaks: _perChannel, ...loudness } = measureLoudness(mix.channels, mix.sampleRate);
	const { tempo, grid, chords } = analyzeGrid(mix.channels, mix.sampleRate);
	return { mix: loudness, tempo, grid, chords, key: estimateKey(mix.channels, mix.sampleRate) };
}

/**
 * Loudness and true peak of every stem, fed region by region as the separation produces them
 * ([stem][channel], the stems in one order throughout), so stems written straight to disk are
 * measured without being read back.
 */
export class StemMeters {
	private meters: LoudnessMeter[] | null = null;

	constructor(private readonly sampleRate: number) {}

	push(stems: Float32Array[][]): void {
		this.meters ??= stems.map((chs) => new LoudnessMeter(chs.length, this.sampleRate));
		if (stems.length !== this.meters.length) throw new RangeError(`expected ${this.meters.length} stems, got ${stems.length}`);
		stems.forEach((chs, i) => this.meters![i].push(chs));
	}

	finish(names: string[]): StemLoudness[] {
		return names.map((name, i) => {
			const l = this.meters?.[i]?.finish();
			return { name, integrated: l?.integrated ?? -Infinity, truePeak: l?.truePeak ?? -Infinity };
		});
	}
}

/**
 * The whole analysis of a separation: `stems` in memory, or only their names with `measured`
 * holding the meters their regions went through (stems written to disk as they were made).
 */
export function analyzeSong(mix: AudioData, stems: { name: string; channels: Float32Array[] }[], measured?: StemMeters): SongAnalysis {
	const started = performance.now();
	const meters = measured ?? new StemMeters(mix.sampleRate);
	if (!measured && stems.length) meters.push(stems.map((s) => s.channels));
	const analysis: SongAnalysis = { ...analyzeMix(mix), stems: meters.finish(stems.map((s) => s.name)), seconds: 0 };
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
				keyCamelot: a.key ? camelotCode(a.key.tonic, a.key.mode) : null,
				// the relative key when the major/minor vote was too close to call (older analyses lack it)
				keyAlternative: a.key?.alternative?.name ?? null,
				keyAlternativeCamelot: a.key?.alternative ? camelotCode(a.key.alternative.tonic, a.key.alternative.mode) : null,
				// seconds from the start of the song; chords as Harte labels (N: no chord), as in the .lab file
				beats: a.grid?.beats ?? null,
				downbeats: a.grid?.downbeats ?? null,
				chords: a.chords ?? null,
				stems: Object.fromEntries(a.stems.map((s) => [s.name, { integratedLufs: db(s.integrated), truePeakDbtp: db(s.truePeak) }])),
				measuredWith: 'ITU-R BS.1770-4 / EBU R128 (Stemsafe)'
			},
			null,
			2
		) + '\n'
	);
}
