/**
 * Which weights run where. WebGPU with the adapter feature `shader-f16` gets the fp16 variant
 * (half the memory); WebGPU without it and WASM use fp32. An import builds fp32 always (the
 * WASM fallback needs it) and fp16 as well when this device's WebGPU could use it.
 */
import type { Backend } from '../../separation/fallback';
import type { Precision } from './types';

export interface GpuCaps {
	/** navigator.gpu gave an adapter. */
	webgpu: boolean;
	/** The adapter lists 'shader-f16'. */
	shaderF16: boolean;
}

/** Variants an import should build on this device. */
export function importPrecisions(caps: GpuCaps, canBuildFp16: boolean): Precision[] {
	return caps.webgpu && caps.shaderF16 && canBuildFp16 ? ['fp32', 'fp16'] : ['fp32'];
}

/** The variant a backend loads, given the variants stored and the device's capabilities. */
export function variantFor(backend: Backend, available: { fp16: boolean }, caps: GpuCaps): Precision {
	return backend === 'webgpu' && caps.shaderF16 && available.fp16 ? 'fp16' : 'fp32';
}

interface AdapterLike {
	features: { has(name: string): boolean };
}
interface GpuLike {
	requestAdapter(): Promise<AdapterLike | null>;
}

/** Asks the browser (window or worker) what its WebGPU adapter offers. */
export async function detectGpuCaps(nav: { gpu?: unknown } | undefined = globalThis.navigator as { gpu?: unknown }): Promise<GpuCaps> {
	const gpu = nav?.gpu as GpuLike | undefined;
	if (!gpu) return { webgpu: false, shaderF16: false };
	try {
		const adapter = await gpu.requestAdapter();
		return { webgpu: !!adapter, shaderF16: !!adapter?.features.has('shader-f16') };
	} catch {
		return { webgpu: false, shaderF16: false };
	}
}
