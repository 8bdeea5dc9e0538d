/**
 * Separation worker: a thin comlink shell over the pure pipeline in $lib/separation.
 * Holds one model session (WebGPU first, WASM fallback) and runs one job at a time.
 *
 * onnxruntime-web's WASM threads are Web Workers started from the chunk that holds ORT
 * (named "em-pthread"); such a worker only runs ORT's thread code and never exposes our API.
 */
import * as Comlink from 'comlink';
import { analyzeSong, StemMeters } from '../analysis/report';
import { loadSimdFft } from '../dsp/simd-fft';
import type { AudioData } from '../dsp/audio';
import { RUNTIME_CACHE, fetchCached, type FetchProgress } from '../runtime/asset-cache';
import { planBackends } from '../runtime/backend-plan';
import { classifyAdapter, describeAdapter, probeAdapter, type GpuKind } from '../runtime/gpu-adapter';
import { loadOrt, type OrtBuild, type OrtModule } from '../runtime/ort-loader';
import { planWasmThreads } from '../runtime/threads';
import { FallbackRunner, type Backend, type BackendEvent } from '../separation/fallback';
import { opfsFolder } from '../models/store/browser';
import { modelBytesLoader } from '../models/store/model-bytes';
import type { ModelSource } from '../models/store/types';
import { gateAudio } from '../license/gate';
import { saveToTarget, separateToFiles, type StemTarget } from '../library/stem-writer';
import type { ModelManifest } from '../separation/manifest';
import { ortSessionFactory } from '../separation/ort-session';
import { separateAudio, type SeparationResult } from '../separation/pipeline';
import type { RunModel, SeparateOptions } from '../separation/separate';
import { estimateEta, interimFraction, type Progress } from '../separation/progress';

export interface LoadOptions {
	manifest: ModelManifest;
	modelUrl: string;
	/** An imported model's files on this device (instead of modelUrl). */
	source?: ModelSource;
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
	/** Whether the STFT/iSTFT run on the WASM SIMD FFT (else the TypeScript one). */
	simdFft: boolean;
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
		const runtime = (ort ??= await loadOrt(ortBuild, threads.threads, (url) => fetchAsset(url)));
		const usable = ortBuild === 'wasm' ? plan.backends.filter((b) => b === 'wasm') : plan.backends;
		const backends: Backend[] = usable.length ? usable : ['wasm'];
		// Bundled models come from a URL (kept in the runtime cache), imported ones from OPFS;
		// WebGPU with shader-f16 gets an imported model's fp16 variant when there is one.
		const source = options.source ?? { kind: 'url', url: options.modelUrl };
		const caps = { webgpu: facts !== null, shaderF16: facts?.features.includes('shader-f16') ?? false };
		const model = modelBytesLoader(options.manifest, source, caps, {
			fetchUrl: async (url) => {
				const bytes = await fetchAsset(url, onDownload);
				return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
			},
			readStored: (f) => opfsFolder().read(f.name)
		});
		await model.bytesFor(backends[0]); // a missing or damaged model fails the load itself
		manifest = options.manifest;
		runner = new FallbackRunner(async (b) => ortSessionFactory(runtime, await model.bytesFor(b))(b), backends, onBackend);
		const backend = await runner.ready();
		return {
			backend,
			gpu,
			adapter,
			gpuNote: plan.note,
			threads: threads.threads,
			threadsNote: threads.reason,
			crossOriginIsolated: self.crossOriginIsolated,
			ortBuild,
			simdFft: await loadSimdFft()
		};
	},

	async separate(
		jobId: string,
		audio: AudioData,
		onProgress: (p: Progress) => void,
		settings: Pick<SeparateOptions, 'overlapFraction'> = {},
		/** Save the stems to these library files: as they are produced (bounded memory, no samples returned) or, 'copy', once separated. */
		target?: StemTarget
	): Promise<SeparationResult> {
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
			const planned = await gateAudio(audio); // the worker enforces the free-tier preview itself
			// stems streamed to disk are measured region by region on their way there
			const streamed = target && target.mode !== 'copy' ? target : null;
			const meters = streamed ? new StemMeters(planned.audio.sampleRate) : undefined;
			const run = streamed
				? (a: typeof audio, m: ModelManifest, r: RunModel, o: SeparateOptions) => separateToFiles(a, m, r, streamed, o, (_, stems) => meters!.push(stems))
				: separateAudio;
			const result = await run(planned.audio, manifest, (input, dims) => active.run(input, dims), {
				overlapFraction: settings.overlapFraction,
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
			// what a free-tier preview separated; the page and the library say it in their own words
			if (planned.trimmed) result.preview = { separatedSeconds: planned.audio.channels[0].length / planned.audio.sampleRate, songSeconds: planned.originalSeconds };
			result.analysis = analyzeSong(planned.audio, result.stems, meters); // loudness, tempo, key (src/lib/analysis)
			// on disk and marked saved before the page hears of it (library/stem-writer.ts)
			if (target) await saveToTarget(target, result);
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
