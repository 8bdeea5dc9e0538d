/**
 * Splitting long audio into fixed-size model chunks and putting the results back
 * together with raised-cosine crossfades (overlap-add normalised by the window sum).
 */
export interface ChunkPlan {
	chunk: number;
	overlap: number;
	starts: number[];
}

export function planChunks(length: number, chunk: number, overlap: number): ChunkPlan {
	if (!(chunk > 0) || overlap < 0 || overlap >= chunk) throw new RangeError(`bad chunking ${chunk}/${overlap}`);
	const step = chunk - overlap;
	const starts = [0];
	while (starts[starts.length - 1] + chunk < length) starts.push(starts[starts.length - 1] + step);
	return { chunk, overlap, starts };
}

/** Samples [start, start+chunk) of `signal`, zero-padded past its end. */
export function readChunk(signal: Float32Array, start: number, chunk: number): Float32Array {
	const out = new Float32Array(chunk);
	out.set(signal.subarray(start, Math.min(signal.length, start + chunk)));
	return out;
}

/** Crossfade weight of chunk `index` at offset `i` (fade-in/out over the overlap, none at the ends). */
export function chunkWeight(plan: ChunkPlan, index: number, i: number): number {
	const { overlap, chunk, starts } = plan;
	if (overlap === 0) return 1;
	let w = 1;
	if (index > 0 && i < overlap) w *= Math.sin((Math.PI / 2) * ((i + 0.5) / overlap)) ** 2;
	if (index < starts.length - 1 && i >= chunk - overlap) {
		w *= Math.cos((Math.PI / 2) * ((i - (chunk - overlap) + 0.5) / overlap)) ** 2;
	}
	return w;
}

export class OverlapAdd {
	readonly sum: Float32Array;
	private readonly weights: Float32Array;

	constructor(readonly length: number, private readonly plan: ChunkPlan) {
		this.sum = new Float32Array(length);
		this.weights = new Float32Array(length);
	}

	add(index: number, block: Float32Array): void {
		const start = this.plan.starts[index];
		const end = Math.min(this.length, start + block.length);
		for (let j = start; j < end; j++) {
			const w = chunkWeight(this.plan, index, j - start);
			this.sum[j] += w * block[j - start];
			this.weights[j] += w;
		}
	}

	finish(): Float32Array {
		for (let j = 0; j < this.length; j++) if (this.weights[j] > 0) this.sum[j] /= this.weights[j];
		return this.sum;
	}
}
