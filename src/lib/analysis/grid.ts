/**
 * Tempo, beat grid and chords of a mix, together: one onset envelope for the tempo and the beats,
 * one pass of chroma for the chords and the downbeats (which chords help place). Pure.
 */
import { barPhase, downbeatsOf, trackBeats, type BeatGrid } from './beats';
import { chromaChange, chromaFrames, recognizeChords, type ChordSegment } from './chords';
import { onsetEnvelope, tempoFromEnvelope, type TempoEstimate } from './tempo';

export interface GridOptions {
	tightness?: number;
	latency?: number;
	changePenalty?: number;
	bassWeight?: number;
}

export interface RhythmAndHarmony {
	tempo: TempoEstimate | null;
	/** null: no tempo (under 4 s, silence) or too few beats. */
	grid: BeatGrid | null;
	chords: ChordSegment[] | null;
}

export function analyzeGrid(channels: Float32Array[], sampleRate: number, options: GridOptions = {}): RhythmAndHarmony {
	const n = channels[0]?.length ?? 0;
	const duration = n / sampleRate;
	const onsets = onsetEnvelope(channels, sampleRate);
	const tempo = tempoFromEnvelope(onsets);
	const frames = chromaFrames(channels, sampleRate);
	const beats = tempo ? trackBeats(onsets.env, onsets.frameRate, tempo.bpm, options) : [];
	let grid: BeatGrid | null = null;
	if (beats.length >= 8) {
		const phase = barPhase(chromaChange(frames, beats, duration));
		grid = { beats: beats.map(round3), downbeats: downbeatsOf(beats, phase).map(round3) };
	}
	// without a beat grid (a short clip, no pulse) chords are read per second
	const boundaries = grid ? grid.beats : Array.from({ length: Math.floor(duration) }, (_, i) => i);
	const chords = duration >= 1 ? recognizeChords(frames, boundaries, duration, options) : null;
	return { tempo, grid, chords };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
