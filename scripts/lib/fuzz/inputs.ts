/**
 * The inputs of a run and how their outcomes are judged. Input `index` of a parser is a pure
 * function of (run seed, parser, index): the first inputs are the seeds themselves, then a
 * quarter come from the parser's structure-aware generators (some mutated further) and the rest
 * are stacked byte mutations of a seed.
 */
import { MAX_INPUT_BYTES, mutate } from './mutate';
import { inputSeed, Rng } from './rng';
import type { FuzzTarget } from './targets/target';

export interface FuzzInput {
	parser: string;
	index: number;
	bytes: Uint8Array;
	/** How it was made, e.g. "seed 3", "generator nesting", "seed 1: bitflip, truncate". */
	how: string;
}

export function makeInput(target: FuzzTarget, seeds: readonly Uint8Array[], runSeed: number, index: number): FuzzInput {
	const parser = target.name;
	if (index < seeds.length) return { parser, index, bytes: seeds[index], how: `seed ${index}` };
	const rng = new Rng(inputSeed(runSeed, parser, index));
	const generators = Object.keys(target.generators);
	if (generators.length && rng.chance(0.25)) {
		const name = rng.pick(generators);
		let bytes = target.generators[name](rng, seeds);
		let how = `generator ${name}`;
		if (rng.chance(0.2)) {
			const m = mutate(bytes, rng, seeds);
			bytes = m.bytes;
			how += `, then ${m.ops.join(', ')}`;
		}
		return { parser, index, bytes: bytes.length > MAX_INPUT_BYTES ? bytes.slice(0, MAX_INPUT_BYTES) : bytes, how };
	}
	const from = rng.int(seeds.length);
	const m = mutate(seeds[from], rng, seeds);
	return { parser, index, bytes: m.bytes, how: `seed ${from}: ${m.ops.join(', ')}` };
}

/**
 * What one input did. `ok`: accepted. `clean`: refused with the parser's own error. The rest are
 * failures: `unclean` (any other exception: RangeError, TypeError, a stack overflow…), `timeout`,
 * `memory` (an allocation or live buffers over the limit, or the JS heap limit), `crash` (the
 * worker died otherwise).
 */
export type Outcome =
	| { kind: 'ok' }
	| { kind: 'clean'; message: string }
	| { kind: 'unclean'; name: string; message: string; stack: string }
	| { kind: 'timeout'; ms: number }
	| { kind: 'memory'; detail: string }
	| { kind: 'crash'; detail: string };

export type FailureKind = 'unclean' | 'timeout' | 'memory' | 'crash';

export function isFailure(o: Outcome): o is Extract<Outcome, { kind: FailureKind }> {
	return o.kind !== 'ok' && o.kind !== 'clean';
}

/** The outcome of an exception thrown by a target. */
export function classifyError(e: unknown, isClean: (e: unknown) => boolean): Outcome {
	if (isClean(e)) return { kind: 'clean', message: (e as Error).message };
	const err = e instanceof Error ? e : new Error(`a non-Error was thrown: ${String(e)}`);
	return { kind: 'unclean', name: err.name || err.constructor?.name || 'Error', message: err.message, stack: err.stack ?? '' };
}

/** A short key that groups failures with the same cause (kind, error name and the message's words). */
export function failureKey(o: Extract<Outcome, { kind: FailureKind }>): string {
	if (o.kind === 'unclean') return `unclean ${o.name}: ${o.message.replace(/\d+/g, 'N').slice(0, 80)}`;
	if (o.kind === 'memory') return `memory: ${o.detail.replace(/\d+/g, 'N').slice(0, 80)}`;
	if (o.kind === 'crash') return `crash: ${o.detail.replace(/\d+/g, 'N').slice(0, 80)}`;
	return 'timeout';
}
