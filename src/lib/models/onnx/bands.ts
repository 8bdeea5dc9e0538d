/**
 * The band-split input and the mask-estimator output of BS-Roformer and Mel-Band-Roformer, batched:
 * upstream runs one small Linear per band (and per stem), which as ONNX is thousands of tiny nodes
 * (over 2,000 kernels a call for a 62-band, 3-stem model; each costs a dispatch and, with WASM
 * threads, a thread-pool round trip). Here consecutive bands are grouped into runs; a run is one
 * Gather of its (zero-padded) feature rows, one batched RMSNorm and one batched MatMul, and the mask
 * MLPs of all stems of a run are batched MatMuls too. Same arithmetic as per-band Linears (padding
 * rows and weight columns are zeros), so the graph agrees with PyTorch as before.
 *
 * Layouts: the spectrum's feature rows are (s, f, re/im) of the input [1, S, F, T, 2], i.e. the
 * input transposed to [S, F, 2, T]. A band's features are the rows it reads, in upstream's
 * feature order; its mask features go back to the same rows (averaged where Mel bands overlap).
 */
import { toBody, toFloat32, transpose, reshape, slice, pick, unsqueeze, type Ctx } from './blocks';
import { audioChannels, maskMlpDims } from './keys';
import { maskBias, maskWeights, splitBias, splitWeights } from './band-weights';
import { melBandLayout } from './mel-bands';

/** Per band, the spectrum rows ((s * F + f) * 2 + c) it reads, in upstream's feature order (f, s, c). */
export function bandRows(ctx: Ctx): number[][] {
	const c = ctx.config;
	const S = audioChannels(c);
	const F = c.dimFreqsIn;
	const row = (f: number, s: number, part: number) => (s * F + f) * 2 + part;
	const rows: number[][] = [];
	if (c.arch === 'bs_roformer') {
		let f0 = 0;
		for (const nf of c.freqsPerBands ?? []) {
			const band: number[] = [];
			for (let f = f0; f < f0 + nf; f++) for (let s = 0; s < S; s++) band.push(row(f, s, 0), row(f, s, 1));
			rows.push(band);
			f0 += nf;
		}
		return rows;
	}
	const layout = melBandLayout(c.sampleRate, c.nFft, c.numBands ?? 0, S);
	let k = 0;
	for (const nf of layout.binsPerBand) {
		const band: number[] = [];
		for (let i = 0; i < nf * S; i++, k++) {
			const j = layout.freqIndices[k]; // f * S + s
			band.push(row(Math.floor(j / S), j % S, 0), row(Math.floor(j / S), j % S, 1));
		}
		rows.push(band);
	}
	return rows;
}

export interface BandRun {
	/** Bands [first, first + count). */
	first: number;
	count: number;
	/** Features per band in this run: the widest band's; narrower bands are zero-padded. */
	width: number;
}

/**
 * Consecutive bands grouped into runs, minimising (padded features + `overhead` per run): equal
 * widths always share a run (no padding); near-equal ones do when padding costs less than a run.
 */
export function bandRuns(widths: number[], overhead = 64): BandRun[] {
	const n = widths.length;
	const best = new Array<number>(n + 1).fill(Infinity);
	const from = new Array<number>(n + 1).fill(0);
	best[0] = 0;
	for (let end = 1; end <= n; end++) {
		let widest = 0;
		for (let start = end - 1; start >= 0; start--) {
			widest = Math.max(widest, widths[start]);
			const cost = best[start] + overhead + widest * (end - start);
			if (cost < best[end]) {
				best[end] = cost;
				from[end] = start;
			}
		}
	}
	const runs: BandRun[] = [];
	for (let end = n; end > 0; end = from[end]) {
		const first = from[end];
		runs.unshift({ first, count: end - first, width: Math.max(...widths.slice(first, end)) });
	}
	return runs;
}

/** The spectrum [1, S, F, T, 2] as feature rows [S * F * 2, T] (float32). */
function spectrumRows(ctx: Ctx, stft: string, frames: number): string {
	const c = ctx.config;
	return reshape(ctx, transpose(ctx, stft, [0, 1, 2, 4, 3]), [audioChannels(c) * c.dimFreqsIn * 2, frames]);
}

/**
 * Band split: stft [1, S, F, T, 2] -> [bands, T, D] (body type). Per run: Gather [n, W, T] ->
 * RMSNorm over W (float32) -> MatMul with [n, D, W] (gamma * sqrt(width) folded into the
 * weights) + bias. Runs are concatenated in band order.
 */
export function bandSplit(ctx: Ctx, stft: string, frames: number, rows: number[][], runs: BandRun[]): string {
	const { g, config } = ctx;
	let base = spectrumRows(ctx, stft, frames);
	const total = audioChannels(config) * config.dimFreqsIn * 2;
	const padded = runs.some((r) => rows.slice(r.first, r.first + r.count).some((b) => b.length < r.width));
	if (padded) base = g.op('Concat', [base, g.floats('zero_row', new Float32Array(frames), [1, frames], 'float32')], { axis: 0 });
	const outs = runs.map((run) => {
		const idx: number[] = [];
		for (let b = run.first; b < run.first + run.count; b++) {
			for (let i = 0; i < run.width; i++) idx.push(rows[b][i] ?? total);
		}
		const x = g.op('Gather', [base, g.int64s(idx, [run.count, run.width])], { axis: 0 }); // [n, W, T]
		const sum = g.op('ReduceSum', [g.op('Mul', [x, x]), g.int64s([1])], { keepdims: 1 });
		const norm = g.op('Max', [g.op('Sqrt', [sum]), g.scalar(1e-12, 'float32')]);
		const unit = toBody(ctx, g.op('Div', [x, norm]));
		const y = g.op('MatMul', [splitWeights(ctx, run, rows), unit]); // [n, D, T]
		return g.op('Add', [y, splitBias(ctx, run)]);
	});
	const all = outs.length === 1 ? outs[0] : g.op('Concat', outs, { axis: 0 }); // [bands, D, T]
	return transpose(ctx, all, [0, 2, 1]);
}

/**
 * Mask estimators: x [T, bands, D] (body type) -> masks [N, S * F * 2, T] (float32) on the
 * spectrum rows, overlapping bands averaged, bin 0 zeroed when the config asks. Per run, every
 * stem's MLP at once: [N, n, out, in] x [n, in, T] -> [N, n, out, T]; GLU on the padded halves.
 */
export function maskEstimators(ctx: Ctx, x: string, frames: number, rows: number[][], runs: BandRun[]): string {
	const { g, config } = ctx;
	const N = config.numStems;
	const S = audioChannels(config);
	const F = config.dimFreqsIn;
	const total = S * F * 2;
	const xt = transpose(ctx, x, [1, 2, 0]); // [bands, D, T]
	const parts: string[] = [];
	const position: number[][] = Array.from({ length: total }, () => []); // padded positions per row
	let offset = 0;
	const dims = maskMlpDims(config, 0).length; // layer count + 1
	for (const run of runs) {
		let h = runs.length === 1 ? xt : slice(ctx, xt, 0, run.first, run.first + run.count); // [n, D, T]
		for (let j = 0; j + 1 < dims; j++) {
			const last = j + 2 === dims;
			h = g.op('Add', [g.op('MatMul', [maskWeights(ctx, run, rows, j, last), h]), maskBias(ctx, run, rows, j, last)]);
			if (!last) h = g.op('Tanh', [h]);
		}
		const W = run.width;
		const glu = g.op('Mul', [slice(ctx, h, 2, 0, W), g.op('Sigmoid', [slice(ctx, h, 2, W, 2 * W)])]); // [N, n, W, T]
		parts.push(reshape(ctx, glu, [N, run.count * W, frames]));
		for (let b = run.first; b < run.first + run.count; b++) {
			rows[b].forEach((r, i) => position[r].push(offset + (b - run.first) * W + i));
		}
		offset += run.count * W;
	}
	if (config.zeroDc) for (let s = 0; s < S; s++) for (const part of [0, 1]) position[s * F * 2 + part] = [];
	const rounds = Math.max(...position.map((p) => p.length));
	if (rounds === 0) throw new Error('internal error: no band covers the spectrum');
	const identity = offset === total && position.every((p, r) => p.length === 1 && p[0] === r);
	if (!identity) parts.push(g.floats('zero_mask_row', new Float32Array(N * frames), [N, 1, frames])); // at `offset`
	const masks = toFloat32(ctx, parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: 1 })); // [N, padded, T]
	if (identity) return masks;
	let sum = '';
	for (let k = 0; k < rounds; k++) {
		const picked = g.op('Gather', [masks, g.int64s(position.map((p) => p[k] ?? offset))], { axis: 1 });
		sum = sum ? g.op('Add', [sum, picked]) : picked;
	}
	const counts = position.map((p) => Math.max(1, p.length));
	if (counts.some((n) => n > 1)) sum = g.op('Div', [sum, g.floats('bands_per_row', Float32Array.from(counts), [total, 1], 'float32')]);
	return sum;
}

/** Complex product of the input spectrum [1, S, F, T, 2] with masks [N, S * F * 2, T] -> stems [1, N, S, F, T, 2]. */
export function applyMasks(ctx: Ctx, stft: string, masks: string, frames: number): string {
	const { g, config } = ctx;
	const S = audioChannels(config);
	const F = config.dimFreqsIn;
	const m = reshape(ctx, masks, [config.numStems, S, F, 2, frames]);
	const mr = pick(ctx, m, 3, 0); // [N, S, F, T]
	const mi = pick(ctx, m, 3, 1);
	const sr = pick(ctx, stft, 4, 0); // [1, S, F, T]
	const si = pick(ctx, stft, 4, 1);
	const re = g.op('Sub', [g.op('Mul', [sr, mr]), g.op('Mul', [si, mi])]);
	const im = g.op('Add', [g.op('Mul', [sr, mi]), g.op('Mul', [si, mr])]);
	return unsqueeze(ctx, g.op('Concat', [unsqueeze(ctx, re, 4), unsqueeze(ctx, im, 4)], { axis: 4 }), 0);
}
