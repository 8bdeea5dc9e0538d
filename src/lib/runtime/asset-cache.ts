/**
 * Large runtime assets (onnxruntime-web's .wasm, model files) are fetched once by the worker
 * that needs them and kept in Cache Storage, so the first visit downloads each file once and
 * later visits (also offline) read it from the device. The service worker serves the same
 * cache to any other request for these URLs and prunes entries a new version no longer uses.
 */
export const RUNTIME_CACHE = 'stemsafe-runtime-assets';

export interface CacheLike {
	match(url: string): Promise<Response | undefined>;
	put(url: string, response: Response): Promise<void>;
}

export type FetchProgress = (loaded: number, total: number | null) => void;

/** Reads a body to the end, reporting bytes as they arrive. */
export async function readBody(response: Response, onProgress?: FetchProgress): Promise<Uint8Array> {
	const header = Number(response.headers.get('content-length'));
	// With Content-Encoding the header counts compressed bytes, not what the stream yields.
	const total = Number.isFinite(header) && header > 0 && !response.headers.get('content-encoding') ? header : null;
	if (!response.body) {
		const bytes = new Uint8Array(await response.arrayBuffer());
		onProgress?.(bytes.length, bytes.length);
		return bytes;
	}
	const reader = response.body.getReader();
	const parts: Uint8Array[] = [];
	let loaded = 0;
	onProgress?.(0, total);
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		parts.push(value);
		loaded += value.length;
		onProgress?.(loaded, total);
	}
	if (parts.length === 1) return parts[0];
	const bytes = new Uint8Array(loaded);
	let offset = 0;
	for (const p of parts) {
		bytes.set(p, offset);
		offset += p.length;
	}
	return bytes;
}

/**
 * Cache first, then network (the network copy is stored for next time). A cache that cannot
 * be opened (private mode, quota) only means the file is fetched again next time.
 */
export async function fetchCached(
	url: string,
	deps: { cache: CacheLike | null; fetch: (url: string) => Promise<Response> },
	onProgress?: FetchProgress
): Promise<{ bytes: Uint8Array; fromCache: boolean }> {
	const hit = await deps.cache?.match(url).catch(() => undefined);
	if (hit) return { bytes: await readBody(hit, onProgress), fromCache: true };
	const response = await deps.fetch(url);
	if (!response.ok) throw new Error(`${new URL(url).pathname} could not be downloaded (${response.status} ${response.statusText}).`);
	const bytes = await readBody(response, onProgress);
	if (deps.cache) {
		const headers = { 'content-type': response.headers.get('content-type') ?? 'application/octet-stream', 'content-length': String(bytes.length) };
		await deps.cache.put(url, new Response(bytes as BodyInit, { headers })).catch(() => {});
	}
	return { bytes, fromCache: false };
}
