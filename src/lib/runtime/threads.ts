/**
 * How many WebAssembly threads onnxruntime-web may use. Threads need SharedArrayBuffer,
 * which browsers only give a cross-origin-isolated page (COOP + COEP headers); without it
 * ORT silently stays on one thread, so we say so instead of asking for more.
 */
export const MAX_WASM_THREADS = 16;

export interface ThreadPlan {
	threads: number;
	/** Why only one thread is used, when that is the case. */
	reason: string | null;
}

export function planWasmThreads(hardwareConcurrency: number | undefined, crossOriginIsolated: boolean): ThreadPlan {
	const cores = Number.isFinite(hardwareConcurrency) && hardwareConcurrency! > 0 ? Math.floor(hardwareConcurrency!) : 1;
	if (!crossOriginIsolated) {
		return { threads: 1, reason: 'the page is not cross-origin isolated (the server sends no COOP/COEP headers)' };
	}
	if (cores <= 1) return { threads: 1, reason: 'the browser reports a single CPU core' };
	return { threads: Math.min(cores, MAX_WASM_THREADS), reason: null };
}
