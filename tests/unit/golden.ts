import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface GoldenArray {
	shape: number[];
	data: Float32Array;
}

/** Reads tests/golden/NAME.json written by tools/stemsafe_tools/golden.py. */
export function loadGolden(name: string): Record<string, unknown> & { arrays: Record<string, GoldenArray> } {
	const path = fileURLToPath(new URL(`../golden/${name}.json`, import.meta.url));
	const doc = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
	const arrays: Record<string, GoldenArray> = {};
	for (const [key, value] of Object.entries(doc)) {
		if (value && typeof value === 'object' && 'f32' in value) {
			const v = value as { shape: number[]; f32: string };
			const bytes = Buffer.from(v.f32, 'base64');
			const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
			arrays[key] = { shape: v.shape, data };
		}
	}
	return { ...doc, arrays };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
	if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
	let m = 0;
	for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
	return m;
}
