/**
 * Loads the smallest onnxruntime-web build that has what is needed: the WebGPU (JSEP) build
 * only when a WebGPU backend will be tried, else the plain WASM build (about half the bytes).
 * The .wasm binary is fetched through the asset cache and handed to ORT, so it is downloaded
 * once and kept for offline use; ORT's pthread workers load the same bundled chunk (they are
 * told apart by their worker name, see separator.worker.ts).
 */
import type * as Ort from 'onnxruntime-web';
import jsepWasm from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';
import plainWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';

export type OrtModule = typeof Ort;
export type OrtBuild = 'webgpu+wasm' | 'wasm';

export async function loadOrt(
	build: OrtBuild,
	threads: number,
	fetchAsset: (url: string) => Promise<Uint8Array>
): Promise<OrtModule> {
	const ort: OrtModule = build === 'webgpu+wasm' ? await import('onnxruntime-web') : await import('onnxruntime-web/wasm');
	const wasmUrl = new URL(build === 'webgpu+wasm' ? jsepWasm : plainWasm, self.location.href).href;
	ort.env.wasm.wasmBinary = await fetchAsset(wasmUrl);
	ort.env.wasm.numThreads = threads;
	ort.env.logLevel = 'error';
	return ort;
}
