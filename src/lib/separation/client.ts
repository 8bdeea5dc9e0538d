/** Main-thread handle on the separation worker. */
import * as Comlink from 'comlink';
import type { ModelSource } from '../models/store/types';
import type { Backend, BackendEvent } from './fallback';
import type { ModelIndex, ModelManifest } from './manifest';
import { validateManifest } from './manifest';
import type { SeparationResult } from './pipeline';
import { CancelledError } from './progress';
import type { RuntimeInfo, SeparatorApi } from '../workers/separator.worker';

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
	private worker!: Worker;
	private api!: Comlink.Remote<SeparatorApi>;
	private lastManifest: ModelManifest | null = null;
	private lastSource: ModelSource | undefined;
	private readonly pending = new Map<string, (e: Error) => void>();
	private reloading: Promise<unknown> = Promise.resolve();

	constructor(private readonly options: SeparatorOptions) {
		this.spawn();
	}

	private spawn(): void {
		this.worker = new Worker(new URL('../workers/separator.worker.ts', import.meta.url), { type: 'module' });
		this.api = Comlink.wrap<SeparatorApi>(this.worker);
	}

	load(manifest: ModelManifest, source?: ModelSource, onDownload?: (loaded: number, total: number | null) => void): Promise<RuntimeInfo> {
		const { base, backends, onBackend } = this.options;
		this.lastManifest = manifest;
		this.lastSource = source;
		return this.api.load(
			{
				manifest,
				modelUrl: new URL(`${base}/models/${manifest.file}`, location.origin).href,
				source: source?.kind === 'opfs' ? source : undefined,
				backends
			},
			Comlink.proxy(onBackend),
			onDownload ? Comlink.proxy(onDownload) : undefined
		);
	}

	/** The worker's `separate`, with the same parameters; the audio's buffers are handed over (transferred). */
	async separate(...[jobId, audio, onProgress, settings = {}, target]: Parameters<SeparatorApi['separate']>): Promise<SeparationResult> {
		await this.reloading;
		const buffers = audio.channels.map((c) => c.buffer as ArrayBuffer);
		const stopped = new Promise<never>((_, reject) => this.pending.set(jobId, reject));
		try {
			return await Promise.race([this.api.separate(jobId, Comlink.transfer(audio, buffers), Comlink.proxy(onProgress), settings, target), stopped]);
		} finally {
			this.pending.delete(jobId);
		}
	}

	/**
	 * Asks the worker to stop between chunks. A chunk can run for minutes on a slow GPU and
	 * cannot be interrupted, so if the job has not stopped after CANCEL_GRACE_MS the worker is
	 * terminated and a fresh one loads the same model.
	 */
	async cancel(jobId: string): Promise<void> {
		if (!this.pending.has(jobId)) return void (await this.api.cancel(jobId));
		void this.api.cancel(jobId);
		await new Promise((resolve) => setTimeout(resolve, CANCEL_GRACE_MS));
		const reject = this.pending.get(jobId);
		if (!reject) return;
		this.worker.terminate();
		reject(new CancelledError());
		this.spawn();
		if (this.lastManifest) this.reloading = this.load(this.lastManifest, this.lastSource).catch(() => {});
	}

	terminate(): void {
		this.worker.terminate();
	}
}
