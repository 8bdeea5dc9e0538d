import { describe, expect, it } from 'vitest';
import { barPhase, beatFMeasure, downbeatsOf, trackBeats } from '../../src/lib/analysis/beats';
import { chordDisplay, chordOverlap, chordsLab, chromaFrames, recognizeChords } from '../../src/lib/analysis/chords';
import { analyzeGrid } from '../../src/lib/analysis/grid';
import { analysisJson, analyzeSong } from '../../src/lib/analysis/report';
import { onsetEnvelope, tempoFromEnvelope } from '../../src/lib/analysis/tempo';

const RATE = 22050;
const NOTE = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
/** Semitones of the triads' notes above their root. */
const MAJOR = [0, 4, 7];
const MINOR = [0, 3, 7];

/**
 * A song at `bpm`: a kick on every beat (from `start` s), and one chord per bar (4 beats) of
 * harmonic tones with the root an octave down as the bass, `chords` in turn as [root midi, triad].
 */
function song(bpm: number, chords: [number, number[]][], { start = 0.3, bars = 8, rate = RATE, silenceAfter = 0 } = {}) {
	const beat = 60 / bpm;
	const seconds = start + bars * 4 * beat + silenceAfter;
	const x = new Float32Array(Math.round(seconds * rate));
	const beats: number[] = [];
	for (let b = 0; b < bars * 4; b++) {
		const t0 = start + b * beat;
		beats.push(t0);
		const i0 = Math.round(t0 * rate);
		// a kick: a sine falling from 150 to 50 Hz, as drum kicks do, and a click of noise
		let phase = 0;
		for (let i = 0; i < 0.15 * rate && i0 + i < x.length; i++) {
			const t = i / rate;
			phase += (2 * Math.PI * (50 + 100 * Math.exp(-t * 40))) / rate;
			x[i0 + i] += 0.5 * Math.exp(-t * 30) * Math.sin(phase) + (i < 0.005 * rate ? 0.2 * Math.sin(i * 12.9898) : 0);
		}
	}
	for (let bar = 0; bar < bars; bar++) {
		const [root, triad] = chords[bar % chords.length];
		const i0 = Math.round((start + bar * 4 * beat) * rate);
		const len = Math.round(4 * beat * rate);
		for (const f of [...triad.map((s) => NOTE(root + s)), NOTE(root - 12)])
			for (let i = 0; i < len && i0 + i < x.length; i++) {
				const t = i / rate;
				let v = 0;
				for (let h = 1; h <= 4; h++) v += Math.sin(2 * Math.PI * f * h * t) / h;
				x[i0 + i] += 0.04 * v * Math.exp(-t * 0.5);
			}
	}
	return { x, beats, downbeats: beats.filter((_, i) => i % 4 === 0), seconds };
}

describe('beat tracking', () => {
	it('puts a beat within 20 ms of every kick of a steady song', () => {
		const s = song(120, [[60, MAJOR]], { bars: 10 });
		const onsets = onsetEnvelope([s.x], RATE);
		const bpm = tempoFromEnvelope(onsets)!.bpm;
		const beats = trackBeats(onsets.env, onsets.frameRate, bpm);
		expect(beats.length).toBeGreaterThanOrEqual(s.beats.length - 2);
		for (const t of beats) expect(Math.min(...s.beats.map((r) => Math.abs(r - t)))).toBeLessThan(0.02);
		expect(beatFMeasure(beats, s.beats)).toBeGreaterThan(0.95);
	});
	it('finds no beats in silence', () => {
		expect(trackBeats(new Float32Array(3000), 100, 120)).toEqual([]);
	});
	it('places the downbeats where the chords change', () => {
		// the first bar line on the second kick: the song starts on the bar's last beat (a pickup)
		const s = song(110, [
			[57, MINOR],
			[53, MAJOR],
			[60, MAJOR],
			[55, MAJOR]
		]);
		const pickup = new Float32Array(Math.round((60 / 110) * RATE));
		const x = new Float32Array(pickup.length + s.x.length);
		x.set(s.x, pickup.length);
		const shift = pickup.length / RATE;
		const { grid } = analyzeGrid([x], RATE);
		expect(grid).not.toBeNull();
		expect(beatFMeasure(grid!.downbeats, s.downbeats.map((t) => t + shift))).toBeGreaterThan(0.9);
	});
	it('scores bar phases and picks every fourth beat', () => {
		expect(barPhase([0, 0, 1, 0, 0, 0, 1, 0, 0.1, 0, 0.9, 0])).toBe(2);
		expect(downbeatsOf([0, 1, 2, 3, 4, 5, 6, 7, 8], 1)).toEqual([1, 5]);
	});
});

describe('beat F-measure (70 ms)', () => {
	it('counts each reference beat once and only within the window', () => {
		expect(beatFMeasure([1, 2, 3], [1, 2, 3])).toBe(1);
		expect(beatFMeasure([1.06, 2.08], [1, 2])).toBeCloseTo(0.5, 5); // one hit of two: P = R = 0.5
		expect(beatFMeasure([1, 1.01], [1])).toBeCloseTo((2 * 0.5 * 1) / 1.5, 5);
		expect(beatFMeasure([], [1])).toBe(0);
	});
});

describe('chords', () => {
	const progression: [number, number[]][] = [
		[60, MAJOR], // C
		[57, MINOR], // Am
		[53, MAJOR], // F
		[55, MAJOR] // G
	];
	it('names a I–vi–IV–V progression bar by bar, and silence as no chord', () => {
		const s = song(100, progression, { bars: 8, silenceAfter: 3 });
		const frames = chromaFrames([s.x], RATE);
		const chords = recognizeChords(frames, s.beats, s.seconds);
		const reference = [];
		for (let bar = 0; bar < 8; bar++) {
			const [root, triad] = progression[bar % 4];
			const name = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'][root % 12];
			reference.push({ start: s.beats[bar * 4], end: bar < 7 ? s.beats[bar * 4 + 4] : s.seconds - 3, label: `${name}:${triad === MAJOR ? 'maj' : 'min'}` });
		}
		reference.push({ start: s.seconds - 2.5, end: s.seconds, label: 'N' });
		const { correct, total } = chordOverlap(chords, reference);
		expect(correct / total).toBeGreaterThan(0.9);
		expect(chords.map((c) => c.label).slice(1, 5)).toEqual(['C:maj', 'A:min', 'F:maj', 'G:maj']);
		expect(chords[chords.length - 1].label).toBe('N');
	});
	it('writes a .lab file and names chords as musicians do', () => {
		const lab = chordsLab([
			{ start: 0, end: 1.5, label: 'N' },
			{ start: 1.5, end: 3.25, label: 'F#:min' }
		]);
		expect(lab).toBe('0.000\t1.500\tN\n1.500\t3.250\tF#:min\n');
		expect(chordDisplay('F#:min')).toBe('F♯m');
		expect(chordDisplay('Bb:maj')).toBe('B♭');
		expect(chordDisplay('N')).toBe('–');
	});
	it('scores major/minor overlap as MIREX does: diminished references left out, enharmonic roots equal', () => {
		const ref = [
			{ start: 0, end: 2, label: 'C#:maj' },
			{ start: 2, end: 4, label: 'B:dim' },
			{ start: 4, end: 6, label: 'A:min' }
		];
		const est = [
			{ start: 0, end: 1, label: 'Db:maj' },
			{ start: 1, end: 5, label: 'A:min' },
			{ start: 5, end: 6, label: 'A:maj' }
		];
		expect(chordOverlap(est, ref)).toEqual({ correct: 2, total: 4 });
	});
});

describe('analysis.json', () => {
	it('carries the beats, downbeats and chords', () => {
		const s = song(120, progression4(), { bars: 6 });
		const a = analyzeSong({ sampleRate: RATE, channels: [s.x] }, []);
		const json = JSON.parse(analysisJson(a));
		expect(json.tempoBpm).toBe(120);
		expect(json.beats.length).toBeGreaterThan(20);
		expect(json.downbeats.every((t: number) => json.beats.includes(t))).toBe(true);
		expect(json.chords.some((c: { label: string }) => c.label === 'A:min')).toBe(true);
	});
});

function progression4(): [number, number[]][] {
	return [
		[60, MAJOR],
		[57, MINOR]
	];
}
