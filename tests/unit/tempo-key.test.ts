import { describe, expect, it } from 'vitest';
import { camelotCode } from '../../src/lib/analysis/camelot';
import { estimateKey, keyFromProfiles, keyProfiles, mirexKeyScore, triadIndex } from '../../src/lib/analysis/key';
import { estimateTempo } from '../../src/lib/analysis/tempo';

const RATE = 22050;

/** Drum-like clicks: kick on beats, hat on eighths, a little noise; `bpm` exact. */
function groove(bpm: number, seconds: number, rate = RATE): Float32Array {
	const n = Math.round(seconds * rate);
	const x = new Float32Array(n);
	let seed = 3;
	const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
	const beat = 60 / bpm;
	for (let i = 0; i < n; i++) {
		const t = i / rate;
		const inBeat = t % beat;
		const inEighth = t % (beat / 2);
		x[i] = 0.8 * Math.exp(-inBeat * 30) * Math.sin(2 * Math.PI * 55 * inBeat) + 0.2 * Math.exp(-inEighth * 80) * rnd() + 0.01 * rnd();
	}
	return x;
}

const NOTE = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

/**
 * Chords of harmonic tones (5 harmonics), each `seconds` long, with the root an octave down as
 * the bass; intervals in semitones from `tonicMidi`; `silence` seconds of silence first.
 */
function chords(tonicMidi: number, list: number[][], { seconds = 2, rate = RATE, silence = 0 } = {}): Float32Array {
	const lead = Math.round(silence * rate);
	const x = new Float32Array(lead + list.length * seconds * rate);
	list.forEach((chord, c) => {
		for (const interval of [...chord, chord[0] - 12]) {
			const f = NOTE(tonicMidi + interval);
			for (let i = 0; i < seconds * rate; i++) {
				const t = i / rate;
				let v = 0;
				for (let h = 1; h <= 5; h++) v += Math.sin(2 * Math.PI * f * h * t) / h;
				x[lead + c * seconds * rate + i] += 0.05 * v * Math.exp(-t * 0.8);
			}
		}
	});
	return x;
}

/** A I–IV–V–I (major) or i–iv–v–i (minor) progression, 2 s per chord. */
function cadence(tonicMidi: number, minor: boolean, rate = RATE): Float32Array {
	const third = minor ? 3 : 4;
	return chords(
		tonicMidi,
		[
			[0, third, 7],
			[5, 5 + third, 12],
			[7, 7 + 4, 14], // dominant with a major third (harmonic minor), as in practice
			[0, third, 7]
		],
		{ rate }
	);
}

describe('tempo', () => {
	it('at 72 BPM with eighth-note hats, names the beat or its double (the metrical-level ambiguity Accuracy2 allows)', () => {
		const x = groove(72, 20);
		const bpm = estimateTempo([x], RATE)!.bpm;
		expect([72, 144].some((ref) => Math.abs(bpm - ref) / ref <= 0.04)).toBe(true);
	});
	for (const bpm of [96, 120, 128, 150]) {
		it(`finds ${bpm} BPM in a click groove (within 4 %)`, () => {
			const x = groove(bpm, 20);
			const est = estimateTempo([x, x], RATE)!;
			expect(Math.abs(est.bpm - bpm) / bpm).toBeLessThanOrEqual(0.04);
			expect(est.confidence).toBeGreaterThan(0);
		});
	}
	it('gives no tempo for clips under 4 s', () => {
		expect(estimateTempo([groove(120, 3)], RATE)).toBeNull();
	});
});

describe('key', () => {
	const cases: [number, boolean, string][] = [
		[60, false, 'C major'],
		[67, false, 'G major'],
		[57, true, 'A minor'],
		[62, true, 'D minor'],
		[66, false, 'F♯ major']
	];
	for (const [midi, minor, name] of cases) {
		it(`finds ${name} from a cadence`, () => {
			expect(estimateKey([cadence(midi, minor)], RATE)?.name).toBe(name);
		});
	}
	it('works at 44.1 and 48 kHz too', () => {
		expect(estimateKey([cadence(60, false, 44100)], 44100)?.name).toBe('C major');
		expect(estimateKey([cadence(57, true, 48000)], 48000)?.name).toBe('A minor');
	});
	it('returns null for a flat profile and for silence', () => {
		expect(keyFromProfiles({ full: new Float64Array(12).fill(1), bass: new Float64Array(12).fill(1), opening: new Float64Array(12), chords: new Float64Array(24) })).toBeNull();
		expect(estimateKey([new Float32Array(RATE * 5)], RATE)).toBeNull();
	});
	it('tells a major key from its relative minor by the bass', () => {
		// the same C-major pitch set, once with the bass on C and once on A
		const full = Float64Array.from([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1]);
		const onC = Float64Array.from({ length: 12 }, (_, p) => (p === 0 ? 2 : p === 9 ? 1 : 0));
		const onA = Float64Array.from({ length: 12 }, (_, p) => (p === 9 ? 2 : p === 0 ? 1 : 0));
		const [opening, chords] = [new Float64Array(12), new Float64Array(24)];
		expect(keyFromProfiles({ full, bass: onC, opening, chords })?.name).toBe('C major');
		expect(keyFromProfiles({ full, bass: onA, opening, chords })?.name).toBe('A minor');
	});
	it('settles a near-tie between relative keys by the first second of bass, after any silence', () => {
		// Am F C G and C G Am F: the same four chords for the same time; only the opening differs
		const [am, f, c, g] = [[9, 12, 16], [5, 9, 12], [0, 4, 7], [7, 11, 14]];
		const fromAm = chords(60, [am, f, c, g, am, f, c, g], { silence: 3 });
		const fromC = chords(60, [c, g, am, f, c, g, am, f], { silence: 3 });
		expect(estimateKey([fromAm], RATE)?.name).toBe('A minor');
		expect(estimateKey([fromC], RATE)?.name).toBe('C major');
		// the opening is the first second after the silence: A in the bass, or C
		const opening = keyProfiles([fromAm], RATE).opening;
		expect(opening.indexOf(Math.max(...opening))).toBe(9);
		expect(keyProfiles([fromC], RATE).opening[0]).toBeGreaterThan(keyProfiles([fromC], RATE).opening[9]);
	});
	it('lets the opening (at half weight) decide a near-tie, not a clearly stronger tonic', () => {
		const full = Float64Array.from([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1]);
		const onA = Float64Array.from({ length: 12 }, (_, p) => (p === 9 ? 4 : p === 0 ? 1 : 0));
		const nearTie = Float64Array.from({ length: 12 }, (_, p) => (p === 9 ? 2.1 : p === 0 ? 2 : 0));
		const openingOnC = Float64Array.from({ length: 12 }, (_, p) => (p === 0 ? 1 : 0));
		const chords = new Float64Array(24);
		expect(keyFromProfiles({ full, bass: onA, opening: openingOnC, chords })?.name).toBe('A minor');
		expect(keyFromProfiles({ full, bass: nearTie, opening: openingOnC, chords })?.name).toBe('C major');
		expect(keyFromProfiles({ full, bass: nearTie, opening: openingOnC, chords }, { openingWeight: 0 })?.name).toBe('A minor');
	});
	it('lets the chords (at half weight) decide a near-tie in the bass: which tonic triad sounds most', () => {
		const full = Float64Array.from([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1]);
		const nearTie = Float64Array.from({ length: 12 }, (_, p) => (p === 9 ? 2.1 : p === 0 ? 2 : 0));
		const opening = new Float64Array(12);
		const chords = new Float64Array(24);
		chords[triadIndex(0, 'major')] = 30; // C E G in 30 frames
		chords[triadIndex(9, 'minor')] = 10; // A C E in 10
		chords[triadIndex(7, 'major')] = 50; // other chords do not vote
		expect(keyFromProfiles({ full, bass: nearTie, opening, chords })?.name).toBe('C major');
		expect(keyFromProfiles({ full, bass: nearTie, opening, chords }, { chordWeight: 0 })?.name).toBe('A minor');
		const onA = Float64Array.from({ length: 12 }, (_, p) => (p === 9 ? 4 : p === 0 ? 1 : 0));
		expect(keyFromProfiles({ full, bass: onA, opening, chords })?.name).toBe('A minor');
	});
	it('counts the frames of each triad: C E G as C major, A C E as A minor, over their bass', () => {
		const [am, c] = [[9, 12, 16], [0, 4, 7]];
		const counts = keyProfiles([chords(60, [c, c, c, am])], RATE).chords;
		const most = (v: Float64Array) => v.indexOf(Math.max(...v));
		expect(most(counts)).toBe(triadIndex(0, 'major'));
		expect(counts[triadIndex(9, 'minor')]).toBeGreaterThan(0);
		expect(counts[triadIndex(0, 'major')]).toBeGreaterThan(2 * counts[triadIndex(9, 'minor')]);
		expect(most(keyProfiles([chords(60, [am, am, c])], RATE).chords)).toBe(triadIndex(9, 'minor'));
		expect(keyProfiles([new Float32Array(RATE * 3)], RATE).chords.every((v) => v === 0)).toBe(true);
	});
	it("reads the scale from 110 Hz up: a bass below it, off the scale, does not pull the key a fifth off", () => {
		// a C major cadence over a loud F♯2 drone (92.5 Hz, a pure tone): F♯ is in G major's scale, not C major's
		const song = cadence(60, false);
		for (let i = 0; i < song.length; i++) song[i] += 0.4 * Math.sin((2 * Math.PI * NOTE(42) * i) / RATE);
		expect(estimateKey([song], RATE)?.name).toBe('C major');
	});
	it('names the relative key too when the major/minor vote is too close to call', () => {
		const full = Float64Array.from([1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1]);
		const [opening, chords] = [new Float64Array(12), new Float64Array(24)];
		// A 2.1 against C 2: a vote of 0.024 for A minor
		const nearTie = Float64Array.from({ length: 12 }, (_, p) => (p === 9 ? 2.1 : p === 0 ? 2 : 0));
		const close = keyFromProfiles({ full, bass: nearTie, opening, chords });
		expect(close?.name).toBe('A minor');
		expect(close?.alternative).toEqual({ tonic: 0, mode: 'major', name: 'C major' });
		// A 3 against C 2: 0.2, clear enough
		const clear = Float64Array.from({ length: 12 }, (_, p) => (p === 9 ? 3 : p === 0 ? 2 : 0));
		expect(keyFromProfiles({ full, bass: clear, opening, chords })?.alternative).toBeNull();
	});
	it('names every key in Camelot notation as on the wheel', () => {
		// the wheel, written out: number -> [major tonic (B), minor tonic (A)], pitch classes from C = 0
		const wheel: Record<number, [number, number]> = {
			1: [11, 8], 2: [6, 3], 3: [1, 10], 4: [8, 5], 5: [3, 0], 6: [10, 7],
			7: [5, 2], 8: [0, 9], 9: [7, 4], 10: [2, 11], 11: [9, 6], 12: [4, 1]
		};
		for (const [n, [major, minor]] of Object.entries(wheel)) {
			expect(camelotCode(major, 'major')).toBe(`${n}B`);
			expect(camelotCode(minor, 'minor')).toBe(`${n}A`);
		}
	});
	it('scores like MIREX: exact 1, fifth above 0.5, relative 0.3, parallel 0.2', () => {
		const C = { tonic: 0, mode: 'major' };
		expect(mirexKeyScore(C, C)).toBe(1);
		expect(mirexKeyScore({ tonic: 7, mode: 'major' }, C)).toBe(0.5);
		expect(mirexKeyScore({ tonic: 9, mode: 'minor' }, C)).toBe(0.3);
		expect(mirexKeyScore({ tonic: 0, mode: 'minor' }, C)).toBe(0.2);
		expect(mirexKeyScore({ tonic: 3, mode: 'major' }, { tonic: 0, mode: 'minor' })).toBe(0.3);
		expect(mirexKeyScore({ tonic: 2, mode: 'major' }, C)).toBe(0);
	});
});

/** A metronome: a 2 ms 1 kHz tick on every beat, starting at `start` s. */
function metronome(bpm: number, seconds: number, rate: number, start = 0.25): Float32Array {
	const x = new Float32Array(Math.round(seconds * rate));
	for (let t = start; t < seconds; t += 60 / bpm) {
		const i0 = Math.round(t * rate);
		for (let i = 0; i < 0.002 * rate && i0 + i < x.length; i++) x[i0 + i] = 0.8 * Math.sin((2 * Math.PI * 1000 * i) / rate);
	}
	return x;
}

describe('tempo to a tenth of a BPM', () => {
	for (const rate of [44100, 48000]) {
		it(`a click track at exactly 120 BPM reads 120.0 (${rate} Hz), and a kick pattern too`, () => {
			expect(estimateTempo([metronome(120, 30, rate)], rate)!.bpm).toBe(120);
			const kick = groove(120, 30, rate);
			expect(estimateTempo([kick, kick], rate)!.bpm).toBe(120);
		});
	}
	for (const bpm of [87.5, 101.3, 133.7]) {
		it(`a ${bpm} BPM click reads ${bpm.toFixed(1)}`, () => {
			expect(estimateTempo([metronome(bpm, 40, 44100)], 44100)!.bpm).toBeCloseTo(bpm, 1);
		});
	}
});
