/**
 * Monophonic note transcription: a pitch track (pitch.ts) cut into notes. Frames are voiced where
 * YIN found a clear period and the level is within a range of the part's loudest frames; voiced
 * runs are smoothed (a running median) and split where the pitch moves to another semitone and
 * stays there, and where the level jumps up (a note struck again on the same pitch). A note's
 * onset moves back over the unpitched attack before its first pitched frame (a consonant, a
 * pick), its pitch is the median of its frames rounded to the semitone, its velocity follows its
 * peak level. A sung line (settings with `sung`) is cut differently, into stretches of steady
 * pitch whose onsets are placed at the consonant before them (sungNotes). Pure.
 */
import { hzToMidi, trackPitch, type PitchSettings, type PitchTrack } from './pitch';

export interface Note {
	/** Seconds. */
	onset: number;
	offset: number;
	/** MIDI note number (integer). */
	midi: number;
	/** 1..127 */
	velocity: number;
}

export type PartKind = 'bass' | 'vocals';

export interface NoteSettings {
	pitch: PitchSettings;
	/** Voiced: normalised difference under this. */
	voicedBelow: number;
	/** Voiced: within this many dB of the part's loud frames (their 95th percentile). */
	rangeDb: number;
	/** Nothing quieter than this (dBFS) is a note. */
	floorDb: number;
	/** Median filter length (frames) over the pitch. */
	smooth: number;
	/** A new note where the pitch differs from the current note's by more than this (semitones) ... */
	splitSemitones: number;
	/** ... for at least this long (s). */
	splitHold: number;
	/** A new note where the level rises this many dB within `onsetSpan` s (a re-struck note). */
	onsetRiseDb: number;
	onsetSpan: number;
	/** Inside a note, an attack this many dB strong (over `onsetSpan`) starts a new one (the same pitch struck again). */
	restrikeDb: number;
	/** A brief rise of the aperiodicity to at least this, in a tone steady on both sides (under `steadyAper` for
	 * `bumpSpan` s), starts a new note: the waveform restarted, a note struck again without a dip in level. 1: off. */
	bumpAper: number;
	steadyAper: number;
	bumpSpan: number;
	/** Round pitches to the semitones of the part's own tuning (its pitches' mean offset from A440's semitones), not A440's. */
	tuning: boolean;
	/** Frames at a note's start whose pitch moves faster than this (semitones/s), for up to `glideMax` s, are a glide into the note. */
	glideRate: number;
	glideMax: number;
	/** Notes whose peak level is more than this many dB under the loud frames are dropped (echoes, reverb tails). */
	quietDb: number;
	/** A note right after one of the same pitch, this many dB quieter, is part of it (a bump in its decay). */
	mergeDb: number;
	/** Shortest note kept (s). */
	minNote: number;
	/** How far (s) an onset may move back over an unpitched attack. */
	attackBack: number;
	/** Voiced gaps shorter than this (s) inside a note are bridged. */
	bridge: number;
	/** A sung line: notes are found as stretches of steady pitch (sungNotes), not frame by frame (notesFromTrack). */
	sung?: SungSettings;
}

export interface SungSettings {
	/** Frames further than this (semitones) from their neighbourhood's median, after folding octaves, are tracker errors. */
	outlierSemitones: number;
	/** Frames with a normalised difference under `steadyBelow` (but not under `voicedBelow`) are voiced inside a stretch of
	 * at least `steadySpan` s whose pitch moves no more than `steadyStep` semitones a frame (a rough vowel; noise has no steady pitch). */
	steadyBelow: number;
	steadySpan: number;
	steadyStep: number;
	/** A stretch of the same note within this (s) after the last, with no attack of `mergeRise` dB between, continues it. */
	mergeGap: number;
	mergeRise: number;
	/** With no attack before a stretch, its note begins this long (s) before the stretch's first steady frame. */
	unpitchedLead: number;
	/** A note's onset moves back from its attack over frames at least this much (dB) quieter: to where the level began to rise. */
	riseFloorDb: number;
}

export const SETTINGS: Record<PartKind, NoteSettings> = {
	bass: {
		pitch: { rate: 11025, fmin: 30, fmax: 420, window: 512, hop: 64, threshold: 0.15 },
		voicedBelow: 0.5,
		rangeDb: 35,
		floorDb: -70,
		smooth: 5,
		splitSemitones: 0.6,
		splitHold: 0.035,
		onsetRiseDb: 6,
		onsetSpan: 0.03,
		restrikeDb: 6,
		bumpAper: 0.25,
		steadyAper: 0.2,
		bumpSpan: 0.02,
		tuning: true,
		glideRate: 8,
		glideMax: 0.2,
		quietDb: 25,
		mergeDb: 5,
		minNote: 0.05,
		attackBack: 0.08,
		bridge: 0.03
	},
	vocals: {
		pitch: { rate: 22050, fmin: 70, fmax: 1100, window: 512, hop: 128, threshold: 0.15 },
		voicedBelow: 0.3,
		rangeDb: 30,
		floorDb: -70,
		smooth: 5,
		splitSemitones: 0.8,
		splitHold: 0.05,
		onsetRiseDb: 4,
		onsetSpan: 0.04,
		restrikeDb: 12,
		bumpAper: 1,
		steadyAper: 0.15,
		bumpSpan: 0.02,
		tuning: true,
		glideRate: 8,
		glideMax: 0.2,
		quietDb: 14,
		mergeDb: 5,
		minNote: 0.07,
		attackBack: 0.1,
		bridge: 0.06,
		sung: { outlierSemitones: 1, steadyBelow: 0.7, steadySpan: 0.03, steadyStep: 0.2, mergeGap: 0.25, mergeRise: 6, unpitchedLead: 0.05, riseFloorDb: 0.5 }
	}
};

function percentile(values: number[], q: number): number {
	if (!values.length) return -Infinity;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	const m = s.length >> 1;
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Notes of a monophonic part (bass or a lead vocal) in `channels`. */
export function transcribe(channels: Float32Array[], sampleRate: number, kind: PartKind, settings: NoteSettings = SETTINGS[kind]): Note[] {
	const track = trackPitch(channels, sampleRate, settings.pitch);
	return settings.sung ? sungNotes(track, settings, settings.sung) : notesFromTrack(track, settings);
}

/** A track's frame times, seconds as frames, its loud level (the 95th percentile of its frames' levels) and the gate under it. */
function frameScale(track: PitchTrack, s: NoteSettings) {
	const loud = percentile(Array.from(track.db).filter(Number.isFinite), 0.95);
	return {
		time: (k: number) => track.offset + k * track.step,
		frames: (seconds: number) => Math.max(1, Math.round(seconds / track.step)),
		loud,
		gate: Math.max(s.floorDb, loud - s.rangeDb)
	};
}

export function notesFromTrack(track: PitchTrack, s: NoteSettings): Note[] {
	const n = track.f0.length;
	const { time, frames, loud, gate } = frameScale(track, s);
	// voiced frames and their pitch (MIDI)
	const midi = new Float32Array(n).fill(NaN);
	for (let k = 0; k < n; k++) {
		if (track.f0[k] > 0 && track.aperiodicity[k] < s.voicedBelow && track.db[k] >= gate) midi[k] = hzToMidi(track.f0[k]);
	}
	const bumps = aperiodicityBumps(track.aperiodicity, frames(s.bumpSpan), s);
	// bridge short unvoiced gaps between frames of about the same pitch (not over a restart of the waveform)
	const bridge = frames(s.bridge);
	for (let k = 0; k < n; k++) {
		if (!Number.isNaN(midi[k]) || k === 0 || Number.isNaN(midi[k - 1])) continue;
		let e = k;
		while (e < n && Number.isNaN(midi[e])) e++;
		if (e < n && e - k <= bridge && Math.abs(midi[e] - midi[k - 1]) < s.splitSemitones && !bumps.subarray(k - 1, e + 1).includes(1)) {
			for (let j = k; j < e; j++) midi[j] = (midi[k - 1] + midi[e]) / 2;
		}
		k = e - 1;
	}
	// running median within voiced runs, after folding octave errors of the tracker (frames an
	// octave or two off the median of a wider neighbourhood)
	const folded = new Float32Array(n).fill(NaN);
	const wide = s.smooth;
	for (let k = 0; k < n; k++) {
		if (Number.isNaN(midi[k])) continue;
		const around: number[] = [];
		for (let j = Math.max(0, k - wide); j <= Math.min(n - 1, k + wide); j++) if (!Number.isNaN(midi[j])) around.push(midi[j]);
		const m = median(around);
		folded[k] = midi[k] - 12 * Math.round((midi[k] - m) / 12);
	}
	const smooth = new Float32Array(n).fill(NaN);
	const half = s.smooth >> 1;
	for (let k = 0; k < n; k++) {
		if (Number.isNaN(folded[k])) continue;
		const around: number[] = [];
		for (let j = Math.max(0, k - half); j <= Math.min(n - 1, k + half); j++) if (!Number.isNaN(folded[j])) around.push(folded[j]);
		smooth[k] = median(around);
	}
	const tuning = s.tuning ? tuningOf(smooth) : 0;
	// attacks: where the level rises steeply (a struck or sung note begins, pitched or not yet)
	const attacks: number[] = [];
	// (levels under the gate count as the gate's: a rise out of silence starts where it is heard)
	const level = Float32Array.from(track.db, (v) => Math.max(v, gate - 6));
	for (let j = 1; j < n; j++) if (track.db[j] >= gate && isAttack(level, j, track.step, s)) attacks.push(j);
	const notes: Note[] = [];
	const peaks: number[] = [];
	const hold = frames(s.splitHold);
	const back = frames(s.attackBack);
	let a = 0; // attacks[a] is the first attack not yet used
	let k = 0;
	let lastOnsetFrame = -Infinity;
	while (k < n) {
		if (Number.isNaN(smooth[k])) {
			k++;
			continue;
		}
		// a note from k: extend while voiced, the pitch stays, and no new attack
		const start = k;
		// a note may begin with a glide into its pitch (a voice scooping up to it): those frames are
		// part of it, and its pitch is where the glide settles
		let settle = start;
		while (
			settle + 1 < n &&
			!Number.isNaN(smooth[settle + 1]) &&
			Math.abs(smooth[settle + 1] - smooth[settle]) > s.glideRate * track.step &&
			(settle + 1 - start) * track.step <= s.glideMax
		)
			settle++;
		const pitches: number[] = [smooth[settle]];
		let ref = smooth[settle];
		let end = settle + 1;
		while (a < attacks.length && attacks[a] <= start + 1) a++;
		while (end < n && !Number.isNaN(smooth[end])) {
			while (a < attacks.length && attacks[a] < end) a++;
			if (a < attacks.length && attacks[a] === end && end - start >= 2 && rise(level, end, track.step, s) >= s.restrikeDb) break;
			if (bumps[end] && (end - start) * track.step >= s.minNote) break;
			let value = smooth[end];
			// a jump of whole octaves with no attack is the tracker losing a fading fundamental, not a new note
			const octaves = Math.round((value - ref) / 12);
			if (octaves !== 0 && Math.abs(value - ref - 12 * octaves) <= s.splitSemitones) value = smooth[end] = value - 12 * octaves;
			if (Math.abs(value - ref) > s.splitSemitones) {
				// a change only if it holds
				let held = 0;
				while (end + held < n && !Number.isNaN(smooth[end + held]) && Math.abs(smooth[end + held] - ref) > s.splitSemitones && held < hold) held++;
				const holds = held >= hold || (end + held < n && Number.isNaN(smooth[end + held]) && held >= Math.ceil(hold / 2));
				// ... and lands on another semitone (a vibrato's swing or a slow drift stays in the note)
				if (holds && Math.round(median(Array.from(smooth.subarray(end, end + held))) - tuning) !== Math.round(median(pitches) - tuning)) break;
			}
			pitches.push(value);
			ref = median(pitches.slice(-hold)); // follows slow drifts (an attack settling), not jumps
			end++;
		}
		k = end;
		if ((end - start) * track.step < s.minNote) continue;
		// the onset: the last attack shortly before (or at) the first pitched frame, after the previous note's onset
		let first = start;
		const earliest = Math.max(start - back, lastOnsetFrame + frames(s.minNote));
		const attack = attacks.find((at) => at >= earliest && at <= start + 1);
		if (attack !== undefined) first = Math.min(first, attack);
		const peak = Math.max(...Array.from(track.db.subarray(start, end)));
		if (peak < loud - s.quietDb) continue;
		const pitch = Math.round(median(pitches.slice(Math.floor(pitches.length / 4))) - tuning); // past the attack, in the part's tuning
		const velocity = Math.max(1, Math.min(127, Math.round(127 * 10 ** ((peak - loud) / 40))));
		const onset = Math.max(0, time(first));
		const offset = time(end - 1) + track.step / 2;
		const prev = notes[notes.length - 1];
		if (prev && prev.midi === pitch && attack === undefined && onset - prev.offset < 0.05 && peak < peaks[peaks.length - 1] - s.mergeDb) {
			prev.offset = offset; // a bump in the previous note's decay, not a note
			continue;
		}
		lastOnsetFrame = first;
		notes.push({ onset, offset, midi: pitch, velocity });
		peaks.push(peak);
	}
	return notes;
}

/**
 * The part's tuning: the circular mean of its frames' offsets from the nearest semitone (semitones, -0.5..0.5),
 * 0 when they do not agree (no clear tuning: a sliding voice, too few frames).
 */
export function tuningOf(midi: Float32Array): number {
	let c = 0, sn = 0, count = 0;
	for (const m of midi) {
		if (Number.isNaN(m)) continue;
		c += Math.cos(2 * Math.PI * m);
		sn += Math.sin(2 * Math.PI * m);
		count++;
	}
	if (count < 20 || Math.hypot(c, sn) / count < 0.3) return 0;
	return Math.atan2(sn, c) / (2 * Math.PI);
}

/** Frames where the aperiodicity peaks at s.bumpAper or more between stretches (span frames each) steady under s.steadyAper. */
export function aperiodicityBumps(aper: Float32Array, span: number, s: NoteSettings): Uint8Array {
	const out = new Uint8Array(aper.length);
	if (s.bumpAper >= 1) return out;
	const steady = (from: number, to: number) => {
		if (from < 0 || to > aper.length) return false;
		const v = Array.from(aper.subarray(from, to)).sort((a, b) => a - b);
		return v[v.length >> 1] < s.steadyAper;
	};
	for (let k = 1; k + 1 < aper.length; k++) {
		if (aper[k] < s.bumpAper || aper[k] < aper[k - 1] || aper[k] <= aper[k + 1]) continue;
		if (steady(k - 3 * span, k - span) && steady(k + span, k + 3 * span)) out[k] = 1;
	}
	return out;
}

/** How far (dB) the level at frame k has risen over the last onsetSpan. */
function rise(level: Float32Array, k: number, step: number, s: NoteSettings): number {
	const span = Math.max(1, Math.round(s.onsetSpan / step));
	let low = Infinity;
	for (let i = Math.max(0, k - span); i < k; i++) low = Math.min(low, level[i]);
	let high = level[k];
	for (let i = k; i < Math.min(level.length, k + span); i++) high = Math.max(high, level[i]);
	return high - low;
}

/** Whether the level at frame k has risen by onsetRiseDb over the last onsetSpan, and frame k - 1 has not (the attack's first frame). */
function isAttack(level: Float32Array, k: number, step: number, s: NoteSettings): boolean {
	const span = Math.max(1, Math.round(s.onsetSpan / step));
	const rose = (j: number) => {
		if (j - span < 0) return false;
		let low = Infinity;
		for (let i = j - span; i < j; i++) low = Math.min(low, level[i]);
		return level[j] - low >= s.onsetRiseDb;
	};
	return rose(k) && !rose(k - 1);
}

/** A stretch of steady pitch in a sung line: frames [start, end), and the pitches (MIDI) of the frames it kept with their indices. */
interface Core {
	start: number;
	end: number;
	values: number[];
	at: number[];
}

/**
 * Notes of a sung line. A voice scoops and glides between notes, swings in vibrato and begins
 * each syllable with a consonant (noise, or voiced at the speaker's own pitch), and the tracker
 * reads some frames of a rough vowel an octave or a twelfth off. So the notes are found as cores:
 * stretches whose pitch stays near its running median, stray frames skipped, split where the same
 * pitch is sung again (a strong attack). Each core's onset moves back over what lies before it (a
 * consonant, a scoop, cores too short to be notes) to the level's attack there, never into the
 * previous note; a core of the same note soon after the last one, with no clear attack between,
 * is that note going on after the tracker lost it. Pure.
 */
export function sungNotes(track: PitchTrack, s: NoteSettings, g: SungSettings): Note[] {
	const n = track.f0.length;
	const { time, frames, loud, gate } = frameScale(track, s);
	const heard = (k: number, below: number) => track.f0[k] > 0 && track.aperiodicity[k] < below && track.db[k] >= gate;
	// voiced: a clear period, or a less clear one whose pitch runs on steadily
	const midi = new Float32Array(n).fill(NaN);
	for (let k = 0; k < n; k++) if (heard(k, s.voicedBelow)) midi[k] = hzToMidi(track.f0[k]);
	const rough = Float32Array.from(track.f0, (f, k) => (heard(k, g.steadyBelow) ? hzToMidi(f) : NaN));
	const steadySpan = frames(g.steadySpan);
	for (let k = 0; k + steadySpan <= n; k++) {
		let steady = true;
		for (let j = k + 1; j < k + steadySpan && steady; j++) steady = Math.abs(rough[j] - rough[j - 1]) <= g.steadyStep;
		if (steady) for (let j = k; j < k + steadySpan; j++) midi[j] = rough[j];
	}
	// octave slips folded onto the neighbourhood's median; frames still far from it dropped
	const pitch = new Float32Array(n).fill(NaN);
	for (let k = 0; k < n; k++) {
		if (Number.isNaN(midi[k])) continue;
		const around: number[] = [];
		for (let j = Math.max(0, k - s.smooth); j <= Math.min(n - 1, k + s.smooth); j++) if (!Number.isNaN(midi[j])) around.push(midi[j]);
		const m = median(around);
		const value = midi[k] - 12 * Math.round((midi[k] - m) / 12);
		if (Math.abs(value - m) <= g.outlierSemitones) pitch[k] = value;
	}
	// cores: one goes on while its frames stay within splitSemitones of its recent pitch, and ends at a gap
	// longer than `bridge` or where the pitch moves away and stays away (a frame or two away is skipped)
	const hold = frames(s.splitHold);
	const bridge = frames(s.bridge);
	const cores: Core[] = [];
	let core: Core | null = null;
	for (let k = 0; k < n; k++) {
		const v = pitch[k];
		if (Number.isNaN(v)) continue;
		if (core && k - core.end > bridge) core = null;
		if (core) {
			const ref = median(core.values.slice(-hold));
			if (Math.abs(v - ref) <= s.splitSemitones) {
				core.values.push(v);
				core.at.push(k);
				core.end = k + 1;
				continue;
			}
			const ahead: number[] = [];
			for (let j = k; j < Math.min(n, k + hold); j++) if (!Number.isNaN(pitch[j])) ahead.push(pitch[j]);
			if (ahead.length < Math.ceil(hold / 2) || Math.abs(median(ahead) - ref) <= s.splitSemitones) continue;
		}
		core = { start: k, end: k + 1, values: [v], at: [k] };
		cores.push(core);
	}
	const level = Float32Array.from(track.db, (v) => Math.max(v, gate - 6));
	const attacks: number[] = [];
	// (an attack out of silence may begin under the gate: it counts where the level reaches the gate within onsetSpan)
	const span = frames(s.onsetSpan);
	for (let j = 1; j < n; j++) if (isAttack(level, j, track.step, s) && track.db.subarray(j, j + span).some((v) => v >= gate)) attacks.push(j);
	// the same pitch sung again: a strong attack inside a core starts a new one
	const shortest = frames(s.minNote);
	for (let i = 0; i < cores.length; i++) {
		const c = cores[i];
		const at = attacks.find((j) => j >= c.start + shortest && j <= c.end - shortest && rise(level, j, track.step, s) >= s.restrikeDb);
		if (at === undefined) continue;
		const cut = c.at.findIndex((k) => k >= at);
		cores.splice(i + 1, 0, { start: c.at[cut], end: c.end, values: c.values.slice(cut), at: c.at.slice(cut) });
		c.end = c.at[cut - 1] + 1;
		c.values = c.values.slice(0, cut);
		c.at = c.at.slice(0, cut);
	}
	const tuning = s.tuning ? tuningOf(pitch) : 0;
	const back = frames(s.attackBack);
	const notes: Note[] = [];
	let last: { note: Note; end: number } | null = null;
	let lastEnd = 0;
	let lead = -1, leadEnd = -Infinity; // cores too short to be notes, just before the next: its consonant or scoop
	for (const c of cores) {
		if ((c.end - c.start) * track.step < s.minNote) {
			if (c.start - leadEnd > bridge) lead = c.start;
			leadEnd = c.end;
			continue;
		}
		const begin = lead >= 0 && c.start - leadEnd <= bridge ? lead : c.start;
		lead = -1;
		leadEnd = -Infinity;
		// a scoop into the note: its first frames, while they move fast, do not count for its pitch
		let settle = 0;
		while (settle + 1 < c.values.length && Math.abs(c.values[settle + 1] - c.values[settle]) > s.glideRate * track.step && (settle + 1) * track.step <= s.glideMax) settle++;
		const note = Math.round(median(c.values.slice(Math.max(settle, Math.floor(c.values.length / 4)))) - tuning);
		const peak = Math.max(...Array.from(track.db.subarray(c.start, c.end)));
		if (peak < loud - s.quietDb) continue;
		// the onset: the first attack shortly before the core (or what leads into it), after the previous note
		const attack = attacks.find((at) => at >= Math.max(lastEnd, begin - back) && at <= c.start + 1);
		if (last && last.note.midi === note && c.start - last.end <= frames(g.mergeGap) && (attack === undefined || rise(level, attack, track.step, s) < g.mergeRise)) {
			last.note.offset = time(c.end - 1) + track.step / 2;
			last.end = lastEnd = c.end;
			continue;
		}
		let first = attack ?? Math.max(lastEnd, c.start - frames(g.unpitchedLead) + 1);
		// an attack is found where the level has risen by onsetRiseDb; the note begins where it started to rise
		if (attack !== undefined) for (let j = attack - 1; j >= Math.max(lastEnd, attack - frames(s.onsetSpan)); j--) if (level[j] < level[first] - g.riseFloorDb) first = j;
		const onset = Math.max(0, time(first));
		const velocity = Math.max(1, Math.min(127, Math.round(127 * 10 ** ((peak - loud) / 40))));
		last = { note: { onset, offset: time(c.end - 1) + track.step / 2, midi: note, velocity }, end: c.end };
		notes.push(last.note);
		lastEnd = c.end;
	}
	return notes;
}
