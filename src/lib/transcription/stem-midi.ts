/**
 * A stem's MIDI file: the bass or the lead vocal transcribed (notes.ts) and written with the
 * song's tempo map (midi.ts). The stem is read region by region and reduced to mono at the
 * part's analysis rate as it is read (StreamResampler), so a long song on disk never needs its
 * whole stem in memory: a 10-minute vocal at 22,050 Hz is 53 MB of samples, not 212 MB.
 */
import { StreamResampler } from '../dsp/resample';
import { midiFileBytes, PROGRAMS, type TempoSource } from './midi';
import { SETTINGS, transcribe, type Note, type PartKind } from './notes';
import { monoOf } from './pitch';

/** The stems Stemsafe transcribes, by stem name. */
export function midiPart(stem: string): PartKind | null {
	return stem === 'bass' || stem === 'vocals' ? stem : null;
}

const READ_BLOCK = 1 << 16;

/** Notes of a part read as regions (`read(start, end)` -> planar channels) of `frames` frames at `sampleRate`. */
export async function transcribeRegions(
	read: (start: number, end: number) => Promise<Float32Array[]> | Float32Array[],
	frames: number,
	sampleRate: number,
	kind: PartKind
): Promise<Note[]> {
	const rate = SETTINGS[kind].pitch.rate;
	const resampler = rate === sampleRate ? null : new StreamResampler(frames, sampleRate, rate);
	const length = resampler ? resampler.outLength : frames;
	const mono = new Float32Array(length);
	let at = 0;
	const put = (x: Float32Array) => {
		mono.set(x.subarray(0, Math.max(0, length - at)), at);
		at += x.length;
	};
	for (let f = 0; f < frames; f += READ_BLOCK) {
		const m = monoOf(await read(f, Math.min(frames, f + READ_BLOCK)));
		put(resampler ? resampler.push(m) : m.slice());
	}
	if (resampler) put(resampler.end());
	return transcribe([mono], rate, kind);
}

/** The tempo map's source in a result's analysis: its beats, else its tempo. */
export function midiTempo(result: { analysis?: { tempo: { bpm: number } | null; grid?: { beats: number[] } | null } }): TempoSource {
	const beats = result.analysis?.grid?.beats;
	// a plain copy: the page's results are reactive state, which cannot be posted to a worker
	return { bpm: result.analysis?.tempo?.bpm ?? null, beats: beats ? Array.from(beats) : null };
}

/** "My Song.wav" + "bass" (+ model) -> "My Song - bass (model).mid". */
export function midiFileName(songBase: string, stem: string, model?: string): string {
	const m = model?.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim();
	return `${songBase} - ${stem}${m ? ` (${m})` : ''}.mid`;
}

/** The Standard MIDI File of one transcribed stem: one track, named for the stem, with the song's tempo map. */
export async function stemMidi(
	read: (start: number, end: number) => Promise<Float32Array[]> | Float32Array[],
	frames: number,
	sampleRate: number,
	kind: PartKind,
	tempo: TempoSource,
	title: string
): Promise<{ bytes: Uint8Array; notes: number }> {
	const notes = await transcribeRegions(read, frames, sampleRate, kind);
	return { bytes: midiFileBytes([{ name: kind, notes, program: PROGRAMS[kind] }], tempo, title), notes: notes.length };
}
