/**
 * Runs the network on the best backend that works: WebGPU first, then WASM. A backend
 * that fails to create its session, or fails during a run, is dropped and the same
 * run is retried on the next one.
 */
export type Backend = 'webgpu' | 'wasm';

export interface ModelSession {
	run(input: Float32Array, dims: number[]): Promise<Float32Array>;
	release(): Promise<void>;
}

export type SessionFactory = (backend: Backend) => Promise<ModelSession>;

export interface BackendEvent {
	backend: Backend;
	/** Why the previous backend was dropped, if one was. */
	reason: string | null;
}

export class FallbackRunner {
	private session: ModelSession | null = null;
	private index = 0;
	readonly failures: { backend: Backend; error: string }[] = [];

	constructor(
		private readonly factory: SessionFactory,
		private readonly order: Backend[],
		private readonly onBackend: (e: BackendEvent) => void = () => {}
	) {
		if (order.length === 0) throw new Error('no backends to try');
	}

	get backend(): Backend | null {
		return this.session ? this.order[this.index] : null;
	}

	/** Creates a session on the first backend that works. */
	async ready(): Promise<Backend> {
		while (!this.session) {
			const backend = this.order[this.index];
			try {
				this.session = await this.factory(backend);
				this.onBackend({ backend, reason: this.failures.at(-1)?.error ?? null });
			} catch (e) {
				this.drop(backend, e);
			}
		}
		return this.order[this.index];
	}

	async run(input: Float32Array, dims: number[]): Promise<Float32Array> {
		for (;;) {
			await this.ready();
			const backend = this.order[this.index];
			try {
				return await this.session!.run(input, dims);
			} catch (e) {
				const failed = this.session!;
				this.session = null;
				await failed.release().catch(() => {});
				this.drop(backend, e);
			}
		}
	}

	async release(): Promise<void> {
		await this.session?.release();
		this.session = null;
	}

	private drop(backend: Backend, e: unknown): void {
		const error = e instanceof Error ? e.message : String(e);
		this.failures.push({ backend, error });
		if (this.index + 1 >= this.order.length) {
			throw new Error(
				`No inference backend worked: ${this.failures.map((f) => `${f.backend}: ${f.error}`).join('; ')}`
			);
		}
		this.index++;
	}
}
