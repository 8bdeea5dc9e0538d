export interface Progress {
	/** 0..1 */
	fraction: number;
	/** Seconds left, or null until there is enough to estimate from. */
	etaSeconds: number | null;
	stage: 'preparing' | 'separating' | 'finishing';
	backend?: string;
	/** Chunks done and in all, and how long the running chunk has taken so far. */
	chunk?: { done: number; total: number; runningSeconds: number };
}

/** Linear ETA from the work done so far. */
export function estimateEta(done: number, total: number, elapsedMs: number): number | null {
	if (done <= 0 || total <= 0 || elapsedMs <= 0) return null;
	return ((total - done) * elapsedMs) / done / 1000;
}

export class CancelledError extends Error {
	constructor() {
		super('Cancelled');
		this.name = 'CancelledError';
	}
}

/**
 * Progress while a chunk is still running (a WebGPU chunk can take minutes on a slow GPU):
 * the running chunk counts in proportion to the time the previous one took, never reaching
 * its end. Before any chunk has finished there is nothing to scale by, so it stays put.
 */
export function interimFraction(done: number, total: number, runningMs: number, lastChunkMs: number | null): number {
	if (total <= 0) return 0;
	if (!lastChunkMs || lastChunkMs <= 0) return done / total;
	return (done + Math.min(0.95, runningMs / lastChunkMs)) / total;
}

/** A line for the user under the progress bar. */
export function progressText(p: Progress): string {
	const c = p.chunk;
	if (!c) return '';
	if (c.done === 0 && c.runningSeconds >= 2) {
		return `Measuring speed on the first of ${c.total} chunks (${Math.round(c.runningSeconds)} s so far); the time left is shown after it.`;
	}
	return `Chunk ${Math.min(c.done + 1, c.total)} of ${c.total}`;
}
