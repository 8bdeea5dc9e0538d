/**
 * Transcribed notes as a Standard MIDI File (format 1, written by @tonejs/midi): a tempo map from
 * the song's analysis — one tempo event per beat where the beat times are known (so the DAW's bar
 * lines follow the song), else the song's BPM throughout — then one track per part, its notes
 * placed at their times in seconds through that map. Pure.
 */
import { Midi } from '@tonejs/midi';
import type { Note } from './notes';

export const PPQ = 480;

export interface TempoSource {
	/** The song's tempo (BPM), if estimated. */
	bpm?: number | null;
	/** Times (s) of the song's beats, if tracked. */
	beats?: readonly number[] | null;
}

export interface MidiPart {
	name: string;
	notes: Note[];
	/** General MIDI program (0-based): 33 fingered bass, 52 choir aahs / 54 synth voice, ... */
	program: number;
}

/** GM programs for the parts Stemsafe transcribes. */
export const PROGRAMS: Record<string, number> = { bass: 33, vocals: 54 };

const DEFAULT_BPM = 120;
const MIN_BPM = 4; // the slowest tempo a MIDI tempo event can hold (2^24 - 1 µs per quarter note)

/**
 * Tempo events (tick, BPM) for the song: with beats, each beat on a quarter note (the stretch
 * before the first beat is a whole number of the first beat's length, at least one); else one
 * event at the song's BPM (120 when unknown).
 */
export function tempoEvents(source: TempoSource): { ticks: number; bpm: number }[] {
	const beats = (source.beats ?? []).filter((t) => Number.isFinite(t) && t >= 0);
	const ok = beats.length >= 2 && beats.every((t, i) => i === 0 || t > beats[i - 1] + 1e-3);
	if (!ok) {
		const bpm = source.bpm && Number.isFinite(source.bpm) && source.bpm > 0 ? source.bpm : DEFAULT_BPM;
		return [{ ticks: 0, bpm: Math.max(MIN_BPM, bpm) }];
	}
	const events: { ticks: number; bpm: number }[] = [];
	let ticks = 0;
	if (beats[0] > 1e-3) {
		const first = beats[1] - beats[0];
		const count = Math.max(1, Math.round(beats[0] / first));
		events.push({ ticks: 0, bpm: Math.max(MIN_BPM, (60 * count) / beats[0]) });
		ticks = count * PPQ;
	}
	for (let i = 0; i + 1 < beats.length; i++) {
		events.push({ ticks, bpm: Math.max(MIN_BPM, 60 / (beats[i + 1] - beats[i])) });
		ticks += PPQ;
	}
	return events;
}

/** A Standard MIDI File of the parts, named `title`, with the song's tempo map. */
export function midiFileBytes(parts: MidiPart[], tempo: TempoSource, title: string): Uint8Array {
	const midi = new Midi();
	midi.header.tempos = tempoEvents(tempo); // @tonejs/midi's own PPQ is 480, as PPQ here
	midi.header.name = title;
	midi.header.timeSignatures.push({ ticks: 0, timeSignature: [4, 4] });
	midi.header.update();
	parts.forEach((part, channel) => {
		const track = midi.addTrack();
		track.name = part.name;
		track.channel = channel === 9 ? 10 : channel; // never the drum channel
		track.instrument.number = part.program;
		for (const n of part.notes) {
			if (!(n.offset > n.onset) || n.midi < 0 || n.midi > 127) continue;
			track.addNote({ midi: n.midi, time: n.onset, duration: n.offset - n.onset, velocity: Math.max(1, Math.min(127, n.velocity)) / 127 });
		}
	});
	return midi.toArray();
}
