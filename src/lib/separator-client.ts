/** Main-thread handle on the separation worker. */
import * as Comlink from 'comlink';
import type { AudioData } from './dsp/audio';
import type { ModelSource } from './models/store/types';
import type { Backend, BackendEvent } from './separation/fallback';
import type { ModelIndex, ModelManifest } from './separation/manifest';
import { validateManifest } from './separation/manifest';
import type { SeparationResult } from './separation/pipeline';
import type { SeparateOptions } from './separation/separate';
import type { Progress } from './separation/progress';
import type { SeparatorApi } from './workers/separator.worker';

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

export class Separator {
	private readonly worker: Worker;
	private readonly api: Comlink.Remote<SeparatorApi>;

	constructor(private readonly options: SeparatorOptions) {
		this.worker = new Worker(new URL('./workers/separator.worker.ts', import.meta.url), { type: 'module' });
		this.api = Comlink.wrap<SeparatorApi>(this.worker);
	}

	load(manifest: ModelManifest, source?: ModelSource): Promise<Backend> {
		const { base, backends, onBackend } = this.options;
		const origin = location.origin;
		return this.api.load(
			{
				manifest,
				modelUrl: new URL(`${base}/models/${manifest.file}`, origin).href,
				source: source?.kind === 'opfs' ? source : undefined,
				backends
			},
			Comlink.proxy(onBackend)
		);
	}

	separate(
		jobId: string,
		audio: AudioData,
		onProgress: (p: Progress) => void,
		settings: Pick<SeparateOptions, 'overlapFraction'> = {}
	): Promise<SeparationResult> {
		const buffers = audio.channels.map((c) => c.buffer as ArrayBuffer);
		return this.api.separate(jobId, Comlink.transfer(audio, buffers), Comlink.proxy(onProgress), settings);
	}

	cancel(jobId: string): Promise<void> {
		return this.api.cancel(jobId);
	}

	terminate(): void {
		this.worker.terminate();
	}
}
