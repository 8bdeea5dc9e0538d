/**
 * The key in Camelot wheel notation (DJs' and producers' shorthand for harmonic mixing): 1–12
 * around the circle of fifths, A for minor and B for major, a key and its relative sharing the
 * number (8B = C major, 8A = A minor; 9B = G major, one fifth up).
 */
export function camelotCode(tonic: number, mode: 'major' | 'minor'): string {
	const major = mode === 'major' ? tonic : tonic + 3; // a minor key is read at its relative major
	const fifths = (((7 * major) % 12) + 12) % 12; // steps from C around the circle of fifths
	return `${((fifths + 7) % 12) + 1}${mode === 'major' ? 'B' : 'A'}`;
}
