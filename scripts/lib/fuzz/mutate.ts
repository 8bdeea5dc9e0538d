/**
 * Byte-level mutations: bit flips, interesting bytes, insertions, deletions, duplicated ranges,
 * splices with another seed, truncation and length-field rewrites (16/32/64-bit, either byte
 * order, biased towards the places that already hold a plausible size). Pure functions of the
 * input and the Rng; they never change their input.
 */
import type { Rng } from './rng';

/** Inputs are kept below this, so one input stays cheap. */
export const MAX_INPUT_BYTES = 1 << 20;

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0x20, 0x0a, 0x5b, 0x28];

/** Values that break size arithmetic: zero, one, sign boundaries, all ones, near the input length. */
export function interestingValues(width: 2 | 4 | 8, length: number, current: number): number[] {
	const max = width === 8 ? 2 ** 53 - 1 : 2 ** (8 * width) - 1;
	const values = [0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, length, length - 1, length + 1, current + 1, current - 1, current * 2, current + length];
	if (width >= 4) values.push(0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0, 2 ** 24, 2 ** 28);
	if (width === 8) values.push(2 ** 32, 2 ** 36 - 1, 2 ** 40, 2 ** 53 - 1);
	return values.filter((v) => Number.isInteger(v) && v >= 0 && v <= max);
}

function readUint(bytes: Uint8Array, at: number, width: number, little: boolean): number {
	let v = 0;
	for (let i = 0; i < width; i++) v = v * 256 + bytes[at + (little ? width - 1 - i : i)];
	return v;
}

export function writeUint(bytes: Uint8Array, at: number, width: number, little: boolean, value: number): void {
	let v = value;
	for (let i = 0; i < width; i++) {
		const b = v % 256;
		v = Math.floor(v / 256);
		bytes[at + (little ? i : width - 1 - i)] = b;
	}
}

/** Offsets where a 32-bit field (either order) holds a value between 1 and the input length: likely sizes. */
export function plausibleSizeFields(bytes: Uint8Array): { at: number; little: boolean }[] {
	const out: { at: number; little: boolean }[] = [];
	for (let at = 0; at + 4 <= Math.min(bytes.length, 1 << 18) && out.length < 4096; at++) {
		for (const little of [true, false]) {
			const v = readUint(bytes, at, 4, little);
			if (v >= 1 && v <= bytes.length && v !== 0x01010101) out.push({ at, little });
		}
	}
	return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let o = 0;
	for (const p of parts) (out.set(p, o), (o += p.length));
	return out;
}

export type Mutator = (input: Uint8Array, rng: Rng, others: readonly Uint8Array[]) => Uint8Array;

export const MUTATORS: Record<string, Mutator> = {
	bitflip(input, rng) {
		const out = input.slice();
		if (out.length === 0) return out;
		for (let n = rng.range(1, 4); n > 0; n--) out[rng.int(out.length)] ^= 1 << rng.int(8);
		return out;
	},
	byte(input, rng) {
		const out = input.slice();
		if (out.length === 0) return out;
		for (let n = rng.range(1, 3); n > 0; n--) out[rng.int(out.length)] = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : rng.int(256);
		return out;
	},
	insert(input, rng) {
		const at = rng.int(input.length + 1);
		const n = rng.size(256) + 1;
		const fill = rng.chance(0.5) ? rng.pick(INTERESTING_BYTES) : -1;
		const bytes = Uint8Array.from({ length: n }, () => (fill >= 0 ? fill : rng.int(256)));
		return concat(input.subarray(0, at), bytes, input.subarray(at));
	},
	delete(input, rng) {
		if (input.length === 0) return input.slice();
		const at = rng.int(input.length);
		const n = Math.min(input.length - at, rng.size(512) + 1);
		return concat(input.subarray(0, at), input.subarray(at + n));
	},
	duplicate(input, rng) {
		if (input.length === 0) return input.slice();
		const from = rng.int(input.length);
		const n = Math.min(input.length - from, rng.size(1024) + 1);
		const at = rng.int(input.length + 1);
		const copies = rng.chance(0.2) ? rng.range(2, 64) : 1;
		const chunk = input.subarray(from, from + n);
		return concat(input.subarray(0, at), ...Array<Uint8Array>(copies).fill(chunk), input.subarray(at));
	},
	splice(input, rng, others) {
		const other = others.length ? rng.pick(others) : input;
		const cut = rng.int(input.length + 1);
		const from = rng.int(other.length + 1);
		return concat(input.subarray(0, cut), other.subarray(from));
	},
	truncate(input, rng) {
		return input.slice(0, rng.chance(0.5) ? rng.int(input.length + 1) : Math.max(0, input.length - rng.size(64) - 1));
	},
	lengthField(input, rng) {
		const out = input.slice();
		const width = rng.pick([2, 4, 4, 4, 8] as const);
		if (out.length < width) return out;
		let at: number;
		let little: boolean;
		const sizes = rng.chance(0.6) ? plausibleSizeFields(input) : [];
		if (sizes.length && width === 4) ({ at, little } = rng.pick(sizes));
		else (at = rng.int(out.length - width + 1)), (little = rng.chance(0.5));
		const current = readUint(out, at, width, little);
		const value = rng.chance(0.85) ? rng.pick(interestingValues(width, input.length, current)) : rng.int(2 ** Math.min(32, 8 * width));
		writeUint(out, at, width, little, value);
		return out;
	}
};

export const MUTATOR_NAMES = Object.keys(MUTATORS);

/** 1–6 stacked mutations of `input`; the names of those applied are returned for the report. */
export function mutate(input: Uint8Array, rng: Rng, others: readonly Uint8Array[]): { bytes: Uint8Array; ops: string[] } {
	let bytes = input;
	const ops: string[] = [];
	for (let n = rng.chance(0.5) ? 1 : rng.range(2, 6); n > 0; n--) {
		const name = rng.pick(MUTATOR_NAMES);
		bytes = MUTATORS[name](bytes, rng, others);
		if (bytes.length > MAX_INPUT_BYTES) bytes = bytes.slice(0, MAX_INPUT_BYTES);
		ops.push(name);
	}
	return { bytes, ops };
}
