/** Main-thread handle on the separation worker. */
import * as Comlink from 'comlink';
import type { ModelSource } from '../models/store/types';
import type { Backend, BackendEvent } from './fallback';
import type { ModelIndex, ModelManifest } from './manifest';
import { validateManifest } from './manifest';
import type { SeparationResult } from './pipeline';
import { CancelledError } from './progress';
import type { RuntimeInfo, SeparatorApi } from '../workers/separator.worker';
import { GuardedWorker, type WorkerCrashedError, type WorkerLike } from '../runtime/worker-guard';

export type { RuntimeInfo };

export interface SeparatorOptions {
	base: string;
	backends: Backend[];
	onBackend: (e: BackendEvent) => void;
}

export async function fetchModelCatalog(base: string): Promise<{ index: ModelIndex; manifests: ModelManifest[] }> {
	const index = (await (await fetch(`${base}/models/index.json`)).json()) as ModelIndex;
	const manifests = await Promise.all(
		index.models.map(async (id) => validateManifest(await (await fetch(`${base}/models/${id}.json`)).json()))
	);
	return { index, manifests };
}

/** How long a cancelled job may take to stop by itself before its worker is replaced. */
export const CANCEL_GRACE_MS = 1500;

export class Separator {
	private readonly worker: GuardedWorker<SeparatorApi>;
	private lastManifest: ModelManifest | null = null;
	private lastSource: ModelSource | undefined;
	private readonly running = new Set<string>();
	private reloading: Promise<unknown> = Promise.resolve();
	/** Whether the current worker holds the last model; crashes since the last load that worked. */
	private loaded = false;
	private crashes = 0;

	/**
	 * `onCrash` hears of a worker that died (its calls in flight have failed with the reason);
	 * the worker is already being replaced and the last model reloaded.
	 */
	constructor(
		private readonly options: SeparatorOptions,
		spawn: () => WorkerLike = () => new Worker(new URL('../workers/separator.worker.ts', import.meta.url), { type: 'module' }),
		private readonly onCrash?: (e: WorkerCrashedError) => void
	) {
		this.worker = new GuardedWorker<SeparatorApi>(spawn, 'the separation engine', (e) => {
			this.loaded = false;
			// a worker that dies while loading would die again: the next job tries once more instead
			if (++this.crashes <= 1) this.restore();
			this.onCrash?.(e);
		});
		this.worker.start();
	}

	/** A fresh worker loads the model the last one had (a failure shows at the next job). */
	private restore(): void {
		this.loaded = false;
		if (this.lastManifest) this.reloading = this.load(this.lastManifest, this.lastSource).catch(() => {});
	}

	async load(manifest: ModelManifest, source?: ModelSource, onDownload?: (loaded: number, total: number | null) => void): Promise<RuntimeInfo> {
		const { base, backends, onBackend } = this.options;
		this.lastManifest = manifest;
		this.lastSource = source;
		this.loaded = false;
		const info = await this.worker.api.load(
			{
				manifest,
				modelUrl: new URL(`${base}/models/${manifest.file}`, location.origin).href,
				source: source?.kind === 'opfs' ? source : undefined,
				backends
			},
			Comlink.proxy(onBackend),
			onDownload ? Comlink.proxy(onDownload) : undefined
		);
		this.loaded = true;
		this.crashes = 0;
		return info;
	}

	/**
	 * The worker's `separate`, with the same parameters; the audio's buffers are handed over
	 * (transferred). Rejects with WorkerCrashedError if the worker dies meanwhile.
	 */
	async separate(...[jobId, audio, onProgress, settings = {}, target]: Parameters<SeparatorApi['separate']>): Promise<SeparationResult> {
		await this.reloading;
		// the worker was replaced and could not load the model then: once more, now
		if (!this.loaded && this.lastManifest) await this.load(this.lastManifest, this.lastSource);
		const buffers = audio.channels.map((c) => c.buffer as ArrayBuffer);
		this.running.add(jobId);
		try {
			return await this.worker.api.separate(jobId, Comlink.transfer(audio, buffers), Comlink.proxy(onProgress), settings, target);
		} finally {
			this.running.delete(jobId);
		}
	}

	/**
	 * Asks the worker to stop between chunks. A chunk can run for minutes on a slow GPU and
	 * cannot be interrupted, so if the job has not stopped after CANCEL_GRACE_MS the worker is
	 * terminated and a fresh one loads the same model.
	 */
	async cancel(jobId: string): Promise<void> {
		if (!this.running.has(jobId)) return void (await this.worker.api.cancel(jobId));
		void this.worker.api.cancel(jobId).catch(() => undefined);
		await new Promise((resolve) => setTimeout(resolve, CANCEL_GRACE_MS));
		if (!this.running.has(jobId)) return;
		this.worker.replace(new CancelledError());
		this.restore();
	}

	terminate(): void {
		this.worker.terminate();
	}
}
