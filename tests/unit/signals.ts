/** Deterministic test signals. */
export function sine(freq: number, rate: number, length: number, amp = 0.5, phase = 0): Float32Array {
	const x = new Float32Array(length);
	for (let i = 0; i < length; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate + phase);
	return x;
}

/** xorshift32 noise in [-amp, amp). */
export function noise(length: number, seed = 1, amp = 0.5): Float32Array {
	let s = seed >>> 0 || 1;
	const x = new Float32Array(length);
	for (let i = 0; i < length; i++) {
		s ^= s << 13;
		s >>>= 0;
		s ^= s >>> 17;
		s ^= s << 5;
		s >>>= 0;
		x[i] = amp * (s / 2 ** 31 - 1);
	}
	return x;
}

/** Deterministic bytes (an LCG's top byte), so failures reproduce. */
export function randomBytes(n: number, seed = 1): Uint8Array {
	const out = new Uint8Array(n);
	let x = seed;
	for (let i = 0; i < n; i++) {
		x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

export function rmsDb(x: ArrayLike<number>): number {
	let e = 0;
	for (let i = 0; i < x.length; i++) e += x[i] * x[i];
	return 10 * Math.log10(e / x.length + 1e-30);
}

export function diff(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
	const d = new Float32Array(a.length);
	for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
	return d;
}

/** Sample indices where a signal starts sounding (|x| > floor) after at least `gap` seconds of silence: a click track's onsets. */
export function soundStarts(x: Float32Array, rate: number, { gap = 0.05, floor = 1e-6 } = {}): number[] {
	const out: number[] = [];
	let quiet = Infinity;
	for (let i = 0; i < x.length; i++) {
		if (Math.abs(x[i]) > floor) {
			if (quiet >= gap * rate) out.push(i);
			quiet = 0;
		} else quiet++;
	}
	return out;
}

/** A decaying tone (`freq` Hz, amplitude `amp`, time constant `decay` s) from sample `onset` on, silence before: an attack to line up. */
export function toneBurst(length: number, onset: number, freq: number, rate: number, amp = 0.6, decay = 0.2): Float32Array {
	const x = new Float32Array(length);
	for (let i = onset; i < length; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * (i - onset)) / rate) * Math.exp(-(i - onset) / (decay * rate));
	return x;
}

/**
 * Where the short-term level (sum of squares over ±32 samples) first reaches a quarter of its
 * maximum: an onset that a codec's pre-echo (a few per cent of the attack) does not move.
 */
export function levelOnset(x: Float32Array): number {
	const sq = new Float64Array(x.length + 1);
	for (let i = 0; i < x.length; i++) sq[i + 1] = sq[i] + x[i] * x[i];
	const level = (i: number) => sq[Math.min(x.length, i + 33)] - sq[Math.max(0, i - 32)];
	let max = 0;
	for (let i = 0; i < x.length; i++) max = Math.max(max, level(i));
	for (let i = 0; i < x.length; i++) if (level(i) >= max / 4) return i;
	return -1;
}
