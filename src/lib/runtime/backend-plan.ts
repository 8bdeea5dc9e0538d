import type { Backend } from '../separation/fallback';
import type { GpuKind } from './gpu-adapter';

export interface BackendPlan {
	backends: Backend[];
	/** Why WebGPU is not used or why it will be slow; null when there is nothing to say. */
	note: string | null;
}

/**
 * Which backends to try, given what was requested and the GPU the browser offers. A request
 * for WebGPU alone (?backend=webgpu) is honoured even on a software adapter, with a note.
 */
export function planBackends(requested: Backend[], gpu: GpuKind, adapterName: string): BackendPlan {
	const forcedGpu = requested.length === 1 && requested[0] === 'webgpu';
	if (!requested.includes('webgpu')) return { backends: requested, note: null };
	if (gpu === 'none') {
		return forcedGpu
			? { backends: requested, note: 'WebGPU is not available in this browser.' }
			: { backends: requested.filter((b) => b !== 'webgpu'), note: 'WebGPU is not available in this browser, so the CPU is used.' };
	}
	if (gpu === 'software') {
		const what = `The only GPU this browser offers is a software emulation (${adapterName})`;
		return forcedGpu
			? { backends: requested, note: `${what}: it runs on the CPU and is much slower than a real GPU.` }
			: { backends: requested.filter((b) => b !== 'webgpu'), note: `${what}, slower than the CPU path, so the CPU is used.` };
	}
	return { backends: requested, note: null };
}
