/**
 * Musical key (24 major/minor keys) in two steps, from pitch-class profiles of the mono mix
 * (decimated to about 11 kHz; 8192-point spectra, about 1.4 Hz resolution; only spectral peaks,
 * so noise and drums add little):
 * 1. the scale: the diatonic collection (one of 12 rotations of the major scale's seven pitch
 *    classes, overtones included) that best correlates with the song's profile between 110 Hz
 *    and 2 kHz (above the bass's lowest octave, whose fundamentals and overtones otherwise pull
 *    the match a fifth off);
 * 2. the tonic: a diatonic collection is both a major key and its relative minor (C major and
 *    A minor share their notes), told apart by three votes, each how much more one tonic is
 *    sounded than the other:
 *    - the bass (55–220 Hz) over the whole song, since bass lines dwell on chord roots and the
 *      tonic chord most of all;
 *    - at half that weight, the bass in its first second (after any silence or intro without
 *      bass): songs mostly open on their tonic chord;
 *    - at half that weight, the chords: how many frames sound the major tonic's triad (C E G)
 *      against the minor tonic's (A C E) most, of the 24 major and minor triads.
 *    The opening and the chords settle songs whose bass leans little either way over the whole
 *    song (Am F C G against C G Am F), not songs that clearly dwell on one tonic.
 * Chosen on labelled development songs against Krumhansl–Schmuckler profile matching (Temperley
 * and five other published profiles, with and without bass terms), the opening's length and
 * weight, the chords' weight and the collection's range too: see the README for the figures on
 * held-out songs. Pure; runs on any sample rate.
 */
import { forEachMixFrame } from './frames';

export const PITCH_CLASSES = ['C', 'C♯', 'D', 'E♭', 'E', 'F', 'F♯', 'G', 'A♭', 'A', 'B♭', 'B'] as const;
/**
 * What the pitch-class profile of the major scale's seven notes looks like with their overtones:
 * harmonics 1–5 (pitch-class offsets 0, 0, +7, 0, +4) weighted 0.5^(h−1), as in Gómez's harmonic
 * key templates. Harmonics put a fifth and a third above every note; without them in the
 * template, a scale's overtones (B's fifth is F♯) pull the match a fifth up.
 */
const HARMONIC_OFFSETS = [0, 0, 7, 0, 4];
const DIATONIC: number[] = (() => {
	const t = new Array<number>(12).fill(0);
	for (const note of [0, 2, 4, 5, 7, 9, 11]) HARMONIC_OFFSETS.forEach((off, h) => (t[(note + off) % 12] += 0.5 ** h));
	return t;
})();
const BASS_TOP_HZ = 220;
/** The collection is read from A2 (110 Hz) up. */
const COLLECTION_LOW_MIDI = 45;
/** The opening: this long from the first frame whose bass reaches OPENING_LEVEL x the median frame's. */
const OPENING_SECONDS = 1;
const OPENING_LEVEL = 0.3;
/** Weight of the opening's tonic vote against the whole song's (chosen on development songs; README). */
export const OPENING_WEIGHT = 0.5;
/** Weight of the chords' tonic vote against the whole song's bass (chosen on development songs; README). */
export const CHORD_WEIGHT = 0.5;
/**
 * Below this margin of the major/minor vote the relative key is named too. On development songs
 * that was 33 of 488: the first choice was right for 21 of them, the relative key for 8 (24 %),
 * against 76 of the other 455 (17 %) for the relative key (`npm run eval:analysis` prints both).
 */
export const CLOSE_VOTE = 0.1;

export interface KeyEstimate {
	/** Pitch class of the tonic, 0 = C. */
	tonic: number;
	mode: 'major' | 'minor';
	/** e.g. "A minor". */
	name: string;
	/** Correlation of the song's profile with the winning diatonic collection (−1..1). */
	strength: number;
	/** The relative key (same notes, other tonic) when the vote between the two was too close to call (CLOSE_VOTE). */
	alternative: { tonic: number; mode: 'major' | 'minor'; name: string } | null;
}

export interface KeyProfiles {
	/**
	 * Pitch-class profile of spectral peaks between 110 Hz and 2 kHz: per frame, each pitch
	 * class's peak magnitude (the square root of its peaks' energy), normalised to sum 1; summed
	 * over frames.
	 */
	full: Float64Array;
	/** Pitch-class profile of spectral peaks in the bass register, 55–220 Hz: per frame normalised and log-compressed, summed over frames. */
	bass: Float64Array;
	/** The bass register's profile over the song's first second of bass (see OPENING_SECONDS). */
	opening: Float64Array;
	/**
	 * Frames whose strongest triad (the most peak energy between 55 Hz and 2 kHz on its three
	 * pitch classes) is each of the 24: 0–11 the major triads on C…B, 12–23 the minor ones.
	 */
	chords: Float64Array;
}

/** Index of a triad in KeyProfiles.chords. */
export const triadIndex = (root: number, mode: 'major' | 'minor') => (mode === 'minor' ? 12 : 0) + root;

/**
 * Per frame, the energy of spectral peaks (local maxima within 60 dB of the frame's largest) is
 * folded onto the 12 pitch classes and normalised, so that one loud sustained note does not
 * dominate the song: the bass register's log-compressed, the collection's range as magnitudes.
 * The bass register's per-frame terms are kept (52 bytes a frame, about 1 MB an hour) to find the
 * opening once the whole song is read.
 */
export function keyProfiles(channels: Float32Array[], sampleRate: number): KeyProfiles {
	const factor = Math.max(1, Math.round(sampleRate / 11025));
	const rate = sampleRate / factor;
	const nFft = 8192;
	const hop = 2048;
	const full = new Float64Array(12);
	const bass = new Float64Array(12);
	const chords = new Float64Array(24);
	const frameAll = new Float64Array(12);
	const frameHigh = new Float64Array(12);
	const frameBass = new Float64Array(12);
	const bassFrames = new GrowingFloats(12);
	const bassEnergy = new GrowingFloats(1);
	const lo = Math.ceil((55 * nFft) / rate);
	const hi = Math.min(nFft / 2 - 1, Math.floor((2000 * nFft) / rate));
	const bassTop = Math.floor((BASS_TOP_HZ * nFft) / rate);
	const pc = new Int8Array(hi + 1);
	let collectionLow = hi + 1;
	for (let k = hi; k >= lo; k--) {
		const midi = Math.round(69 + 12 * Math.log2((k * rate) / nFft / 440));
		pc[k] = ((midi % 12) + 12) % 12;
		if (midi >= COLLECTION_LOW_MIDI) collectionLow = k;
	}
	/** Adds the frame's normalised, log-compressed profile to `song` and writes it to `kept`; returns the frame's energy. */
	const accumulate = (song: Float64Array, frame: Float64Array, kept: Float32Array) => {
		const total = frame.reduce((a, b) => a + b, 0);
		if (total > 0)
			for (let p = 0; p < 12; p++) {
				kept[p] = Math.log1p((100 * frame[p]) / total);
				song[p] += kept[p];
			}
		return total;
	};
	forEachMixFrame(channels, factor, nFft, hop, (mag) => {
		frameAll.fill(0);
		frameHigh.fill(0);
		frameBass.fill(0);
		let loudest = 0;
		for (let k = lo; k <= hi; k++) if (mag[k] > loudest) loudest = mag[k];
		const floor = loudest * 1e-3;
		for (let k = lo; k <= hi; k++) {
			const m = mag[k];
			if (m <= floor || m <= mag[k - 1] || m < mag[k + 1]) continue;
			frameAll[pc[k]] += m * m;
			if (k >= collectionLow) frameHigh[pc[k]] += m * m;
			if (k <= bassTop) frameBass[pc[k]] += m * m;
		}
		addMagnitudes(full, frameHigh);
		const chord = strongestTriad(frameAll);
		if (chord >= 0) chords[chord]++;
		bassEnergy.push()[0] = accumulate(bass, frameBass, bassFrames.push());
	});
	const opening = openingProfile(bassFrames.view(), bassEnergy.view(), Math.max(1, Math.round((OPENING_SECONDS * rate) / hop)));
	return { full, bass, opening, chords };
}

/** Adds the frame's pitch-class magnitudes (square roots of its energies), normalised to sum 1, to `song`. */
function addMagnitudes(song: Float64Array, frame: Float64Array): void {
	let total = 0;
	for (let p = 0; p < 12; p++) total += Math.sqrt(frame[p]);
	if (total > 0) for (let p = 0; p < 12; p++) song[p] += Math.sqrt(frame[p]) / total;
}

/**
 * The triad (triadIndex) with the most energy on its three pitch classes, −1 for a silent frame:
 * the same as the best correlation with 24 zero-mean triad templates, since every template has
 * three notes.
 */
function strongestTriad(frame: Float64Array): number {
	let best = -1;
	let most = 0;
	for (let mode = 0; mode < 2; mode++)
		for (let root = 0; root < 12; root++) {
			const e = frame[root] + frame[(root + 4 - mode) % 12] + frame[(root + 7) % 12];
			if (e > most) [best, most] = [12 * mode + root, e];
		}
	return best;
}

/** Sum of the per-frame bass terms over `length` frames from the first frame that reaches OPENING_LEVEL x the median frame's energy. */
function openingProfile(frames: Float32Array, energy: Float32Array, length: number): Float64Array {
	const opening = new Float64Array(12);
	if (energy.length === 0) return opening;
	const median = Float32Array.from(energy).sort()[Math.floor(energy.length / 2)];
	const start = Math.max(0, energy.findIndex((e) => e >= OPENING_LEVEL * median));
	for (let t = start; t < Math.min(energy.length, start + length); t++)
		for (let p = 0; p < 12; p++) opening[p] += frames[t * 12 + p];
	return opening;
}

/** Float32 records of `width` values appended one at a time (capacity doubles). */
class GrowingFloats {
	private data = new Float32Array(0);
	private count = 0;
	constructor(private readonly width: number) {}
	/** A zeroed record at the end. */
	push(): Float32Array {
		if ((this.count + 1) * this.width > this.data.length) {
			const bigger = new Float32Array(Math.max(64, this.data.length * 2));
			bigger.set(this.data);
			this.data = bigger;
		}
		const start = this.count * this.width;
		this.count++;
		return this.data.subarray(start, start + this.width);
	}
	view(): Float32Array {
		return this.data.subarray(0, this.count * this.width);
	}
}

function correlate(a: ArrayLike<number>, b: ArrayLike<number>): number {
	const n = a.length;
	let ma = 0;
	let mb = 0;
	for (let i = 0; i < n; i++) {
		ma += a[i] / n;
		mb += b[i] / n;
	}
	let sab = 0;
	let saa = 0;
	let sbb = 0;
	for (let i = 0; i < n; i++) {
		sab += (a[i] - ma) * (b[i] - mb);
		saa += (a[i] - ma) ** 2;
		sbb += (b[i] - mb) ** 2;
	}
	return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/**
 * Step 1 and 2 above; null when the profile has no tonal shape (silence, noise, a flat profile).
 * A weight of 0 leaves that vote out (`npm run eval:analysis` prints the method without each).
 */
export function keyFromProfiles(
	{ full, bass, opening, chords }: KeyProfiles,
	{ openingWeight = OPENING_WEIGHT, chordWeight = CHORD_WEIGHT } = {}
): KeyEstimate | null {
	let collection = -1;
	let strength = 0;
	for (let c = 0; c < 12; c++) {
		const r = correlate(full, Array.from({ length: 12 }, (_, p) => DIATONIC[(p - c + 12) % 12]));
		if (r > strength) [collection, strength] = [c, r];
	}
	if (collection < 0) return null;
	const majorTonic = collection;
	const minorTonic = (collection + 9) % 12;
	// how much more the minor tonic is sounded than the major one, −1..1
	const leaning = (minor: number, major: number) => (minor + major > 0 ? (minor - major) / (minor + major) : 0);
	const tonics = (v: ArrayLike<number>) => leaning(v[minorTonic], v[majorTonic]);
	// without a bass register (a solo flute, say), the whole profile stands in for the bass
	const bassTotal = bass.reduce((a, b) => a + b, 0);
	const vote =
		(bassTotal > 0 ? tonics(bass) + openingWeight * tonics(opening) : tonics(full)) +
		chordWeight * leaning(chords[triadIndex(minorTonic, 'minor')], chords[triadIndex(majorTonic, 'major')]);
	const named = (tonic: number, mode: 'major' | 'minor') => ({ tonic, mode, name: `${PITCH_CLASSES[tonic]} ${mode}` });
	const minor = named(minorTonic, 'minor');
	const major = named(majorTonic, 'major');
	const [key, other] = vote > 0 ? [minor, major] : [major, minor];
	return { ...key, strength, alternative: Math.abs(vote) < CLOSE_VOTE ? other : null };
}

export function estimateKey(channels: Float32Array[], sampleRate: number): KeyEstimate | null {
	return keyFromProfiles(keyProfiles(channels, sampleRate));
}

/** MIREX key score: 1 exact, 0.5 fifth (same mode, tonic a fifth up or down), 0.3 relative, 0.2 parallel, else 0. */
export function mirexKeyScore(estimate: { tonic: number; mode: string }, truth: { tonic: number; mode: string }): number {
	const d = (estimate.tonic - truth.tonic + 12) % 12;
	if (estimate.mode === truth.mode) {
		if (d === 0) return 1;
		if (d === 7) return 0.5; // the estimate a perfect fifth above the reference (mir_eval's rule)
		return 0;
	}
	if (d === 0) return 0.2;
	// relative: C major <-> A minor
	if (truth.mode === 'major' && estimate.mode === 'minor' && d === 9) return 0.3;
	if (truth.mode === 'minor' && estimate.mode === 'major' && d === 3) return 0.3;
	return 0;
}
