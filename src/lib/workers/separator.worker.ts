/**
 * Separation worker: a thin comlink shell over the pure pipeline in $lib/separation.
 * Holds one model session (WebGPU first, WASM fallback) and runs one job at a time.
 *
 * onnxruntime-web's WASM threads are Web Workers started from the chunk that holds ORT
 * (named "em-pthread"); such a worker only runs ORT's thread code and never exposes our API.
 */
import * as Comlink from 'comlink';
import type { AudioData } from '../dsp/audio';
import { RUNTIME_CACHE, fetchCached, type FetchProgress } from '../runtime/asset-cache';
import { planBackends } from '../runtime/backend-plan';
import { classifyAdapter, describeAdapter, probeAdapter, type GpuKind } from '../runtime/gpu-adapter';
import { loadOrt, type OrtBuild, type OrtModule } from '../runtime/ort-loader';
import { planWasmThreads } from '../runtime/threads';
import { FallbackRunner, type Backend, type BackendEvent } from '../separation/fallback';
import { verifyModel } from '../separation/integrity';
import type { ModelManifest } from '../separation/manifest';
import { ortSessionFactory } from '../separation/ort-session';
import { separateAudio, type SeparationResult } from '../separation/pipeline';
import { estimateEta, interimFraction, type Progress } from '../separation/progress';

export interface LoadOptions {
	manifest: ModelManifest;
	modelUrl: string;
	backends: Backend[];
}

export interface RuntimeInfo {
	backend: Backend;
	gpu: GpuKind;
	adapter: string;
	/** Why WebGPU is not used or is slow, in words for the user. */
	gpuNote: string | null;
	threads: number;
	threadsNote: string | null;
	crossOriginIsolated: boolean;
	ortBuild: OrtBuild;
}

let runner: FallbackRunner | null = null;
let manifest: ModelManifest | null = null;
let ort: OrtModule | null = null;
let ortBuild: OrtBuild | null = null;
const cancelled = new Set<string>();

async function fetchAsset(url: string, onProgress?: FetchProgress): Promise<Uint8Array> {
	const cache = await caches.open(RUNTIME_CACHE).catch(() => null);
	return (await fetchCached(url, { cache, fetch: (u) => fetch(u) }, onProgress)).bytes;
}

const api = {
	async load(
		options: LoadOptions,
		onBackend: (e: BackendEvent) => void,
		onDownload?: (loaded: number, total: number | null) => void
	): Promise<RuntimeInfo> {
		await runner?.release();
		runner = null;
		const facts = options.backends.includes('webgpu') ? await probeAdapter((navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu) : null;
		const gpu = classifyAdapter(facts);
		const adapter = describeAdapter(facts);
		const plan = planBackends(options.backends, gpu, adapter);
		const threads = planWasmThreads(navigator.hardwareConcurrency, self.crossOriginIsolated);
		// The ORT build is fixed for this worker's life; a later load reuses it.
		ortBuild ??= plan.backends.includes('webgpu') ? 'webgpu+wasm' : 'wasm';
		ort ??= await loadOrt(ortBuild, threads.threads, (url) => fetchAsset(url));
		const bytes = await fetchAsset(options.modelUrl, onDownload);
		await verifyModel(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, options.manifest, options.manifest.file);
		manifest = options.manifest;
		const usable = ortBuild === 'wasm' ? plan.backends.filter((b) => b === 'wasm') : plan.backends;
		runner = new FallbackRunner(ortSessionFactory(ort, bytes), usable.length ? usable : ['wasm'], onBackend);
		const backend = await runner.ready();
		return {
			backend,
			gpu,
			adapter,
			gpuNote: plan.note,
			threads: threads.threads,
			threadsNote: threads.reason,
			crossOriginIsolated: self.crossOriginIsolated,
			ortBuild
		};
	},

	async separate(jobId: string, audio: AudioData, onProgress: (p: Progress) => void): Promise<SeparationResult> {
		if (!runner || !manifest) throw new Error('The model is not loaded yet.');
		const active = runner;
		const started = performance.now();
		let chunkStart = started;
		let lastChunkMs: number | null = null;
		let done = 0;
		let total = 0;
		const report = (stage: Progress['stage']) => {
			const now = performance.now();
			onProgress({
				fraction: total ? interimFraction(done, total, now - chunkStart, lastChunkMs) : 0,
				etaSeconds: estimateEta(done, total, chunkStart - started),
				stage,
				backend: active.backend ?? undefined,
				chunk: total ? { done, total, runningSeconds: (now - chunkStart) / 1000 } : undefined
			});
		};
		report('preparing');
		// While a chunk runs on the GPU this thread is free: keep the bar moving. (A WASM run
		// holds this thread, so the timer only fires between chunks there.)
		const heartbeat = setInterval(() => total && done < total && report('separating'), 1000);
		try {
			const result = await separateAudio(audio, manifest, (input, dims) => active.run(input, dims), {
				isCancelled: () => cancelled.has(jobId),
				onChunk: (d, t) => {
					const now = performance.now();
					if (d > 0) lastChunkMs = now - chunkStart;
					chunkStart = now;
					done = d;
					total = t;
					report(d === t ? 'finishing' : 'separating');
				}
			});
			const buffers = result.stems.flatMap((s) => s.channels.map((c) => c.buffer as ArrayBuffer));
			return Comlink.transfer(result, buffers);
		} finally {
			clearInterval(heartbeat);
			cancelled.delete(jobId);
		}
	},

	cancel(jobId: string): void {
		cancelled.add(jobId);
	}
};

export type SeparatorApi = typeof api;
if (!self.name.startsWith('em-pthread')) Comlink.expose(api);
