/**
 * Waveform peaks for stems that are never in memory whole: one min/max per block of
 * BLOCK frames, accumulated region by region while reading the files, then turned into
 * display columns on demand (same column boundaries as computePeaks, at block resolution).
 */
import type { Peaks } from './peaks';

export const PEAK_BLOCK = 512;

export class BlockPeaks {
	readonly min: Float32Array;
	readonly max: Float32Array;

	constructor(readonly frames: number, readonly block = PEAK_BLOCK) {
		const n = Math.max(1, Math.ceil(frames / block));
		this.min = new Float32Array(n).fill(Infinity);
		this.max = new Float32Array(n).fill(-Infinity);
	}

	/** Adds frames [start, start + length) of a lane: `parts[c]` are summed into channel c. */
	add(start: number, channels: Float32Array[][]): void {
		const length = channels[0][0].length;
		for (const parts of channels) {
			for (let i = 0; i < length; i++) {
				let x = 0;
				for (const p of parts) x += p[i];
				const b = ((start + i) / this.block) | 0;
				if (x < this.min[b]) this.min[b] = x;
				if (x > this.max[b]) this.max[b] = x;
			}
		}
	}

	/** Display columns over the whole signal (what PeakCache gives for in-memory stems). */
	columns(columns: number): Peaks {
		const cols = Math.max(1, Math.floor(columns));
		const min = new Float32Array(cols);
		const max = new Float32Array(cols);
		const n = this.frames;
		for (let k = 0; k < cols; k++) {
			const start = Math.min(n - 1, Math.floor((k * n) / cols));
			const end = Math.max(start + 1, Math.floor(((k + 1) * n) / cols));
			let lo = Infinity;
			let hi = -Infinity;
			for (let b = (start / this.block) | 0; b <= ((end - 1) / this.block | 0) && b < this.min.length; b++) {
				if (this.min[b] < lo) lo = this.min[b];
				if (this.max[b] > hi) hi = this.max[b];
			}
			min[k] = Number.isFinite(lo) ? lo : 0;
			max[k] = Number.isFinite(hi) ? hi : 0;
		}
		return { columns: cols, min, max };
	}
}

/** Caches column peaks per column count, like PeakCache. */
export class BlockPeakCache {
	private readonly cache = new Map<number, Peaks>();
	constructor(private readonly peaks: BlockPeaks) {}
	get(columns: number): Peaks {
		const cols = Math.max(1, Math.floor(columns));
		let p = this.cache.get(cols);
		if (!p) this.cache.set(cols, (p = this.peaks.columns(cols)));
		return p;
	}
}
