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

/** Crossfade ramps of a plan, computed once: fadeIn[i] = chunkWeight's rise at offset i. */
const ramps = new WeakMap<ChunkPlan, { fadeIn: Float32Array; fadeOut: Float32Array }>();
function rampsOf(plan: ChunkPlan) {
	let r = ramps.get(plan);
	if (!r) {
		const { overlap } = plan;
		const fadeIn = new Float32Array(overlap);
		const fadeOut = new Float32Array(overlap);
		for (let i = 0; i < overlap; i++) {
			fadeIn[i] = Math.sin((Math.PI / 2) * ((i + 0.5) / overlap)) ** 2;
			fadeOut[i] = Math.cos((Math.PI / 2) * ((i + 0.5) / overlap)) ** 2;
		}
		ramps.set(plan, (r = { fadeIn, fadeOut }));
	}
	return r;
}

export class OverlapAdd {
	readonly sum: Float32Array;
	private readonly weights: Float32Array;

	constructor(readonly length: number, private readonly plan: ChunkPlan) {
		this.sum = new Float32Array(length);
		this.weights = new Float32Array(length);
	}

	/** Adds chunk `index` with chunkWeight's crossfade (same weights, tabulated). */
	add(index: number, block: Float32Array): void {
		const { starts, overlap, chunk } = this.plan;
		const start = starts[index];
		const end = Math.min(this.length, start + block.length);
		const { fadeIn, fadeOut } = rampsOf(this.plan);
		const rising = overlap > 0 && index > 0;
		const falling = overlap > 0 && index < starts.length - 1;
		const fallFrom = chunk - overlap;
		for (let j = start; j < end; j++) {
			const i = j - start;
			let w = 1;
			if (rising && i < overlap) w *= fadeIn[i];
			if (falling && i >= fallFrom) w *= fadeOut[i - fallFrom];
			this.sum[j] += w * block[i];
			this.weights[j] += w;
		}
	}

	finish(): Float32Array {
		for (let j = 0; j < this.length; j++) if (this.weights[j] > 0) this.sum[j] /= this.weights[j];
		return this.sum;
	}
}

/**
 * OverlapAdd that keeps only the samples still open: once chunk c is added, everything
 * before the next chunk's start is final and handed out by `flush`, so memory is one chunk
 * per signal whatever the song length. Same arithmetic as OverlapAdd (same samples out).
 */
export class StreamingOverlapAdd {
	private readonly sum: Float32Array;
	private readonly weights: Float32Array;
	/** Song position of sum[0]; everything before it has been flushed. */
	private base = 0;

	constructor(readonly length: number, private readonly plan: ChunkPlan) {
		this.sum = new Float32Array(plan.chunk);
		this.weights = new Float32Array(plan.chunk);
	}

	get flushed(): number {
		return this.base;
	}

	add(index: number, block: Float32Array): void {
		const { starts, overlap, chunk } = this.plan;
		const start = starts[index];
		if (start < this.base) throw new RangeError(`chunk ${index} starts before the flushed position`);
		if (start + chunk > this.base + this.sum.length) throw new RangeError(`chunk ${index} added before earlier samples were flushed`);
		const end = Math.min(this.length, start + block.length);
		const { fadeIn, fadeOut } = rampsOf(this.plan);
		const rising = overlap > 0 && index > 0;
		const falling = overlap > 0 && index < starts.length - 1;
		const fallFrom = chunk - overlap;
		const off = start - this.base;
		for (let j = start; j < end; j++) {
			const i = j - start;
			let w = 1;
			if (rising && i < overlap) w *= fadeIn[i];
			if (falling && i >= fallFrom) w *= fadeOut[i - fallFrom];
			this.sum[off + i] += w * block[i];
			this.weights[off + i] += w;
		}
	}

	/** Final samples [flushed, upTo) (a new array); the window moves on. */
	flush(upTo: number): Float32Array {
		const to = Math.min(this.length, upTo);
		const n = Math.max(0, to - this.base);
		const out = this.sum.slice(0, n);
		for (let j = 0; j < n; j++) if (this.weights[j] > 0) out[j] /= this.weights[j];
		this.sum.copyWithin(0, n);
		this.sum.fill(0, this.sum.length - n);
		this.weights.copyWithin(0, n);
		this.weights.fill(0, this.weights.length - n);
		this.base += n;
		return out;
	}
}
