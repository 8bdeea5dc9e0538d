// The fuzz harness (scripts/lib/fuzz): its pure parts, that it catches every kind of failure,
// and a short deterministic slice of `npm run fuzz` over every parser that must find nothing.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../src/lib/dsp/audio';
import { decodeFlac } from '../../src/lib/dsp/flac/decode';
import { parseYaml } from '../../src/lib/models/yaml';
import { buildFuzzWorker } from '../../scripts/lib/fuzz/build';
import { bytesAllocated, installAllocationGuard, MemoryLimitError } from '../../scripts/lib/fuzz/guard';
import { classifyError, failureKey, isFailure, makeInput, type Outcome } from '../../scripts/lib/fuzz/inputs';
import { interestingValues, MAX_INPUT_BYTES, mutate, MUTATORS, plausibleSizeFields } from '../../scripts/lib/fuzz/mutate';
import { inputSeed, Rng } from '../../scripts/lib/fuzz/rng';
import { IsolatedParser, runFuzz, totalFailures } from '../../scripts/lib/fuzz/runner';
import { flacFrames, mutateFlacFrame } from '../../scripts/lib/fuzz/targets/audio';
import { PARSERS, TARGETS } from '../../scripts/lib/fuzz/targets';

describe('seeded randomness', () => {
	it('the same seed gives the same sequence; each input has its own seed', () => {
		const a = new Rng(5);
		const b = new Rng(5);
		const xs = Array.from({ length: 20 }, () => a.int(1000));
		expect(Array.from({ length: 20 }, () => b.int(1000))).toEqual(xs);
		expect(new Set(xs).size).toBeGreaterThan(10);
		const seeds = new Set(PARSERS.flatMap((p) => [0, 1, 2, 3].map((i) => inputSeed(1, p, i))));
		expect(seeds.size).toBe(PARSERS.length * 4);
		expect(inputSeed(2, 'wav', 0)).not.toBe(inputSeed(1, 'wav', 0));
	});

	it('size() spans small and large values within its bound', () => {
		const r = new Rng(1);
		const xs = Array.from({ length: 2000 }, () => r.size(10_000));
		expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
		expect(Math.max(...xs)).toBeLessThanOrEqual(10_000);
		expect(xs.filter((x) => x < 100).length).toBeGreaterThan(200);
		expect(xs.filter((x) => x > 1000).length).toBeGreaterThan(200);
	});
});

describe('mutations', () => {
	const input = Uint8Array.from({ length: 200 }, (_, i) => (i * 37) & 0xff);
	const other = new Uint8Array(100).fill(0xaa);

	for (const name of Object.keys(MUTATORS)) {
		it(`${name}: deterministic, leaves its input alone, changes something`, () => {
			const before = input.slice();
			let changed = 0;
			for (let s = 0; s < 50; s++) {
				const out = MUTATORS[name](input, new Rng(s), [other]);
				expect(MUTATORS[name](input, new Rng(s), [other])).toEqual(out);
				if (out.length !== input.length || out.some((b, i) => b !== input[i])) changed++;
			}
			expect(input).toEqual(before);
			expect(changed).toBeGreaterThan(25);
		});
	}

	it('truncate shortens, insert and duplicate lengthen, splice takes the other input\'s tail', () => {
		for (let s = 0; s < 20; s++) {
			expect(MUTATORS.truncate(input, new Rng(s), []).length).toBeLessThanOrEqual(input.length);
			expect(MUTATORS.insert(input, new Rng(s), []).length).toBeGreaterThan(input.length);
			expect(MUTATORS.duplicate(input, new Rng(s), []).length).toBeGreaterThan(input.length);
			const spliced = MUTATORS.splice(input, new Rng(s), [other]);
			expect(spliced.subarray(spliced.length - 1)[0] === 0xaa || spliced.length <= input.length).toBe(true);
		}
	});

	it('length fields get the values that break size arithmetic, within the field width', () => {
		expect(interestingValues(2, 1000, 5)).toEqual(expect.arrayContaining([0, 1, 0xffff, 1000, 999, 1001, 6, 4, 10]));
		expect(Math.max(...interestingValues(2, 1e6, 5))).toBeLessThanOrEqual(0xffff);
		expect(interestingValues(4, 10, 0)).toEqual(expect.arrayContaining([0x7fffffff, 0x80000000, 0xffffffff]));
		expect(interestingValues(8, 10, 0)).toEqual(expect.arrayContaining([2 ** 36 - 1, 2 ** 53 - 1]));
		// a RIFF-like header: the size at byte 4 is found as a plausible size field
		const riff = new Uint8Array(64);
		new DataView(riff.buffer).setUint32(4, 56, true);
		expect(plausibleSizeFields(riff)).toContainEqual({ at: 4, little: true });
	});

	it('stacked mutations are reproducible and bounded', () => {
		const a = mutate(input, new Rng(9), [other]);
		expect(mutate(input, new Rng(9), [other])).toEqual(a);
		expect(a.ops.length).toBeGreaterThanOrEqual(1);
		const big = new Uint8Array(MAX_INPUT_BYTES);
		for (let s = 0; s < 5; s++) expect(mutate(big, new Rng(s), [big]).bytes.length).toBeLessThanOrEqual(MAX_INPUT_BYTES);
	});
});

describe('FLAC frame mutation keeps the checksums valid', () => {
	it('finds every frame of a seed and mutates one without breaking its CRCs', () => {
		const seed = TARGETS.flac.seeds().find((s) => flacFrames(s).length > 3)!;
		const frames = flacFrames(seed);
		expect(frames.length).toBeGreaterThan(3);
		let reachedPastCrc = 0;
		for (let s = 0; s < 30; s++) {
			const out = mutateFlacFrame(seed, new Rng(s));
			expect(out.length).toBe(seed.length);
			expect(flacFrames(out).length).toBeGreaterThanOrEqual(frames.length - 1);
			try {
				decodeFlac(out);
				reachedPastCrc++;
			} catch (e) {
				expect(e).toBeInstanceOf(AudioFormatError);
				if (!/CRC/.test((e as Error).message)) reachedPastCrc++;
			}
		}
		expect(reachedPastCrc).toBeGreaterThan(20);
	});
});

describe('inputs and outcomes', () => {
	it('the seeds come first, then reproducible mutants and generated inputs', () => {
		const target = TARGETS.wav;
		const seeds = target.seeds();
		expect(makeInput(target, seeds, 1, 0).bytes).toBe(seeds[0]);
		const hows = new Set<string>();
		for (let i = seeds.length; i < seeds.length + 200; i++) {
			const a = makeInput(target, seeds, 1, i);
			expect(makeInput(target, seeds, 1, i).bytes).toEqual(a.bytes);
			hows.add(a.how.split(/[ :,]/)[0]);
		}
		expect([...hows].sort()).toEqual(['generator', 'seed']);
	});

	it('every seed is a valid input its parser accepts', async () => {
		for (const name of PARSERS) {
			const target = TARGETS[name];
			for (const [i, seed] of target.seeds().entries()) {
				if (name === 'yaml') expect(() => parseYaml(new TextDecoder().decode(seed)), `yaml seed ${i}`).not.toThrow();
				else await expect(target.run(seed), `${name} seed ${i}`).resolves.not.toThrow();
			}
		}
	});

	it('the parser\'s own error is clean; anything else is a failure, grouped by cause', () => {
		const clean = classifyError(new AudioFormatError('bad file'), (e) => e instanceof AudioFormatError);
		expect(clean).toEqual({ kind: 'clean', message: 'bad file' });
		expect(isFailure(clean)).toBe(false);
		const a = classifyError(new RangeError('Offset 12 is outside the bounds'), (e) => e instanceof AudioFormatError);
		const b = classifyError(new RangeError('Offset 99 is outside the bounds'), (e) => e instanceof AudioFormatError);
		expect(a.kind).toBe('unclean');
		expect(isFailure(a) && isFailure(b) && failureKey(a) === failureKey(b)).toBe(true);
		expect(classifyError('a string', () => false).kind).toBe('unclean');
		expect(isFailure({ kind: 'timeout', ms: 5 } as Outcome)).toBe(true);
	});
});

describe('the allocation guard', () => {
	it('refuses one allocation over the limit before making it, and remembers it', () => {
		const global: Record<string, unknown> = { Uint8Array, Float32Array, Int8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float64Array, BigInt64Array, BigUint64Array, ArrayBuffer };
		const guard = installAllocationGuard(1 << 20, global);
		const F32 = global.Float32Array as Float32ArrayConstructor;
		const U8 = global.Uint8Array as Uint8ArrayConstructor;
		expect(new F32(1000).length).toBe(1000);
		expect(guard.exceeded()).toBeNull();
		expect(() => new F32(1 << 19)).toThrow(MemoryLimitError); // 2 MB
		expect(guard.exceeded()).toMatch(/2097152 bytes/);
		guard.reset();
		expect(guard.exceeded()).toBeNull();
		expect(() => U8.from({ length: 2 << 20 })).toThrow(MemoryLimitError);
		expect(new Uint8Array(4) instanceof U8).toBe(true); // instances made elsewhere still count
		expect(new U8(new ArrayBuffer(8)).length).toBe(8); // a view allocates nothing
		expect(() => new (global.ArrayBuffer as ArrayBufferConstructor)(4 << 20)).toThrow(MemoryLimitError);
		expect(bytesAllocated([10], 4)).toBe(40);
		expect(bytesAllocated([[1, 2, 3]], 8)).toBe(24);
		expect(bytesAllocated([new ArrayBuffer(64)], 8)).toBe(0);
	});
});

describe('the harness in worker threads', () => {
	const workerFile = `${process.cwd()}/.bench/fuzz-worker-test-${process.pid}.mjs`;
	beforeAll(async () => {
		await buildFuzzWorker(workerFile);
	}, 120_000);
	afterAll(() => rmSync(workerFile, { force: true }));

	it('catches and reports each kind of failure, and carries on after it', async () => {
		// a generous time limit for all but the hang (a loaded machine is slow to fill a heap)
		const runner = new IsolatedParser(workerFile, 30_000, 128);
		const hasty = new IsolatedParser(workerFile, 1000, 128);
		const run = async (b: number, r = runner) => (await r.run('harness-check', Uint8Array.of(b))).outcome;
		try {
			expect((await run(0)).kind).toBe('ok');
			expect(await run(1)).toEqual({ kind: 'clean', message: 'refused cleanly' });
			expect(await run(2)).toMatchObject({ kind: 'unclean', name: 'TypeError' });
			expect(await run(3)).toMatchObject({ kind: 'unclean', name: 'RangeError', message: expect.stringMatching(/call stack/) });
			expect((await run(4, hasty)).kind).toBe('timeout');
			expect((await run(0, hasty)).kind).toBe('ok'); // a fresh worker
			expect(await run(5)).toMatchObject({ kind: 'memory', detail: expect.stringMatching(/1073741824 bytes/) });
			expect(await run(6)).toMatchObject({ kind: 'memory', detail: expect.stringMatching(/live buffers/) });
			expect(await run(7)).toMatchObject({ kind: 'memory', detail: expect.stringMatching(/JS heap/) });
			expect(await run(8)).toMatchObject({ kind: 'memory' }); // the parser caught the guard's error: still a failure
			expect(await run(9)).toMatchObject({ kind: 'crash' });
			expect((await run(0)).kind).toBe('ok');
		} finally {
			await runner.close();
			await hasty.close();
		}
	}, 120_000);

	it('a deterministic slice of npm run fuzz (300 inputs per parser, seed 23) finds nothing', async () => {
		const reports = await runFuzz({ seed: 23, iterations: 300, parsers: PARSERS, timeoutMs: 20_000, memoryMb: 512, workerFile, failuresDir: null });
		for (const r of reports) {
			expect(r.tried, r.parser).toBe(300);
			expect(r.accepted, `${r.parser}: some inputs are accepted`).toBeGreaterThan(0);
			expect(r.refused, `${r.parser}: some inputs are refused`).toBeGreaterThan(0);
			expect(totalFailures(r), `${r.parser}: ${r.groups.map((g) => `${g.key} (input ${g.input.index}, ${g.input.how})`).join('; ')}`).toBe(0);
		}
	}, 600_000);
});
