import { describe, expect, it } from 'vitest';
import { Midi } from '@tonejs/midi';
import { trackPitch, hzToMidi, midiToHz } from '../../src/lib/transcription/pitch';
import { SETTINGS, transcribe, type Note } from '../../src/lib/transcription/notes';
import { maxMatching, noteScore, pooled } from '../../src/lib/transcription/score';
import { PPQ, midiFileBytes, tempoEvents } from '../../src/lib/transcription/midi';
import { noise } from './signals';
import { midiFileName, midiPart, midiTempo, stemMidi, transcribeRegions } from '../../src/lib/transcription/stem-midi';
import { aperiodicityBumps, sungNotes, tuningOf } from '../../src/lib/transcription/notes';
import type { PitchTrack } from '../../src/lib/transcription/pitch';

const RATE = 44100;

/** Plucked, harmonic-rich notes (a decaying sawtooth-like tone with a short noisy attack) at [onset s, duration s, MIDI, gain]. */
function render(notes: [number, number, number, number][], seconds: number, opts: { legato?: boolean; noiseDb?: number } = {}): Float32Array {
	const x = new Float32Array(Math.round(seconds * RATE));
	const hiss = noise(x.length, 7, 1);
	for (const [onset, dur, midi, gain] of notes) {
		const f = midiToHz(midi);
		const a = Math.round(onset * RATE);
		const len = Math.round((dur + (opts.legato ? 0.03 : 0)) * RATE);
		for (let i = 0; i < len && a + i < x.length; i++) {
			const t = i / RATE;
			let v = 0;
			for (let h = 1; h <= 6; h++) v += Math.sin(2 * Math.PI * f * h * t) / h;
			const env = Math.min(1, t / 0.004) * Math.exp(-t * 4) * Math.min(1, (len - i) / (0.01 * RATE));
			x[a + i] += gain * 0.3 * env * v + (t < 0.01 ? 0.05 * gain * hiss[a + i] : 0);
		}
	}
	if (opts.noiseDb !== undefined) for (let i = 0; i < x.length; i++) x[i] += 10 ** (opts.noiseDb / 20) * hiss[(i * 7) % x.length];
	return x;
}

const line = (bpm: number, pitches: number[], start = 0.25, gain = 0.8): [number, number, number, number][] =>
	pitches.map((m, i) => [start + (i * 60) / bpm / 2, (60 / bpm / 2) * 0.9, m, gain]);

describe('pitch tracking (YIN)', () => {
	it('finds the fundamental of a harmonic tone within a few cents, over the bass and vocal ranges', () => {
		for (const [kind, midi] of [['bass', 28], ['bass', 40], ['bass', 55], ['vocals', 48], ['vocals', 67], ['vocals', 81]] as const) {
			const x = render([[0, 1, midi, 1]], 1);
			const track = trackPitch([x], RATE, SETTINGS[kind].pitch);
			const mid = Math.floor(track.f0.length / 2);
			expect(Math.abs(hzToMidi(track.f0[mid]) - midi), `${kind} ${midi}`).toBeLessThan(0.05);
			expect(track.aperiodicity[mid]).toBeLessThan(0.1);
		}
	});

	it('marks noise and silence as unpitched', () => {
		const track = trackPitch([noise(RATE, 3, 0.3)], RATE, SETTINGS.vocals.pitch);
		const voiced = Array.from(track.aperiodicity).filter((a) => a < SETTINGS.vocals.voicedBelow).length;
		expect(voiced / track.f0.length).toBeLessThan(0.05);
		const silent = trackPitch([new Float32Array(RATE)], RATE, SETTINGS.bass.pitch);
		expect(Array.from(silent.f0).every((f) => f === 0)).toBe(true);
		expect(silent.db[10]).toBe(-Infinity);
	});
});

describe('note transcription', () => {
	it('transcribes a bass line with repeated notes (re-struck on the same pitch) to the note and within 20 ms', () => {
		const truth = line(120, [33, 33, 40, 40, 38, 38, 36, 45, 33, 33]);
		const notes = transcribe([render(truth, 3.2, { legato: true })], RATE, 'bass');
		const s = noteScore(truth.map(([onset, , midi]) => ({ onset, midi })), notes, 0.02);
		expect(s.f).toBe(1);
	});

	it('transcribes a vocal-range melody, with velocities that follow the loudness', () => {
		const truth: [number, number, number, number][] = [
			[0.2, 0.4, 60, 1],
			[0.7, 0.3, 62, 0.25],
			[1.1, 0.5, 64, 1],
			[1.7, 0.25, 67, 0.5],
			[2.1, 0.6, 65, 1]
		];
		const notes = transcribe([render(truth, 3)], RATE, 'vocals');
		expect(noteScore(truth.map(([onset, , midi]) => ({ onset, midi })), notes, 0.02).f).toBe(1);
		const quiet = notes.find((n) => n.midi === 62)!;
		const loud = notes.find((n) => n.midi === 60)!;
		expect(quiet.velocity).toBeLessThan(loud.velocity - 20);
		for (const n of notes) expect(n.offset).toBeGreaterThan(n.onset);
	});

	it('stays robust under noise 30 dB down and finds nothing in noise alone', () => {
		const truth = line(100, [45, 47, 48, 50, 52, 50, 48, 47]);
		const notes = transcribe([render(truth, 3, { noiseDb: -40 })], RATE, 'bass');
		expect(noteScore(truth.map(([onset, , midi]) => ({ onset, midi })), notes).f).toBeGreaterThanOrEqual(0.9);
		expect(transcribe([noise(2 * RATE, 5, 0.2)], RATE, 'vocals').length).toBeLessThanOrEqual(1);
		expect(transcribe([new Float32Array(RATE)], RATE, 'bass')).toEqual([]);
	});

	it('reads stereo as its mono sum and any sample rate', () => {
		const truth = line(110, [40, 43, 45, 47]);
		const x = render(truth, 2.5);
		const half = new Float32Array(Math.floor(x.length / 2));
		for (let i = 0; i < half.length; i++) half[i] = x[2 * i];
		const notes = transcribe([x, x], RATE, 'bass');
		expect(notes.map((n) => n.midi)).toEqual([40, 43, 45, 47]);
		expect(transcribe([half], RATE / 2, 'bass').map((n) => n.midi)).toEqual([40, 43, 45, 47]);
	});
});

/**
 * A sung line as a voice sings it: each note [onset s, duration s, MIDI] begins with a consonant
 * (a burst of noise that fades to a hiss, `consonant` s) and holds a vowel (a harmonic tone) that scoops in from the
 * previous note's pitch and swings in vibrato (±0.4 semitone at 5.5 Hz) after its first 0.1 s;
 * `breath`: the amplitude of noise in the vowel (a breathy voice).
 */
function sing(notes: [number, number, number][], seconds: number, consonant = 0.06, breath = 0): Float32Array {
	const x = new Float32Array(Math.round(seconds * RATE));
	const hiss = noise(x.length, 11, 1);
	let phase = 0;
	notes.forEach(([onset, dur, midi], i) => {
		const scoop = i > 0 ? notes[i - 1][2] - midi : 0;
		const a = Math.round(onset * RATE);
		for (let j = 0; j < Math.round(dur * RATE) && a + j < x.length; j++) {
			const t = j / RATE;
			const edge = Math.min(1, t / 0.005, (dur - t) / 0.005);
			if (t < consonant) {
				x[a + j] += (0.08 + 0.4 * Math.exp(-t / 0.015)) * edge * hiss[a + j];
				continue;
			}
			const v = t - consonant;
			const m = midi + scoop * Math.exp(-v / 0.03) + (v > 0.1 ? 0.4 * Math.sin(2 * Math.PI * 5.5 * v) : 0);
			phase += (2 * Math.PI * midiToHz(m)) / RATE;
			let y = 0;
			for (let h = 1; h <= 8; h++) y += Math.sin(h * phase) / h;
			x[a + j] += Math.min(edge, v / 0.01, 1) * (0.3 * y + breath * hiss[a + j]);
		}
	});
	return x;
}

describe('a sung line', () => {
	it('places each note at its consonant, not its vowel, on the pitch it settles on, through scoops and vibrato', () => {
		// leaps, a scoop of 7 semitones and the same note sung twice in a row; each note sounds for 90 % of its time
		const slots: [number, number, number][] = [
			[0.3, 0.45, 60],
			[0.75, 0.3, 67],
			[1.05, 0.5, 64],
			[1.55, 0.35, 64],
			[1.9, 0.25, 62],
			[2.15, 0.6, 57]
		];
		const truth = slots.map(([onset, dur, midi]) => [onset, dur * 0.9, midi] as [number, number, number]);
		const notes = transcribe([sing(truth, 3)], RATE, 'vocals');
		const s = noteScore(truth.map(([onset, , midi]) => ({ onset, midi })), notes, 0.025);
		expect(s.f, JSON.stringify(notes.map((n) => [n.onset.toFixed(3), n.midi]))).toBe(1);
	});

	it('finds notes sung after a longer consonant too', () => {
		const truth: [number, number, number][] = [
			[0.2, 0.4, 55],
			[0.8, 0.4, 59],
			[1.4, 0.5, 62]
		];
		const notes = transcribe([sing(truth, 2.2, 0.09)], RATE, 'vocals');
		expect(noteScore(truth.map(([onset, , midi]) => ({ onset, midi })), notes, 0.03).f).toBe(1);
	});
	it('hears a breathy voice, whose vowels are too noisy for a clear period in every frame', () => {
		const truth: [number, number, number][] = [
			[0.2, 0.35, 62],
			[0.6, 0.35, 64],
			[1.0, 0.3, 60],
			[1.4, 0.5, 59],
			[2.0, 0.4, 62]
		];
		const notes = transcribe([sing(truth, 2.6, 0.06, 0.25)], RATE, 'vocals');
		expect(noteScore(truth.map(([onset, , midi]) => ({ onset, midi })), notes, 0.03).f, JSON.stringify(notes.map((n) => [n.onset.toFixed(3), n.midi]))).toBe(1);
	});
});

describe('notes of a sung line from its pitch track', () => {
	const s = SETTINGS.vocals;
	const step = 0.005;
	/** A pitch track of `n` frames: `fill(from, to, midi, aper, db)` sets frames [from, to). */
	function track(n: number) {
		const t: PitchTrack = { step, offset: 0, f0: new Float32Array(n), aperiodicity: new Float32Array(n).fill(1), db: new Float32Array(n).fill(-80) };
		const fill = (from: number, to: number, midi: number | ((k: number) => number), aper = 0.05, db = -10) => {
			for (let k = from; k < to; k++) {
				const m = typeof midi === 'number' ? midi : midi(k);
				t.f0[k] = Number.isNaN(m) ? 0 : midiToHz(m);
				t.aperiodicity[k] = aper;
				t.db[k] = db;
			}
		};
		return { t, fill };
	}
	// (a note begins where the level starts to rise: at the last quiet frame before it)
	const notes = (t: PitchTrack) => sungNotes(t, s, s.sung!).map((n) => [Math.round(n.onset / step), n.midi]);

	it('hears a rough vowel whose pitch runs on steadily, and no note in noise whose period jumps about', () => {
		const { t, fill } = track(300);
		fill(20, 100, (k) => 62 + 0.05 * Math.sin(k / 3), 0.45); // too rough for voicedBelow, but steady
		fill(150, 250, (k) => 50 + ((k * 7919) % 23), 0.45); // the same roughness, with no steady pitch
		expect(notes(t)).toEqual([[19, 62]]);
	});

	it('skips a few frames read a twelfth or an octave off inside a note', () => {
		const { t, fill } = track(200);
		fill(20, 160, 57);
		fill(60, 64, 57 + 19);
		fill(100, 103, 45);
		expect(notes(t)).toEqual([[19, 57]]);
	});

	it('keeps a note that the tracker loses for a moment as one, and splits the same pitch sung again', () => {
		const { t, fill } = track(400);
		fill(20, 100, 60);
		fill(100, 130, NaN, 0.9, -10); // 150 ms the tracker cannot read, at the same level ...
		fill(130, 180, 60); // ... and the same note going on
		fill(200, 260, 60, 0.05, -30); // a dip ...
		fill(260, 360, 60, 0.05, -8); // ... and a strong attack: sung again
		expect(notes(t)).toEqual([
			[19, 60],
			[259, 60]
		]);
	});

	it('begins a note at the attack of a voiced consonant before it, where the level starts to rise', () => {
		const { t, fill } = track(200);
		// a consonant voiced at the speaker's own pitch, gliding (two stretches too short to be notes), rising ...
		fill(25, 37, 43, 0.2);
		fill(37, 50, 47, 0.2);
		for (let k = 25; k < 50; k++) t.db[k] = -40 + 1.2 * (k - 25);
		fill(50, 150, 64); // ... into the vowel
		expect(notes(t)).toEqual([[24, 64]]);
	});
});

describe('note F-measure (mir_eval style)', () => {
	it('matches onsets within 50 ms and pitches within 50 cents, one to one', () => {
		const ref = [{ onset: 1, midi: 60 }, { onset: 1.5, midi: 62 }, { onset: 2, midi: 64 }];
		expect(noteScore(ref, ref).f).toBe(1);
		expect(noteScore(ref, [{ onset: 1.05, midi: 60.5 }, { onset: 1.5, midi: 62 }, { onset: 2, midi: 64 }]).matched).toBe(3);
		expect(noteScore(ref, [{ onset: 1.051, midi: 60 }, { onset: 1.5, midi: 62.51 }, { onset: 2, midi: 64 }]).matched).toBe(1);
		// two estimates near one reference: only one matches
		const s = noteScore([{ onset: 1, midi: 60 }], [{ onset: 1.01, midi: 60 }, { onset: 0.99, midi: 60 }]);
		expect(s).toMatchObject({ matched: 1, precision: 0.5, recall: 1 });
		expect(s.f).toBeCloseTo(2 / 3, 10);
		expect(noteScore([], [])).toMatchObject({ f: 0, precision: 0, recall: 0 });
	});

	it('finds a maximum matching where a greedy one would not', () => {
		// left 0 can take 0 or 1, left 1 only 0: greedy 0->0 leaves 1 unmatched
		expect(maxMatching([[0, 1], [0]], 2)).toBe(2);
		expect(maxMatching([[0], [0], [0]], 1)).toBe(1);
	});

	it('pools songs into all-notes and mean-over-songs figures', () => {
		const a = noteScore([{ onset: 0, midi: 40 }], [{ onset: 0, midi: 40 }]);
		const b = noteScore([{ onset: 0, midi: 40 }, { onset: 1, midi: 41 }, { onset: 2, midi: 42 }], []);
		const p = pooled([a, b]);
		expect(p.meanF).toBe(0.5);
		expect(p.micro.recall).toBe(0.25);
		expect(p.micro.precision).toBe(1);
	});
});

describe('MIDI file', () => {
	const notes: Note[] = [
		{ onset: 0.5, offset: 0.9, midi: 40, velocity: 100 },
		{ onset: 1.0, offset: 1.2, midi: 43, velocity: 60 }
	];

	it('writes a Standard MIDI File whose notes read back at their times, pitches and velocities', () => {
		const bytes = midiFileBytes([{ name: 'bass', notes, program: 33 }, { name: 'vocals', notes: [{ onset: 0.25, offset: 2, midi: 67, velocity: 127 }], program: 54 }], { bpm: 96 }, 'Song');
		expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('MThd');
		const back = new Midi(bytes);
		expect(back.header.ppq).toBe(PPQ);
		expect(back.header.name).toBe('Song');
		expect(back.header.tempos[0].bpm).toBeCloseTo(96, 3);
		expect(back.tracks.map((t) => t.name)).toEqual(['bass', 'vocals']);
		expect(back.tracks[0].instrument.number).toBe(33);
		const read = back.tracks[0].notes;
		expect(read.map((n) => n.midi)).toEqual([40, 43]);
		read.forEach((n, i) => {
			expect(n.time).toBeCloseTo(notes[i].onset, 2);
			expect(n.time + n.duration).toBeCloseTo(notes[i].offset, 2);
			expect(Math.round(n.velocity * 127)).toBe(notes[i].velocity);
		});
		expect(back.tracks[1].channel).not.toBe(9);
	});

	it('follows the beats: a tempo event per beat, every beat on a quarter note, notes at their times', () => {
		// accelerating beats from 0.3 s
		const beats = [0.3];
		for (let i = 1; i < 12; i++) beats.push(beats[i - 1] + 0.6 - i * 0.02);
		const events = tempoEvents({ bpm: 100, beats });
		expect(events[0]).toEqual({ ticks: 0, bpm: 60 / 0.3 / 2 ** 0 * 1 }); // 0.3 s before the first beat: one beat of 0.3 s (round(0.3/0.58) = 1)
		const bytes = midiFileBytes([{ name: 'bass', notes: beats.slice(0, -1).map((b) => ({ onset: b, offset: b + 0.1, midi: 40, velocity: 90 })), program: 33 }], { bpm: 100, beats }, 'x');
		const back = new Midi(bytes);
		back.tracks[0].notes.forEach((n, i) => {
			expect(n.ticks).toBe((i + 1) * PPQ); // on the beat grid
			expect(n.time).toBeCloseTo(beats[i], 3);
		});
	});

	it('falls back to the BPM, or 120 BPM, when beats are missing or unusable', () => {
		expect(tempoEvents({ bpm: 87.5 })).toEqual([{ ticks: 0, bpm: 87.5 }]);
		expect(tempoEvents({ bpm: null })).toEqual([{ ticks: 0, bpm: 120 }]);
		expect(tempoEvents({ bpm: 90, beats: [1, 0.5, 2] })).toEqual([{ ticks: 0, bpm: 90 }]);
		expect(tempoEvents({ beats: [0, 0.5, 1] })[0]).toEqual({ ticks: 0, bpm: 120 });
	});
});

describe('tuning and restrikes', () => {
	it('rounds to the part\'s own tuning: a line played 40 cents flat keeps its note names', () => {
		const truth = line(120, [33, 35, 36, 38, 40, 38, 36, 35]);
		const flat = truth.map(([o, d, m, g]) => [o, d, m - 0.4, g] as [number, number, number, number]);
		const notes = transcribe([render(flat, 2.6)], RATE, 'bass');
		expect(notes.map((n) => n.midi)).toEqual(truth.map((t) => t[2]));
		expect(tuningOf(Float32Array.from([60.3, 61.3, 64.28, 59.31]))).toBe(0); // too few frames to say
		const frames = Float32Array.from({ length: 100 }, (_, i) => 40 + (i % 5) - 0.4);
		expect(tuningOf(frames)).toBeCloseTo(-0.4, 5);
	});

	it('marks where the waveform restarts inside a steady tone (a note picked again without a dip in level)', () => {
		const s = SETTINGS.bass;
		const aper = new Float32Array(100).fill(0.05);
		aper.set([0.15, 0.32, 0.45, 0.3, 0.12], 40); // a restart: peaks at frame 42
		aper.set([0.1, 0.2, 0.22, 0.18], 70); // too small a rise
		const bumps = aperiodicityBumps(aper, 3, s);
		expect(Array.from(bumps.keys()).filter((k) => bumps[k])).toEqual([42]);
		// noise (aperiodic throughout) has no steady sides: nothing marked
		const noisy = Float32Array.from({ length: 100 }, (_, i) => 0.5 + 0.3 * Math.sin(i));
		expect(aperiodicityBumps(noisy, 3, s).includes(1)).toBe(false);
		expect(aperiodicityBumps(aper, 3, SETTINGS.vocals).includes(1)).toBe(false); // off for vocals
	});
});

describe('a stem\'s MIDI file', () => {
	it('transcribes a stem read in regions as it would whole, and writes it with the beats as tempo map', async () => {
		const truth = line(100, [40, 43, 45, 47, 45, 43]);
		const x = render(truth, 2.6);
		const whole = transcribe([x, x], RATE, 'bass');
		const regions = await transcribeRegions((a, b) => [x.subarray(a, b), x.subarray(a, b)], x.length, RATE, 'bass');
		expect(regions.map((n) => n.midi)).toEqual(whole.map((n) => n.midi));
		regions.forEach((n, i) => expect(Math.abs(n.onset - whole[i].onset)).toBeLessThan(0.01));
		const beats = [0.25, 0.85, 1.45, 2.05];
		const made = await stemMidi((a, b) => [x.subarray(a, b)], x.length, RATE, 'bass', midiTempo({ analysis: { tempo: { bpm: 100 }, grid: { beats } } }), 'Song - bass');
		expect(made.notes).toBe(truth.length);
		const back = new Midi(made.bytes);
		expect(back.header.name).toBe('Song - bass');
		expect(back.tracks[0].name).toBe('bass');
		expect(back.tracks[0].notes.map((n) => n.midi)).toEqual(truth.map((t) => t[2]));
		expect(back.header.tempos.length).toBe(beats.length); // one per beat, and one for the lead-in
		expect(back.header.ticksToSeconds(PPQ)).toBeCloseTo(beats[0], 3);
	});

	it('offers MIDI for bass and vocals only, named like the stems', () => {
		expect(['bass', 'vocals', 'drums', 'other'].map(midiPart)).toEqual(['bass', 'vocals', null, null]);
		expect(midiFileName('Song', 'vocals', 'm/1')).toBe('Song - vocals (m_1).mid');
		expect(midiTempo({})).toEqual({ bpm: null, beats: null });
	});
});
