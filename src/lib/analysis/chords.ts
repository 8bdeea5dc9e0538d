/**
 * Chords (major, minor and no-chord) on the beat grid, from chroma of the mono mix:
 * 1. chroma: 4096-point spectra of the mix decimated to about 11 kHz, hop 1024 (about 93 ms);
 *    per frame the energy of spectral peaks (local maxima within 60 dB of the frame's largest)
 *    folded onto the 12 pitch classes, 55 Hz to 1 kHz (above it, melody and overtones blur the
 *    chords more than they help), plus the bass register (55–220 Hz) apart;
 * 2. beat chroma: the frames' chroma averaged between consecutive beats (a chord rarely changes
 *    inside a beat), each beat normalised;
 * 3. every beat is scored against the 24 triads (templates with overtones, as key.ts's, and a bonus
 *    for the bass on the chord's root) and no-chord (near-silence: a beat under 1 % of the
 *    median beat's energy);
 * 4. a Viterbi pass over the beats with a penalty for every change picks the chord sequence, so
 *    passing notes do not split a chord; consecutive beats with one chord are one segment.
 * Labels are in Harte syntax (MIREX, .lab files): "C:maj", "A:min", "N". Pure.
 */
import { forEachMixFrame } from './frames';

export const NOTE_NAMES = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B'] as const;
const DISPLAY_NAMES = ['C', 'C♯', 'D', 'E♭', 'E', 'F', 'F♯', 'G', 'A♭', 'A', 'B♭', 'B'] as const;

/** Cost of a chord change between two beats, against per-beat scores of 0..1 (chosen on development songs; docs/analysis.md). */
export const CHANGE_PENALTY = 0.15;
/** Weight of the bass on the chord's root (chosen on development songs). */
export const BASS_WEIGHT = 0.3;
/** Chroma is read up to this frequency (Hz). */
export const CHROMA_TOP_HZ = 1000;
/** ... and from this frequency (Hz). */
export const CHROMA_LOW_HZ = 55;
/** A beat under this fraction of the median beat's energy has no chord. */
const SILENT = 0.01;

export interface ChordSegment {
	/** Seconds. */
	start: number;
	end: number;
	/** Harte label: "C:maj", "A:min", "N" (no chord). */
	label: string;
}

export interface ChromaFrames {
	/** 12 values per frame: pitch-class energy of spectral peaks, 55 Hz to CHROMA_TOP_HZ. */
	chroma: Float32Array;
	/** 12 values per frame: the same for 55–220 Hz. */
	bass: Float32Array;
	/** Frames per second; frame t covers the window centred on t / frameRate + `offset`. */
	frameRate: number;
	offset: number;
	frames: number;
}

/** Chroma of the mix, frame by frame (24 floats a frame: about 1 MB for 10 minutes). */
export function chromaFrames(channels: Float32Array[], sampleRate: number): ChromaFrames {
	const factor = Math.max(1, Math.round(sampleRate / 11025));
	const rate = sampleRate / factor;
	const nFft = 4096;
	const hop = 1024;
	const lo = Math.ceil((CHROMA_LOW_HZ * nFft) / rate);
	const hi = Math.min(nFft / 2 - 1, Math.floor((CHROMA_TOP_HZ * nFft) / rate));
	const bassTop = Math.floor((220 * nFft) / rate);
	const pc = new Int8Array(hi + 1);
	for (let k = lo; k <= hi; k++) {
		const midi = Math.round(69 + 12 * Math.log2((k * rate) / nFft / 440));
		pc[k] = ((midi % 12) + 12) % 12;
	}
	let chroma = new Float32Array(12 * 1024);
	let bass = new Float32Array(12 * 1024);
	const frames = forEachMixFrame(channels, factor, nFft, hop, (mag, t) => {
		if (12 * (t + 1) > chroma.length) {
			const grow = (a: Float32Array) => {
				const b = new Float32Array(a.length * 2);
				b.set(a);
				return b;
			};
			chroma = grow(chroma);
			bass = grow(bass);
		}
		let loudest = 0;
		for (let k = lo; k <= hi; k++) if (mag[k] > loudest) loudest = mag[k];
		const floor = loudest * 1e-3;
		const base = 12 * t;
		for (let k = lo; k <= hi; k++) {
			const m = mag[k];
			if (m <= floor || m <= mag[k - 1] || m < mag[k + 1]) continue;
			chroma[base + pc[k]] += m * m;
			if (k <= bassTop) bass[base + pc[k]] += m * m;
		}
	});
	return { chroma: chroma.subarray(0, 12 * frames), bass: bass.subarray(0, 12 * frames), frameRate: rate / hop, offset: nFft / 2 / rate, frames };
}

/** Triad templates: chord tones with harmonics 1–5 (pitch-class offsets 0, 0, +7, 0, +4, weighted 0.5^(h−1)), unit length. */
const HARMONIC_OFFSETS = [0, 0, 7, 0, 4];
const TEMPLATES: Float64Array[] = (() => {
	const out: Float64Array[] = [];
	for (let mode = 0; mode < 2; mode++)
		for (let root = 0; root < 12; root++) {
			const t = new Float64Array(12);
			for (const note of [0, mode === 0 ? 4 : 3, 7]) HARMONIC_OFFSETS.forEach((off, h) => (t[(root + note + off) % 12] += 0.5 ** h));
			const norm = Math.hypot(...t);
			out.push(t.map((v) => v / norm));
		}
	return out;
})();

/** Harte label of chord index 0..23 (0–11 major on C…B, 12–23 minor), 24 = no chord. */
export function chordLabel(index: number): string {
	if (index < 0 || index >= 24) return 'N';
	return `${NOTE_NAMES[index % 12]}:${index < 12 ? 'maj' : 'min'}`;
}

/** "C", "F♯m", "–" (no chord): a Harte label (maj/min/N) as musicians write it. */
export function chordDisplay(label: string): string {
	if (label === 'N' || label === 'X') return '–';
	const m = /^([A-G][#b]?):(maj|min)/.exec(label);
	if (!m) return label;
	const root = NOTE_NAMES.indexOf(m[1] as (typeof NOTE_NAMES)[number]);
	return `${root >= 0 ? DISPLAY_NAMES[root] : m[1]}${m[2] === 'min' ? 'm' : ''}`;
}

/** Per-beat chroma: frames averaged over [boundaries[i], boundaries[i+1]); energy per beat. */
export function beatChroma(frames: ChromaFrames, boundaries: number[]): { chroma: Float64Array[]; bass: Float64Array[]; energy: Float64Array } {
	const chroma: Float64Array[] = [];
	const bass: Float64Array[] = [];
	const energy = new Float64Array(Math.max(0, boundaries.length - 1));
	for (let i = 0; i + 1 < boundaries.length; i++) {
		const a = Math.max(0, Math.round((boundaries[i] - frames.offset) * frames.frameRate));
		const b = Math.min(frames.frames, Math.max(a + 1, Math.round((boundaries[i + 1] - frames.offset) * frames.frameRate)));
		const c = new Float64Array(12);
		const bs = new Float64Array(12);
		for (let t = a; t < b; t++)
			for (let p = 0; p < 12; p++) {
				c[p] += Math.sqrt(frames.chroma[12 * t + p]);
				bs[p] += Math.sqrt(frames.bass[12 * t + p]);
			}
		energy[i] = c.reduce((x, y) => x + y, 0) / Math.max(1, b - a);
		chroma.push(c);
		bass.push(bs);
	}
	return { chroma, bass, energy };
}

/** Scores 0..1 of the 24 triads and no-chord (index 24) for one beat. */
function beatScores(chroma: Float64Array, bass: Float64Array, silent: boolean, bassWeight: number): Float64Array {
	const s = new Float64Array(25);
	if (silent) {
		s[24] = 1;
		return s;
	}
	const norm = Math.hypot(...chroma);
	const bassTotal = bass.reduce((a, b) => a + b, 0);
	for (let c = 0; c < 24; c++) {
		let dot = 0;
		for (let p = 0; p < 12; p++) dot += TEMPLATES[c][p] * chroma[p];
		const fit = norm > 0 ? dot / norm : 0;
		const root = bassTotal > 0 ? bass[c % 12] / bassTotal : 0;
		s[c] = (fit + bassWeight * root) / (1 + bassWeight);
	}
	// no chord: only for near-silence
	s[24] = 0;
	return s;
}

/**
 * Chord segments over a beat grid (`beats` in seconds, ascending) from chroma frames; the time
 * before the first beat and after the last are segments too, up to `duration`.
 */
export function recognizeChords(
	frames: ChromaFrames,
	beats: number[],
	duration: number,
	{ changePenalty = CHANGE_PENALTY, bassWeight = BASS_WEIGHT } = {}
): ChordSegment[] {
	if (duration <= 0) return [];
	const boundaries = [0, ...extendGrid(beats, duration).filter((t) => t > 0.05 && t < duration - 0.05), duration];
	const { chroma, bass, energy } = beatChroma(frames, boundaries);
	const sortedEnergy = Float64Array.from(energy).sort();
	const median = sortedEnergy[Math.floor(sortedEnergy.length / 2)] ?? 0;
	const scores = chroma.map((c, i) => beatScores(c, bass[i], !(energy[i] > SILENT * median), bassWeight));
	const path = viterbi(scores, changePenalty);
	const out: ChordSegment[] = [];
	path.forEach((state, i) => {
		const label = chordLabel(state);
		const [start, end] = [boundaries[i], boundaries[i + 1]];
		const last = out[out.length - 1];
		if (last && last.label === label) last.end = end;
		else out.push({ start, end, label });
	});
	return out.map((s) => ({ start: round3(s.start), end: round3(s.end), label: s.label }));
}

/**
 * The beats, continued at the median beat period before the first and after the last (an intro
 * or ending without a pulse still changes chords, or falls silent, at some time).
 */
function extendGrid(beats: number[], duration: number): number[] {
	if (beats.length < 2) return beats;
	const gaps = beats.slice(1).map((t, i) => t - beats[i]).sort((a, b) => a - b);
	const period = gaps[Math.floor(gaps.length / 2)];
	if (!(period > 0.1)) return beats;
	const before: number[] = [];
	for (let t = beats[0] - period; t > 0; t -= period) before.unshift(t);
	const after: number[] = [];
	for (let t = beats[beats.length - 1] + period; t < duration; t += period) after.push(t);
	return [...before, ...beats, ...after];
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** The state sequence maximising Σ score − penalty × changes. */
function viterbi(scores: Float64Array[], penalty: number): number[] {
	const n = scores.length;
	if (n === 0) return [];
	const states = scores[0].length;
	const back: Int8Array[] = [];
	let prev = Float64Array.from(scores[0]);
	for (let i = 1; i < n; i++) {
		let bestPrev = 0;
		for (let s = 1; s < states; s++) if (prev[s] > prev[bestPrev]) bestPrev = s;
		const cur = new Float64Array(states);
		const from = new Int8Array(states);
		for (let s = 0; s < states; s++) {
			const stay = prev[s];
			const change = prev[bestPrev] - penalty;
			[cur[s], from[s]] = stay >= change ? [stay, s] : [change, bestPrev];
			cur[s] += scores[i][s];
		}
		back.push(from);
		prev = cur;
	}
	let state = 0;
	for (let s = 1; s < states; s++) if (prev[s] > prev[state]) state = s;
	const path = new Array<number>(n);
	path[n - 1] = state;
	for (let i = n - 1; i > 0; i--) {
		state = back[i - 1][state];
		path[i - 1] = state;
	}
	return path;
}

/**
 * How much the harmony changes on every beat (1 − cosine of consecutive beats' chroma, 0 for the
 * first): evidence for downbeats (beats.ts's barPhase), as chords change on bar lines.
 */
export function chromaChange(frames: ChromaFrames, beats: number[], duration: number): Float64Array {
	if (beats.length === 0) return new Float64Array(0);
	const boundaries = [...beats, beats.length > 1 ? Math.min(duration, 2 * beats[beats.length - 1] - beats[beats.length - 2]) : duration];
	const { chroma } = beatChroma(frames, boundaries);
	const out = new Float64Array(beats.length);
	for (let i = 1; i < chroma.length; i++) {
		const a = chroma[i - 1];
		const b = chroma[i];
		let dot = 0;
		for (let p = 0; p < 12; p++) dot += a[p] * b[p];
		const den = Math.hypot(...a) * Math.hypot(...b);
		out[i] = den > 0 ? 1 - dot / den : 0;
	}
	return out;
}

/** "start end label" lines (seconds to the millisecond), the .lab format of MIREX and most chord tools. */
export function chordsLab(segments: ChordSegment[]): string {
	return segments.map((s) => `${s.start.toFixed(3)}\t${s.end.toFixed(3)}\t${s.label}`).join('\n') + (segments.length ? '\n' : '');
}

/** Parses a Harte label's root and maj/min quality; null for N, X and other qualities. */
function majmin(label: string): { root: number; minor: boolean } | null {
	const m = /^([A-G])([#b]*):?([a-z0-9]*)/.exec(label);
	if (!m || label === 'N' || label === 'X') return null;
	let root = 'C D EF G A B'.indexOf(m[1]);
	for (const a of m[2]) root += a === '#' ? 1 : -1;
	const q = m[3] || 'maj';
	if (q === 'maj' || q === 'maj7' || q === '7') return { root: ((root % 12) + 12) % 12, minor: false };
	if (q === 'min' || q === 'min7') return { root: ((root % 12) + 12) % 12, minor: true };
	return null;
}

/**
 * MIREX major/minor weighted overlap of one song: seconds where the estimate matches the
 * reference (root and major/minor, or both no-chord) and seconds of reference evaluated (chords
 * outside major/minor, such as diminished triads, are left out, as mir_eval's majmin does).
 */
export function chordOverlap(estimate: ChordSegment[], reference: { start: number; end: number; label: string }[]): { correct: number; total: number } {
	let correct = 0;
	let total = 0;
	for (const r of reference) {
		const ref = majmin(r.label);
		const refNone = r.label === 'N';
		if (!ref && !refNone) continue;
		total += r.end - r.start;
		for (const e of estimate) {
			const overlap = Math.min(r.end, e.end) - Math.max(r.start, e.start);
			if (overlap <= 0) continue;
			const est = majmin(e.label);
			if (refNone ? e.label === 'N' : est !== null && est.root === ref!.root && est.minor === ref!.minor) correct += overlap;
		}
	}
	return { correct, total };
}
