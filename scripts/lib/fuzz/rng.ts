/** The fuzzer's seeded random source: every input is a function of (run seed, parser, index). */
import { seededRandom } from '../../../src/lib/dsp/random';

export class Rng {
	private readonly next: () => number;
	constructor(seed: number) {
		this.next = seededRandom(seed);
	}
	/** [0, 1). */
	float(): number {
		return this.next();
	}
	/** An integer in [0, n). */
	int(n: number): number {
		return Math.floor(this.next() * n);
	}
	/** An integer in [lo, hi]. */
	range(lo: number, hi: number): number {
		return lo + this.int(hi - lo + 1);
	}
	chance(p: number): boolean {
		return this.next() < p;
	}
	pick<T>(items: readonly T[]): T {
		return items[this.int(items.length)];
	}
	/** Small values often, large ones sometimes: n in [0, max] with a roughly log-uniform spread. */
	size(max: number): number {
		return Math.min(max, Math.floor(2 ** (this.next() * Math.log2(max + 1))));
	}
}

/** FNV-1a over the text, mixed: a 32-bit seed for one input. */
export function inputSeed(seed: number, parser: string, index: number): number {
	let h = 0x811c9dc5;
	for (const c of `${seed}/${parser}/${index}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b);
	h ^= h >>> 13;
	return h >>> 0;
}
