export interface Progress {
	/** 0..1 */
	fraction: number;
	/** Seconds left, or null until there is enough to estimate from. */
	etaSeconds: number | null;
	stage: 'preparing' | 'separating' | 'finishing';
	backend?: string;
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
