/** What the fuzzer needs of a parser: how to run it, its clean error, valid seeds, generators. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from '../rng';

export interface FuzzTarget {
	name: string;
	/** Runs the reader to completion on the input (every sample decoded, every tensor read). */
	run(bytes: Uint8Array): Promise<unknown>;
	/** True for the parser's own clear error (a message for the user), false for anything else. */
	isClean(e: unknown): boolean;
	/** Valid inputs the mutations start from (the reader accepts each). */
	seeds(): Uint8Array[];
	/** Structure-aware generators: inputs built from the format's structure (nesting depth, size fields, checksums made valid). */
	generators: Record<string, (rng: Rng, seeds: readonly Uint8Array[]) => Uint8Array>;
}

/** A file of tests/fixtures (from the repository root: npm scripts and vitest run there). */
export function fixture(path: string): Uint8Array {
	return new Uint8Array(readFileSync(join(process.cwd(), 'tests/fixtures', path)));
}

/**
 * Runs every step (so one failing step does not hide another) and throws the first unclean
 * error, else the first clean one.
 */
export async function runAll(steps: (() => unknown)[], isClean: (e: unknown) => boolean): Promise<void> {
	const errors: unknown[] = [];
	for (const step of steps) {
		try {
			await step();
		} catch (e) {
			errors.push(e);
		}
	}
	const unclean = errors.find((e) => !isClean(e));
	if (unclean !== undefined) throw unclean;
	if (errors.length) throw errors[0];
}
