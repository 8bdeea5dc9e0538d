/**
 * Deterministic pseudo-random checkpoints: the formula of tools/stemsafe_tools/hash_weights.py,
 * bit for bit, so tests and the bench rebuild 100-230M-parameter models instead of storing them.
 * Each TensorEntry computes its values only when read (like a checkpoint reader reading a file).
 */
import type { TensorEntry, TensorMap } from '../../src/lib/models/types';

function fnv1a32(name: string): number {
	let h = 0x811c9dc5;
	for (const b of new TextEncoder().encode(name)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
	return h;
}

/** 2u - 1 in [-1, 1) for elements 0..count-1 of tensor `name` (as float64 values). */
export function hashUniform(name: string, count: number, each: (i: number, v: number) => void): void {
	const h = fnv1a32(name);
	for (let i = 0; i < count; i++) {
		let x = (h + Math.imul(i, 0x9e3779b9)) >>> 0;
		x ^= x >>> 16;
		x = Math.imul(x, 0x85ebca6b) >>> 0;
		x ^= x >>> 13;
		x = Math.imul(x, 0xc2b2ae35) >>> 0;
		x ^= x >>> 16;
		each(i, 2 * ((x >>> 8) / 16777216) - 1);
	}
}

export function hashFloat32(name: string, count: number, scale = 1, offset = 0): Float32Array {
	const out = new Float32Array(count);
	hashUniform(name, count, (i, v) => (out[i] = offset + scale * v));
	return out;
}

export function tensorValues(name: string, shape: number[]): Float32Array {
	const count = shape.reduce((a, b) => a * b, 1);
	if (name.endsWith('.freqs')) {
		const d = 2 * count;
		return Float32Array.from({ length: count }, (_, j) => 1 / Math.pow(10000, (2 * j) / d));
	}
	if (name.endsWith('.gamma')) return hashFloat32(name, count, 0.2, 1);
	if (name.endsWith('.weight') && shape.length === 2) return hashFloat32(name, count, 1 / Math.sqrt(shape[1]));
	return hashFloat32(name, count, 0.1);
}

/** A TensorMap of hash weights for `shapes` (expectedShapes(config)); values are computed on each read. */
export function hashCheckpoint(shapes: Map<string, number[]>): TensorMap {
	const map: TensorMap = new Map();
	for (const [name, shape] of shapes) {
		const entry: TensorEntry = { name, dtype: 'float32', shape, read: async () => tensorValues(name, shape) };
		map.set(name, entry);
	}
	return map;
}
