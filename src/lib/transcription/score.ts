/**
 * Note-level precision, recall and F-measure as mir_eval.transcription computes them with
 * offsets ignored (offset_ratio=None): a reference and an estimated note match when their onsets
 * are within `onsetTolerance` seconds and their pitches within `pitchTolerance` cents; the number
 * of matches is a maximum bipartite matching (each note matches at most one other). Pure.
 */
export interface ScoredNote {
	onset: number;
	/** MIDI note number (fractional allowed). */
	midi: number;
}

export interface NoteScore {
	precision: number;
	recall: number;
	f: number;
	matched: number;
	reference: number;
	estimated: number;
}

export function noteScore(reference: ScoredNote[], estimated: ScoredNote[], onsetTolerance = 0.05, pitchTolerance = 50): NoteScore {
	// candidate pairs (mir_eval rounds onset distances to 4 decimals before comparing)
	const edges: number[][] = reference.map((r) => {
		const out: number[] = [];
		estimated.forEach((e, j) => {
			const dt = Math.round(Math.abs(r.onset - e.onset) * 1e4) / 1e4;
			if (dt <= onsetTolerance && Math.abs(r.midi - e.midi) * 100 <= pitchTolerance + 1e-9) out.push(j);
		});
		return out;
	});
	const matched = maxMatching(edges, estimated.length);
	const precision = estimated.length ? matched / estimated.length : 0;
	const recall = reference.length ? matched / reference.length : 0;
	const f = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
	return { precision, recall, f, matched, reference: reference.length, estimated: estimated.length };
}

/** Size of a maximum matching of a bipartite graph (left i -> right edges[i]), by augmenting paths. */
export function maxMatching(edges: number[][], right: number): number {
	const owner = new Int32Array(right).fill(-1);
	let count = 0;
	for (let i = 0; i < edges.length; i++) {
		const seen = new Uint8Array(right);
		const augment = (u: number): boolean => {
			for (const v of edges[u]) {
				if (seen[v]) continue;
				seen[v] = 1;
				if (owner[v] < 0 || augment(owner[v])) {
					owner[v] = u;
					return true;
				}
			}
			return false;
		};
		if (augment(i)) count++;
	}
	return count;
}

/** Scores summed over songs: the F-measure of all matches (micro) and the mean of the songs' F (macro, mir_eval's usual report). */
export function pooled(scores: NoteScore[]): { micro: NoteScore; meanF: number } {
	const matched = scores.reduce((a, s) => a + s.matched, 0);
	const reference = scores.reduce((a, s) => a + s.reference, 0);
	const estimated = scores.reduce((a, s) => a + s.estimated, 0);
	const precision = estimated ? matched / estimated : 0;
	const recall = reference ? matched / reference : 0;
	const f = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
	return { micro: { precision, recall, f, matched, reference, estimated }, meanF: scores.length ? scores.reduce((a, s) => a + s.f, 0) / scores.length : 0 };
}
