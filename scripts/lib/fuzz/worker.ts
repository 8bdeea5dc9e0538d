/**
 * The fuzz worker: runs one input at a time through its parser and answers with the outcome.
 * The harness starts it with resourceLimits (JS heap, stack) and a time limit per input, and
 * replaces it when an input kills it or runs over time.
 */
import { guard } from './guard-install'; // first: see guard-install.ts
import { parentPort } from 'node:worker_threads';
import { MemoryLimitError } from './guard';
import { classifyError, type Outcome } from './inputs';
import { TARGETS } from './targets';

export interface WorkerRequest {
	id: number;
	parser: string;
	bytes: Uint8Array;
}

export interface WorkerReply {
	id: number;
	outcome: Outcome;
	ms: number;
}

parentPort!.on('message', async ({ id, parser, bytes }: WorkerRequest) => {
	const target = TARGETS[parser];
	guard.reset();
	const t0 = performance.now();
	let outcome: Outcome;
	try {
		await target.run(bytes);
		outcome = { kind: 'ok' };
	} catch (e) {
		outcome = e instanceof MemoryLimitError ? { kind: 'memory', detail: e.message } : classifyError(e, target.isClean);
	}
	const over = guard.exceeded();
	if (over) outcome = { kind: 'memory', detail: `${over} (the parser reported: ${outcome.kind === 'ok' ? 'nothing' : 'message' in outcome ? outcome.message : outcome.kind})` };
	parentPort!.postMessage({ id, outcome, ms: performance.now() - t0 } satisfies WorkerReply);
});
