/**
 * Separation worker: a thin comlink shell over the pure pipeline in $lib/separation.
 * Holds one model session (WebGPU first, WASM fallback) and runs one job at a time.
 */
import * as Comlink from 'comlink';
import * as ort from 'onnxruntime-web';
import type { AudioData } from '../dsp/audio';
import { FallbackRunner, type Backend, type BackendEvent } from '../separation/fallback';
import { opfsFolder } from '../models/store/browser';
import { modelBytesLoader } from '../models/store/model-bytes';
import { detectGpuCaps } from '../models/store/precision';
import type { ModelSource } from '../models/store/types';
import type { ModelManifest } from '../separation/manifest';
import { ortSessionFactory } from '../separation/ort-session';
import { separateAudio, type SeparationResult } from '../separation/pipeline';
import type { SeparateOptions } from '../separation/separate';
import { estimateEta, type Progress } from '../separation/progress';

export interface LoadOptions {
	manifest: ModelManifest;
	modelUrl: string;
	/** An imported model's files on this device (instead of modelUrl). */
	source?: ModelSource;
	backends: Backend[];
}

let runner: FallbackRunner | null = null;
let manifest: ModelManifest | null = null;
const cancelled = new Set<string>();

const api = {
	async load(options: LoadOptions, onBackend: (e: BackendEvent) => void): Promise<Backend> {
		await runner?.release();
		runner = null;
		// The .wasm binary is emitted by Vite next to this worker (onnxruntime-web resolves it
		// with import.meta.url) and precached by the service worker with the rest of the build.
		// Multi-threaded WASM needs cross-origin isolation; this worker already keeps the UI free.
		ort.env.wasm.numThreads = 1;
		ort.env.logLevel = 'error';
		const fetchUrl = async (url: string) => {
			const response = await fetch(url);
			if (!response.ok) throw new Error(`Could not load the model (${response.status} ${response.statusText}).`);
			return response.arrayBuffer();
		};
		const source = options.source ?? { kind: 'url', url: options.modelUrl };
		const caps = options.backends.includes('webgpu') ? await detectGpuCaps() : { webgpu: false, shaderF16: false };
		const model = modelBytesLoader(options.manifest, source, caps, { fetchUrl, readStored: (f) => opfsFolder().read(f.name) });
		await model.bytesFor(options.backends[0]); // a missing or damaged model fails the load itself
		manifest = options.manifest;
		runner = new FallbackRunner(async (b) => ortSessionFactory(ort, await model.bytesFor(b))(b), options.backends, onBackend);
		return runner.ready();
	},

	async separate(
		jobId: string,
		audio: AudioData,
		onProgress: (p: Progress) => void,
		settings: Pick<SeparateOptions, 'overlapFraction'> = {}
	): Promise<SeparationResult> {
		if (!runner || !manifest) throw new Error('The model is not loaded yet.');
		const active = runner;
		const started = performance.now();
		onProgress({ fraction: 0, etaSeconds: null, stage: 'preparing', backend: active.backend ?? undefined });
		try {
			const result = await separateAudio(audio, manifest, (input, dims) => active.run(input, dims), {
				overlapFraction: settings.overlapFraction,
				isCancelled: () => cancelled.has(jobId),
				onChunk: (done, total) =>
					onProgress({
						fraction: done / total,
						etaSeconds: estimateEta(done, total, performance.now() - started),
						stage: done === total ? 'finishing' : 'separating',
						backend: active.backend ?? undefined
					})
			});
			const buffers = result.stems.flatMap((s) => s.channels.map((c) => c.buffer as ArrayBuffer));
			return Comlink.transfer(result, buffers);
		} finally {
			cancelled.delete(jobId);
		}
	},

	cancel(jobId: string): void {
		cancelled.add(jobId);
	}
};

export type SeparatorApi = typeof api;
Comlink.expose(api);
