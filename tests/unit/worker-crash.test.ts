/**
 * A dead worker is not a stuck job: Comlink calls to a worker that dies (an `error` event, a
 * `messageerror`, a crash while a call is in flight) reject with a clear message, the worker is
 * replaced, and what the page held before (other results) is untouched.
 */
import * as Comlink from 'comlink';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GuardedWorker, WorkerCrashedError, isWorkerCrash, type WorkerLike } from '../../src/lib/runtime/worker-guard';
import { explainError } from '../../src/lib/runtime/errors';
import { Separator } from '../../src/lib/separation/client';
import { CancelledError } from '../../src/lib/separation/progress';
import { JobQueue } from '../../src/lib/separation/jobs.svelte';
import type { SeparationResult } from '../../src/lib/separation/pipeline';
import type { SeparatorApi } from '../../src/lib/workers/separator.worker';
import type { ModelManifest } from '../../src/lib/separation/manifest';

/** A worker made of a MessageChannel: the API runs on the other port, as in a real worker. */
class FakeWorker extends EventTarget implements WorkerLike {
	terminated = false;
	private readonly channel = new MessageChannel();
	constructor(api: object) {
		super();
		Comlink.expose(api, this.channel.port2 as unknown as Comlink.Endpoint);
	}
	postMessage(message: unknown, transfer: Transferable[] = []): void {
		if (!this.terminated) this.channel.port1.postMessage(message, transfer as never);
	}
	override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
		if (type === 'message') this.channel.port1.addEventListener('message', listener as never);
		else super.addEventListener(type, listener);
	}
	override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
		if (type === 'message') this.channel.port1.removeEventListener('message', listener as never);
		else super.removeEventListener(type, listener);
	}
	start(): void {
		this.channel.port1.start();
	}
	terminate(): void {
		this.terminated = true;
		this.channel.port1.close();
		this.channel.port2.close();
	}
	/** What the browser does when the worker throws outside any call (or one of its threads dies). */
	crash(message = 'Uncaught RuntimeError: unreachable'): void {
		const e = new Event('error', { cancelable: true });
		Object.assign(e, { message, filename: 'separator.worker.js', lineno: 7 });
		this.dispatchEvent(e);
	}
}

const workers: FakeWorker[] = [];
afterEach(() => {
	for (const w of workers.splice(0)) w.terminate();
});

/** Calls that never answer by themselves (a chunk that runs until the worker dies). */
const never = () => new Promise<never>(() => undefined);

function fakeApi(calls: string[]) {
	return {
		echo: async (x: number) => (calls.push(`echo ${x}`), x * 2),
		stall: async (): Promise<number> => (calls.push('stall'), never())
	};
}

/** A guarded worker whose workers (one per start) are FakeWorkers over `api`, kept in `workers`. */
function guarded(calls: string[], what = 'the test engine', onCrash?: (e: WorkerCrashedError) => void) {
	return new GuardedWorker<ReturnType<typeof fakeApi>>(
		() => {
			const w = new FakeWorker(fakeApi(calls));
			workers.push(w);
			return w;
		},
		what,
		onCrash
	);
}

describe('GuardedWorker', () => {
	it('passes calls through while the worker lives', async () => {
		const calls: string[] = [];
		const guard = guarded(calls);
		expect(await guard.api.echo(21)).toBe(42);
		expect(calls).toEqual(['echo 21']);
		expect(workers).toHaveLength(1);
	});

	it('an error event rejects the call in flight (which would otherwise hang), ends the worker and starts a new one on the next call', async () => {
		const calls: string[] = [];
		const crashes: WorkerCrashedError[] = [];
		const guard = guarded(calls, 'the test engine', (e) => crashes.push(e));
		const stuck = guard.api.stall();
		await vi.waitFor(() => expect(calls).toEqual(['stall'])); // the worker is inside the call
		workers[0].crash('Uncaught RangeError: Array buffer allocation failed');
		const error = await stuck.catch((e: unknown) => e);
		expect(isWorkerCrash(error)).toBe(true);
		expect((error as Error).message).toBe('The test engine stopped unexpectedly (it ran out of memory) and was restarted. Nothing saved earlier was affected; try again.');
		expect((error as WorkerCrashedError).details).toBe('Uncaught RangeError: Array buffer allocation failed (separator.worker.js:7)');
		expect(workers[0].terminated).toBe(true);
		expect(crashes).toEqual([error]);
		expect(guard.running).toBe(false);
		// a fresh worker answers the next call
		expect(await guard.api.echo(2)).toBe(4);
		expect(workers).toHaveLength(2);
		expect(workers[1].terminated).toBe(false);
	});

	it('a messageerror (a reply that cannot be read) fails the call too', async () => {
		const guard = guarded([], 'the export engine');
		const stuck = guard.api.stall();
		workers[0].dispatchEvent(new Event('messageerror'));
		await expect(stuck).rejects.toThrow('The export engine stopped unexpectedly and was restarted.');
		await expect(stuck).rejects.toMatchObject({ details: expect.stringContaining('messageerror') });
	});

	it('the last words of a worker already replaced do not touch its successor', async () => {
		const guard = guarded([]);
		const first = guard.api.stall();
		guard.replace(new CancelledError());
		await expect(first).rejects.toBeInstanceOf(CancelledError);
		const second = guard.api.echo(5);
		workers[0].crash(); // the old one, late
		expect(await second).toBe(10);
		expect(workers[1].terminated).toBe(false);
	});

	it('a worker that cannot be created fails the call with the reason', async () => {
		const guard = new GuardedWorker<ReturnType<typeof fakeApi>>(() => {
			throw new Error('Worker scripts are blocked');
		}, 'the test engine');
		await expect(guard.api.echo(1)).rejects.toThrow('Worker scripts are blocked');
	});

	it('the crash message reaches the user as is, the browser’s words as details', () => {
		const e = new WorkerCrashedError('The separation engine stopped unexpectedly and was restarted. Nothing saved earlier was affected; try again.', 'Uncaught Error: boom');
		expect(explainError(e)).toEqual({ message: e.message, details: 'Uncaught Error: boom' });
	});
});

const manifest = { id: 'm', name: 'Model', file: 'm.onnx' } as unknown as ModelManifest;
const result = (name: string): SeparationResult => ({ sampleRate: 44100, stems: [{ name, channels: [new Float32Array(4)] }], notes: [] });

/** A separator worker whose `separate` crashes the worker on the file named 'crash'. */
function separatorWorkers(log: string[]) {
	let n = 0;
	return () => {
		const id = ++n;
		let worker: FakeWorker;
		const api: Partial<SeparatorApi> = {
			load: async () => (log.push(`load in worker ${id}`), { backend: 'wasm' }) as never,
			separate: async (jobId) => {
				log.push(`separate ${jobId} in worker ${id}`);
				if (jobId === 'crash') {
					setTimeout(() => worker.crash('Uncaught (in promise) RuntimeError: memory access out of bounds'), 5);
					return never();
				}
				return result(jobId);
			},
			cancel: () => undefined
		};
		worker = new FakeWorker(api);
		workers.push(worker);
		return worker;
	};
}

describe('Separator with a worker that dies during a job', () => {
	beforeEach(() => vi.stubGlobal('location', { origin: 'http://localhost' }));
	afterEach(() => vi.unstubAllGlobals());

	it('fails that job with a message, replaces the worker with one that has the model, and runs the next job', async () => {
		const log: string[] = [];
		const crashes: Error[] = [];
		const separator = new Separator({ base: '', backends: ['wasm'], onBackend: () => undefined }, separatorWorkers(log), (e) => crashes.push(e));
		await separator.load(manifest);
		const audio = () => ({ sampleRate: 44100, channels: [new Float32Array(8)] });
		expect((await separator.separate('first', audio(), () => undefined)).stems[0].name).toBe('first');
		const crashed = await separator.separate('crash', audio(), () => undefined).catch((e: unknown) => e);
		expect(isWorkerCrash(crashed)).toBe(true);
		expect((crashed as Error).message).toMatch(/^The separation engine stopped unexpectedly \(it ran out of memory\) and was restarted\./);
		expect(crashes).toHaveLength(1);
		expect(workers[0].terminated).toBe(true);
		expect((await separator.separate('after', audio(), () => undefined)).stems[0].name).toBe('after');
		expect(log).toEqual(['load in worker 1', 'separate first in worker 1', 'separate crash in worker 1', 'load in worker 2', 'separate after in worker 2']);
		separator.terminate();
	});

	it('in the queue: the crashed job fails with the message, earlier results stay, later jobs run', async () => {
		const log: string[] = [];
		const separator = new Separator({ base: '', backends: ['wasm'], onBackend: () => undefined }, separatorWorkers(log));
		await separator.load(manifest);
		const queue = new JobQueue({
			decode: async () => ({ sampleRate: 44100, channels: [new Float32Array(8)] }),
			separate: (_id, audio, onProgress) => separator.separate(names.get(_id)!, audio, onProgress),
			cancel: async () => undefined
		});
		const names = new Map<string, string>();
		const file = (name: string) => new File([new Uint8Array(4)], name);
		queue.add([file('first'), file('crash'), file('after')]);
		queue.jobs.forEach((j) => names.set(j.id, j.fileName));
		await vi.waitFor(() => expect(queue.jobs.map((j) => j.status)).toEqual(['done', 'error', 'done']), { timeout: 5000 });
		const [first, crash, after] = queue.jobs;
		expect(first.result?.stems[0].name).toBe('first');
		expect(crash.error).toMatch(/^The separation engine stopped unexpectedly/);
		expect(crash.errorDetails).toContain('memory access out of bounds');
		expect(after.result?.stems[0].name).toBe('after');
		separator.terminate();
	});
});
