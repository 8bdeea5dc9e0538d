/**
 * Not a parser: a target that misbehaves on purpose, one way per first byte, so the unit tests
 * can check that the harness catches and reports each kind of failure (and carries on after it).
 * Not in PARSERS: `npm run fuzz` never runs it unless named.
 */
import type { FuzzTarget } from './target';

export class HarnessCheckError extends Error {}

const recurse = (n: number): number => recurse(n + 1) + 1;

export const harnessCheckTarget: FuzzTarget = {
	name: 'harness-check',
	isClean: (e) => e instanceof HarnessCheckError,
	seeds: () => [Uint8Array.of(0)],
	generators: {},
	async run(bytes) {
		switch (bytes[0]) {
			case 0:
				return; // accepted
			case 1:
				throw new HarnessCheckError('refused cleanly');
			case 2:
				throw new TypeError('an unclean error');
			case 3:
				return recurse(0); // stack overflow: RangeError
			case 4:
				for (;;); // hangs
			case 5:
				return new Float32Array(1 << 28); // 1 GiB in one allocation
			case 6: {
				const keep: Float64Array[] = [];
				for (;;) keep.push(new Float64Array(1 << 20)); // 8 MB at a time
			}
			case 7: {
				const keep: number[][] = [];
				for (let i = 0; ; i++) keep.push(new Array<number>(1 << 20).fill(i + 0.5)); // the JS heap, 8 MB at a time
			}
			case 8:
				try {
					return new Uint8Array(2 ** 31);
				} catch {
					throw new HarnessCheckError('a parser that turns the guard error into its own'); // still a memory failure
				}
			default:
				process.exit(3); // the worker dies
		}
	}
};
