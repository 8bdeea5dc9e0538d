/**
 * Waveform peaks: per display column, the lowest and highest sample of the (summed)
 * signal. Computed once per zoom level (column count) and then only drawn.
 */
export interface Peaks {
	/** Columns across the whole signal. */
	columns: number;
	min: Float32Array;
	max: Float32Array;
}

/**
 * `channels[c]` lists the arrays summed to form channel c (one array for a stem, every
 * stem's channel c for the mix). Column k covers samples [k·n/columns, (k+1)·n/columns);
 * when the signal is shorter than the column count, a column shows the sample under it.
 */
export function computePeaks(channels: Float32Array[][], columns: number): Peaks {
	const cols = Math.max(1, Math.floor(columns));
	const min = new Float32Array(cols);
	const max = new Float32Array(cols);
	const n = channels[0]?.[0]?.length ?? 0;
	if (n === 0) return { columns: cols, min, max };
	for (let k = 0; k < cols; k++) {
		let start = Math.floor((k * n) / cols);
		let end = Math.floor(((k + 1) * n) / cols);
		if (end <= start) end = start + 1;
		if (start >= n) start = n - 1;
		let lo = Infinity;
		let hi = -Infinity;
		const stop = Math.min(end, n);
		for (let c = 0; c < channels.length; c++) {
			const parts = channels[c];
			if (parts.length === 1) {
				const p = parts[0];
				for (let i = start; i < stop; i++) {
					const x = p[i];
					if (x < lo) lo = x;
					if (x > hi) hi = x;
				}
			} else {
				for (let i = start; i < stop; i++) {
					let x = 0;
					for (let j = 0; j < parts.length; j++) x += parts[j][i];
					if (x < lo) lo = x;
					if (x > hi) hi = x;
				}
			}
		}
		min[k] = lo;
		max[k] = hi;
	}
	return { columns: cols, min, max };
}

/** Peaks cached by column count, so changing zoom back and forth never recomputes. */
export class PeakCache {
	private readonly cache = new Map<number, Peaks>();
	computed = 0;

	constructor(private readonly channels: Float32Array[][]) {}

	get(columns: number): Peaks {
		const cols = Math.max(1, Math.floor(columns));
		let p = this.cache.get(cols);
		if (!p) {
			p = computePeaks(this.channels, cols);
			this.cache.set(cols, p);
			this.computed++;
		}
		return p;
	}
}

/** Zoom levels offered: the visible span is duration / zoom. */
export const ZOOM_LEVELS = [1, 2, 4, 8, 16, 32] as const;

/** The visible window [start, start + span) in seconds for a zoom level, keeping `position` in view. */
export function visibleWindow(duration: number, zoom: number, position: number, currentStart: number): { start: number; span: number } {
	const span = duration / Math.max(1, zoom);
	if (span >= duration) return { start: 0, span: duration };
	let start = currentStart;
	if (position < start || position >= start + span) start = position - span * 0.1; // page to the playhead
	start = Math.min(Math.max(0, start), duration - span);
	return { start, span };
}

/** Time (s) under a horizontal fraction [0, 1] of the visible window. */
export function timeAt(fraction: number, window: { start: number; span: number }, duration: number): number {
	const f = Math.min(1, Math.max(0, fraction));
	return Math.min(duration, window.start + f * window.span);
}
