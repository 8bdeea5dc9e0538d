/**
 * Comlink calls that cannot hang on a dead worker. Comlink answers a call only when the worker
 * posts the reply; a worker that dies (an uncaught error, a crash in one of its own threads, a
 * message it cannot read, or being terminated by us) never replies, and the call would wait
 * forever. Here every call races the worker's end: its `error` or `messageerror` event, or
 * `replace()`, rejects every call in flight, the worker is terminated, and the next call starts a
 * fresh one. What the worker held (a loaded model) is gone; `onCrash` lets the owner restore it.
 */
import * as Comlink from 'comlink';

/** A worker as this module uses it (a real Worker, or a fake in tests). */
export interface WorkerLike extends Comlink.Endpoint {
	terminate(): void;
}

/** A call whose worker stopped before answering. `message` is for people; `details` holds the browser's words. */
export class WorkerCrashedError extends Error {
	override name = 'WorkerCrashedError';
	constructor(
		message: string,
		readonly details: string | null
	) {
		super(message);
	}
}

export function isWorkerCrash(e: unknown): e is WorkerCrashedError {
	return e instanceof Error && e.name === 'WorkerCrashedError';
}

/** What an `error` / `messageerror` event says, in the browser's words (null when it says nothing). */
function eventDetails(type: string, e: Event): string | null {
	const { message, filename, lineno } = e as Partial<ErrorEvent>;
	if (type === 'messageerror') return 'a message from the worker could not be read (messageerror)';
	if (!message) return null;
	return filename ? `${message} (${filename}${lineno ? `:${lineno}` : ''})` : message;
}

const capitalized = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class GuardedWorker<T> {
	private worker: WorkerLike | null = null;
	private remote: Comlink.Remote<T> | null = null;
	private readonly inFlight = new Set<(e: Error) => void>();
	/** The remote API with every method call guarded (`guarded.api.method(...)`). */
	readonly api: Comlink.Remote<T>;

	/**
	 * `spawn` starts a worker; `what` names it for the user ("the separation engine");
	 * `onCrash` runs after a crash has failed the calls in flight (not after `replace`).
	 */
	constructor(
		private readonly spawn: () => WorkerLike,
		private readonly what: string,
		private readonly onCrash?: (e: WorkerCrashedError) => void
	) {
		this.api = new Proxy({} as Comlink.Remote<T>, {
			get: (_, prop) => {
				if (typeof prop !== 'string' || prop === 'then') return undefined; // not a thenable
				return (...args: unknown[]) => this.call((r) => (r as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[prop](...args));
			}
		});
	}

	/** Whether a worker is running now (one is started by the next call otherwise). */
	get running(): boolean {
		return this.worker !== null;
	}

	/** Starts the worker now (calls start it anyway). */
	start(): Comlink.Remote<T> {
		if (this.remote) return this.remote;
		const worker = this.spawn();
		const died = (type: string) => (e: Event) => {
			if (worker !== this.worker) return; // an old worker's last words
			e.preventDefault?.(); // handled here: not an uncaught error of the page
			const details = eventDetails(type, e);
			const crash = new WorkerCrashedError(
				`${capitalized(this.what)} stopped unexpectedly${details && /memory|alloc/i.test(details) ? ' (it ran out of memory)' : ''} and was restarted. ` +
					'Nothing saved earlier was affected; try again.',
				details
			);
			this.end(crash);
			this.onCrash?.(crash);
		};
		worker.addEventListener('error', died('error'));
		worker.addEventListener('messageerror', died('messageerror'));
		this.worker = worker;
		this.remote = Comlink.wrap<T>(worker);
		return this.remote;
	}

	/** Runs one call against the current worker; rejects when the worker ends before it answers. */
	call<R>(fn: (remote: Comlink.Remote<T>) => Promise<R>): Promise<R> {
		let remote: Comlink.Remote<T>;
		try {
			remote = this.start();
		} catch (e) {
			return Promise.reject(e); // the worker could not even be created
		}
		return new Promise<R>((resolve, reject) => {
			const fail = (e: Error) => reject(e);
			this.inFlight.add(fail);
			let answer: Promise<R>;
			try {
				answer = Promise.resolve(fn(remote));
			} catch (e) {
				answer = Promise.reject(e);
			}
			answer.then(resolve, reject).finally(() => this.inFlight.delete(fail));
		});
	}

	/** Ends the worker on purpose (e.g. a cancelled job that will not stop): calls in flight fail with `reason`. */
	replace(reason: Error): void {
		this.end(reason);
	}

	terminate(): void {
		this.end(new WorkerCrashedError(`${capitalized(this.what)} was closed.`, null));
	}

	private end(reason: Error): void {
		const worker = this.worker;
		this.worker = null;
		this.remote = null;
		worker?.terminate();
		const calls = [...this.inFlight];
		this.inFlight.clear();
		for (const fail of calls) fail(reason);
	}
}
