/**
 * What kind of WebGPU adapter the browser offers. A fallback (software) adapter such as
 * SwiftShader runs every shader on the CPU and is far slower than the WASM path, so the app
 * says so and prefers WASM unless WebGPU was asked for explicitly.
 */
export interface AdapterFacts {
	vendor: string;
	architecture: string;
	description: string;
	isFallbackAdapter: boolean;
	features: string[];
}

export type GpuKind = 'hardware' | 'software' | 'none';

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;

export function classifyAdapter(facts: AdapterFacts | null): GpuKind {
	if (!facts) return 'none';
	if (facts.isFallbackAdapter) return 'software';
	return SOFTWARE.test(`${facts.vendor} ${facts.architecture} ${facts.description}`) ? 'software' : 'hardware';
}

export function describeAdapter(facts: AdapterFacts | null): string {
	if (!facts) return 'no WebGPU adapter';
	const name = [facts.vendor, facts.architecture, facts.description].filter(Boolean).join(' ').trim();
	return name || 'an unnamed WebGPU adapter';
}

interface GpuAdapterLike {
	info?: Partial<AdapterFacts>;
	isFallbackAdapter?: boolean;
	features?: Iterable<string>;
	requestAdapterInfo?: () => Promise<Partial<AdapterFacts>>;
}

/** Reads the adapter the browser would give onnxruntime-web (null when there is none). */
export async function probeAdapter(gpu: { requestAdapter(): Promise<unknown> } | undefined): Promise<AdapterFacts | null> {
	if (!gpu) return null;
	let adapter: GpuAdapterLike | null;
	try {
		adapter = (await gpu.requestAdapter()) as GpuAdapterLike | null;
	} catch {
		return null;
	}
	if (!adapter) return null;
	const info = adapter.info ?? (await adapter.requestAdapterInfo?.().catch(() => undefined)) ?? {};
	return {
		vendor: info.vendor ?? '',
		architecture: info.architecture ?? '',
		description: info.description ?? '',
		isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
		features: adapter.features ? [...adapter.features] : []
	};
}
