/**
 * npm run fuzz -- [--seed N] [--iterations N] [--parser wav,flac,…] [--timeout-ms N] [--memory-mb N]
 *                 [--jobs N] [--out DIR] [--replay FILE --parser NAME]
 *
 * Seeded mutation fuzzing of the file readers (WAV, AIFF, FLAC, torch zip/pickle, safetensors,
 * npz, YAML), each input in a worker thread with a time and memory limit. Prints the inputs tried
 * and the failures per parser: an exception that is not the parser's own clear error, a timeout,
 * or memory over the limit. Failing inputs are saved under --out (default .fuzz/failures) with a
 * note on how to replay them. Exits 1 when anything failed. See docs/security.md.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { buildFuzzWorker } from './lib/fuzz/build';
import { IsolatedParser, formatReports, runFuzz, totalFailures } from './lib/fuzz/runner';
import { PARSERS, TARGETS } from './lib/fuzz/targets';

function parseArgs(argv: string[]): Record<string, string> {
	const out: Record<string, string> = {};
	for (let i = 0; i < argv.length; i++) {
		const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
		if (!m) throw new Error(`unexpected argument ${argv[i]} (see the usage at the top of scripts/fuzz.ts)`);
		out[m[1]] = m[2] ?? argv[++i] ?? '';
	}
	return out;
}

function int(value: string | undefined, fallback: number, name: string): number {
	if (value === undefined) return fallback;
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number, got ${value}`);
	return n;
}

const args = parseArgs(process.argv.slice(2));
const known = ['seed', 'iterations', 'parser', 'timeout-ms', 'memory-mb', 'jobs', 'out', 'replay'];
for (const k of Object.keys(args)) if (!known.includes(k)) throw new Error(`unknown option --${k}; options: ${known.map((o) => `--${o}`).join(' ')}`);
const parsers = args.parser ? args.parser.split(',') : PARSERS;
for (const p of parsers) if (!Object.hasOwn(TARGETS, p)) throw new Error(`unknown parser ${p}; parsers: ${PARSERS.join(', ')}`);
const seed = int(args.seed, 1, 'seed');
const iterations = int(args.iterations, 10_000, 'iterations');
const timeoutMs = int(args['timeout-ms'], 5000, 'timeout-ms');
const memoryMb = int(args['memory-mb'], 512, 'memory-mb');
const jobs = Math.max(1, int(args.jobs, 1, 'jobs'));
const failuresDir = args.out ?? '.fuzz/failures';

mkdirSync('.bench', { recursive: true });
const workerFile = await buildFuzzWorker(`${process.cwd()}/.bench/fuzz-worker.mjs`);

if (args.replay !== undefined) {
	if (parsers.length !== 1) throw new Error('--replay needs one --parser');
	const runner = new IsolatedParser(workerFile, timeoutMs, memoryMb);
	const { outcome, ms } = await runner.run(parsers[0], new Uint8Array(readFileSync(args.replay)));
	await runner.close();
	console.log(`${parsers[0]} ${args.replay}: ${outcome.kind} in ${ms.toFixed(0)} ms`);
	console.log(JSON.stringify(outcome, null, 2));
	process.exit(outcome.kind === 'ok' || outcome.kind === 'clean' ? 0 : 1);
}

console.log(
	`fuzzing ${parsers.join(', ')}: ${iterations} inputs each, seed ${seed}, ${timeoutMs} ms and ${memoryMb} MB per input, ${jobs} worker${jobs > 1 ? 's' : ''}`
);
let lastPrint = 0;
const reports = await runFuzz({
	seed,
	iterations,
	parsers,
	timeoutMs,
	memoryMb,
	workerFile,
	failuresDir,
	jobs,
	onProgress: (p) => {
		if (Date.now() - lastPrint < 10_000 && p.done < p.total) return;
		lastPrint = Date.now();
		console.log(`  ${p.parser}: ${p.done}/${p.total}, ${p.failures} failures`);
	}
});
console.log(formatReports(reports));
const failed = reports.some((r) => totalFailures(r) > 0);
if (failed) console.log(`failing inputs are in ${failuresDir}/`);
process.exit(failed ? 1 : 0);
