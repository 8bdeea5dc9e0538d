/**
 * The stacked weights of a band run (see bands.ts), assembled from the per-band checkpoint
 * tensors when the model is serialized: zero-padded to the run's width, so padded features and
 * outputs contribute nothing.
 */
import type { BandRun } from './bands';
import type { Ctx } from './blocks';
import { maskMlpDims } from './keys';

const splitKey = (b: number) => `band_split.to_features.${b}`;
const maskKey = (stem: number, b: number, layer: number) => `mask_estimators.${stem}.to_freqs.${b}.0.${2 * layer}`;

/** [n, D, W]: each band's Linear weight [D, d] with its RMSNorm gamma * sqrt(d) folded into the columns. */
export function splitWeights(ctx: Ctx, run: BandRun, rows: number[][]): string {
	const D = ctx.config.dim;
	const W = run.width;
	return ctx.w.derived(`band_split.run${run.first}.weight`, [run.count, D, W], async (read) => {
		const out = new Float32Array(run.count * D * W);
		for (let i = 0; i < run.count; i++) {
			const b = run.first + i;
			const d = rows[b].length;
			const weight = await read(`${splitKey(b)}.1.weight`);
			const gamma = await read(`${splitKey(b)}.0.gamma`);
			const scale = Math.sqrt(d);
			for (let o = 0; o < D; o++) {
				for (let j = 0; j < d; j++) out[(i * D + o) * W + j] = weight[o * d + j] * gamma[j] * scale;
			}
		}
		return out;
	});
}

/** [n, D, 1] */
export function splitBias(ctx: Ctx, run: BandRun): string {
	const D = ctx.config.dim;
	return ctx.w.derived(`band_split.run${run.first}.bias`, [run.count, D, 1], async (read) => {
		const out = new Float32Array(run.count * D);
		for (let i = 0; i < run.count; i++) out.set(await read(`${splitKey(run.first + i)}.1.bias`), i * D);
		return out;
	});
}

/**
 * Output row of a band's layer for stored row `r` of that layer ([out, in] as nn.Linear keeps it).
 * Hidden layers keep their rows; the last layer's GLU halves (value, gate; d each) go to [0, d) and
 * [W, W + d) of the run's padded 2W rows.
 */
function layerShape(ctx: Ctx, run: BandRun, rows: number[][], b: number, layer: number, last: boolean) {
	const dims = maskMlpDims(ctx.config, rows[b].length);
	const out = dims[layer + 1];
	const d = rows[b].length;
	return { rowsIn: out, cols: dims[layer], padded: last ? 2 * run.width : out, place: (r: number) => (last && r >= d ? run.width + r - d : r) };
}

/**
 * Every stem's layer `layer` of each band's mask MLP, stacked: the weights as [N, n, out, in], the
 * biases as [N, n, out, 1] (the last layer's rows padded to 2W, see layerShape).
 */
function stackMaskLayer(ctx: Ctx, run: BandRun, rows: number[][], layer: number, last: boolean, part: 'weight' | 'bias'): string {
	const N = ctx.config.numStems;
	const { cols: inputs, padded } = layerShape(ctx, run, rows, run.first, layer, last);
	const cols = part === 'weight' ? inputs : 1;
	return ctx.w.derived(`mask.run${run.first}.layer${layer}.${part}`, [N, run.count, padded, cols], async (read) => {
		const out = new Float32Array(N * run.count * padded * cols);
		for (let n = 0; n < N; n++) {
			for (let i = 0; i < run.count; i++) {
				const b = run.first + i;
				const { rowsIn, place } = layerShape(ctx, run, rows, b, layer, last);
				const values = await read(`${maskKey(n, b, layer)}.${part}`);
				const base = (n * run.count + i) * padded;
				for (let r = 0; r < rowsIn; r++) out.set(values.subarray(r * cols, (r + 1) * cols), (base + place(r)) * cols);
			}
		}
		return out;
	});
}

/** [N, n, out, in]: every stem's layer `layer` of each band's mask MLP (the last one padded to 2W). */
export function maskWeights(ctx: Ctx, run: BandRun, rows: number[][], layer: number, last: boolean): string {
	return stackMaskLayer(ctx, run, rows, layer, last, 'weight');
}

/** [N, n, out, 1] */
export function maskBias(ctx: Ctx, run: BandRun, rows: number[][], layer: number, last: boolean): string {
	return stackMaskLayer(ctx, run, rows, layer, last, 'bias');
}
