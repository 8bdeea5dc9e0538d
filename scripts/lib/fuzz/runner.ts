/**
 * The fuzz harness: inputs are made here and run in worker threads (the bundled worker.ts) with
 * a JS heap limit, a 1 MB stack like a browser's, the allocation guard and a time limit per
 * input. A worker that runs over time is terminated; one that dies (heap exhausted, crash) is
 * replaced; either way the input is recorded as a failure and the run goes on.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { failureKey, isFailure, makeInput, type FailureKind, type FuzzInput, type Outcome } from './inputs';
import { TARGETS } from './targets';
import type { WorkerReply } from './worker';

export interface FuzzOptions {
	seed: number;
	/** Inputs per parser (the seeds themselves count). */
	iterations: number;
	parsers: string[];
	timeoutMs: number;
	memoryMb: number;
	/** The bundled worker (buildFuzzWorker). */
	workerFile: string;
	/** Failing inputs are written here (<dir>/<parser>/<kind>-<sha1>.bin and .txt); null: not saved. */
	failuresDir: string | null;
	/** Workers run side by side. */
	jobs?: number;
	onProgress?: (p: { parser: string; done: number; total: number; failures: number }) => void;
}

export interface FailureGroup {
	key: string;
	count: number;
	outcome: Outcome;
	input: Omit<FuzzInput, 'bytes'> & { bytes: number };
	file: string | null;
}

export interface ParserReport {
	parser: string;
	tried: number;
	accepted: number;
	refused: number;
	failures: Record<FailureKind, number>;
	groups: FailureGroup[];
	/** The input that took longest (a timeout counts its time limit). */
	slowest: { ms: number; index: number; how: string };
	seconds: number;
}

export const totalFailures = (r: ParserReport) => Object.values(r.failures).reduce((a, b) => a + b, 0);

/** One worker thread that runs inputs one at a time, replaced when it dies or hangs. */
export class IsolatedParser {
	private worker: Worker | null = null;
	private nextId = 0;
	/** The input in flight: which worker runs it, and how to answer. */
	private pending: { worker: Worker; resolve: (r: { outcome: Outcome; ms: number }) => void } | null = null;

	constructor(
		private readonly workerFile: string,
		private readonly timeoutMs: number,
		private readonly memoryMb: number
	) {}

	private spawn(): Worker {
		const worker = new Worker(this.workerFile, {
			workerData: { memoryBytes: this.memoryMb * 1024 ** 2 },
			resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, stackSizeMb: 1 },
			stderr: true // a dying worker's V8 report is not the harness's output
		});
		worker.stderr.resume();
		worker.on('message', (reply: WorkerReply) => this.settle(worker, { outcome: reply.outcome, ms: reply.ms }));
		worker.on('error', (e: Error & { code?: string }) => {
			if (this.worker === worker) this.worker = null;
			const outcome: Outcome =
				e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { kind: 'memory', detail: `the JS heap went over ${this.memoryMb} MB` } : { kind: 'crash', detail: `${e.name}: ${e.message}` };
			this.settle(worker, { outcome, ms: 0 });
		});
		worker.on('exit', (code) => {
			if (this.worker === worker) this.worker = null;
			this.settle(worker, { outcome: { kind: 'crash', detail: `the worker exited with code ${code}` }, ms: 0 });
		});
		return worker;
	}

	/** Answers the input in flight, if `worker` is the one running it (a terminated worker's late events are ignored). */
	private settle(worker: Worker, r: { outcome: Outcome; ms: number }): void {
		const pending = this.pending;
		if (pending?.worker !== worker) return;
		this.pending = null;
		pending.resolve(r);
	}

	run(parser: string, bytes: Uint8Array): Promise<{ outcome: Outcome; ms: number }> {
		this.worker ??= this.spawn();
		const worker = this.worker;
		return new Promise((resolve) => {
			const t0 = performance.now();
			const timer = setTimeout(() => {
				this.pending = null;
				this.worker = null;
				void worker.terminate();
				resolve({ outcome: { kind: 'timeout', ms: performance.now() - t0 }, ms: performance.now() - t0 });
			}, this.timeoutMs);
			this.pending = {
				worker,
				resolve: (r) => {
					clearTimeout(timer);
					resolve(r);
				}
			};
			const copy = bytes.slice(); // the seeds stay here: send a copy
			worker.postMessage({ id: this.nextId++, parser, bytes: copy }, [copy.buffer]);
		});
	}

	async close(): Promise<void> {
		const w = this.worker;
		this.worker = null;
		this.pending = null;
		if (w) await w.terminate();
	}
}

function saveFailure(dir: string, input: FuzzInput, outcome: Outcome, seed: number): string {
	const hash = createHash('sha1').update(input.bytes).digest('hex').slice(0, 16);
	const base = join(dir, input.parser, `${outcome.kind}-${hash}`);
	mkdirSync(join(dir, input.parser), { recursive: true });
	writeFileSync(`${base}.bin`, input.bytes);
	const about = [
		`parser: ${input.parser}`,
		`input: ${input.index} of run seed ${seed} (${input.how}), ${input.bytes.length} bytes`,
		`outcome: ${JSON.stringify(outcome, null, 2)}`,
		`replay: npm run fuzz -- --parser ${input.parser} --replay ${base}.bin`
	].join('\n');
	writeFileSync(`${base}.txt`, about + '\n');
	return `${base}.bin`;
}

/** Fuzzes each parser in turn; returns one report per parser. */
export async function runFuzz(options: FuzzOptions): Promise<ParserReport[]> {
	const reports: ParserReport[] = [];
	const jobs = Math.max(1, options.jobs ?? 1);
	const pool = Array.from({ length: jobs }, () => new IsolatedParser(options.workerFile, options.timeoutMs, options.memoryMb));
	try {
		for (const parser of options.parsers) {
			const target = TARGETS[parser];
			if (!target) throw new Error(`unknown parser ${parser}`);
			const seeds = target.seeds();
			const report: ParserReport = { parser, tried: 0, accepted: 0, refused: 0, failures: { unclean: 0, timeout: 0, memory: 0, crash: 0 }, groups: [], slowest: { ms: 0, index: -1, how: '' }, seconds: 0 };
			const groups = new Map<string, FailureGroup>();
			const t0 = performance.now();
			let next = 0;
			const lane = async (runner: IsolatedParser) => {
				while (next < options.iterations) {
					const input = makeInput(target, seeds, options.seed, next++);
					const { outcome, ms } = await runner.run(parser, input.bytes);
					report.tried++;
					const took = outcome.kind === 'timeout' ? outcome.ms : ms;
					if (took > report.slowest.ms) report.slowest = { ms: took, index: input.index, how: input.how };
					if (outcome.kind === 'ok') report.accepted++;
					else if (outcome.kind === 'clean') report.refused++;
					if (isFailure(outcome)) {
						report.failures[outcome.kind]++;
						const key = failureKey(outcome);
						const file = options.failuresDir ? saveFailure(options.failuresDir, input, outcome, options.seed) : null;
						const group = groups.get(key);
						if (group) group.count++;
						else groups.set(key, { key, count: 1, outcome, input: { ...input, bytes: input.bytes.length }, file });
					}
					if (report.tried % 1000 === 0) options.onProgress?.({ parser, done: report.tried, total: options.iterations, failures: totalFailures(report) });
				}
			};
			await Promise.all(pool.map(lane));
			report.groups = [...groups.values()].sort((a, b) => b.count - a.count);
			report.seconds = (performance.now() - t0) / 1000;
			reports.push(report);
		}
	} finally {
		await Promise.all(pool.map((p) => p.close()));
	}
	return reports;
}

/** The summary table and the failure groups, as printed at the end of a run. */
export function formatReports(reports: ParserReport[]): string {
	const rows = [['parser', 'inputs', 'accepted', 'refused (clean error)', 'unclean', 'timeout', 'memory', 'crash', 'slowest', 'time']];
	for (const r of reports) {
		rows.push([
			r.parser,
			String(r.tried),
			String(r.accepted),
			String(r.refused),
			String(r.failures.unclean),
			String(r.failures.timeout),
			String(r.failures.memory),
			String(r.failures.crash),
			`${r.slowest.ms.toFixed(0)} ms`,
			`${r.seconds.toFixed(0)} s`
		]);
	}
	const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
	const lines = rows.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
	const total = reports.reduce((n, r) => n + totalFailures(r), 0);
	lines.push(`slowest inputs: ${reports.map((r) => `${r.parser} #${r.slowest.index} (${r.slowest.how})`).join('; ')}`);
	lines.push(`failures: ${total} in ${reports.reduce((n, r) => n + r.tried, 0)} inputs`);
	for (const r of reports) {
		for (const g of r.groups) {
			lines.push(`  ${r.parser}: ${g.count} × ${g.key}`);
			lines.push(`    e.g. input ${g.input.index} (${g.input.how}, ${g.input.bytes} bytes)${g.file ? ` saved as ${g.file}` : ''}`);
			if (g.outcome.kind === 'unclean') lines.push(...g.outcome.stack.split('\n').slice(1, 5).map((s) => `    ${s.trim()}`));
		}
	}
	return lines.join('\n');
}
