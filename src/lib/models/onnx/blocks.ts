/**
 * The layers BS-Roformer and Mel-Band-Roformer share, as ONNX nodes computing what
 * tools/stemsafe_tools/roformer_blocks.py computes (and what its torch.onnx export contains).
 * The batch dimension is 1 and dropped inside the graph: the axial transformer state is [T, bands, D].
 *
 * Half precision: the body runs in float16 with float16 weights; every RMSNorm computes its norm in
 * float32 (sums of squares of STFT features overflow float16), and the masks are applied to the
 * float32 input spectrum in float32.
 */
import type { RoformerConfig } from '../types';
import type { Graph } from './graph';
import { maskMlpDims } from './keys';
import type { Weights } from './weights';

const TO_FLOAT = 1;
const TO_FLOAT16 = 10;

export interface Ctx {
	g: Graph;
	w: Weights;
	config: RoformerConfig;
	rotary: Map<string, { cos: string; sin: string }>;
}

export const isHalf = (ctx: Ctx) => ctx.g.float === 'float16';

export function toFloat32(ctx: Ctx, x: string): string {
	return isHalf(ctx) ? ctx.g.op('Cast', [x], { to: TO_FLOAT }) : x;
}

export function toBody(ctx: Ctx, x: string): string {
	return isHalf(ctx) ? ctx.g.op('Cast', [x], { to: TO_FLOAT16 }) : x;
}

export function reshape(ctx: Ctx, x: string, shape: number[]): string {
	return ctx.g.op('Reshape', [x, ctx.g.int64s(shape)]);
}

export function transpose(ctx: Ctx, x: string, perm: number[]): string {
	return ctx.g.op('Transpose', [x], { perm });
}

export function unsqueeze(ctx: Ctx, x: string, axis: number): string {
	return ctx.g.op('Unsqueeze', [x, ctx.g.int64s([axis])]);
}

export function slice(ctx: Ctx, x: string, axis: number, start: number, end: number): string {
	const g = ctx.g;
	return g.op('Slice', [x, g.int64s([start]), g.int64s([end]), g.int64s([axis])]);
}

/** x[..., i, ...] along `axis` (the axis disappears). */
export function pick(ctx: Ctx, x: string, axis: number, index: number): string {
	return ctx.g.op('Gather', [x, ctx.g.int64s([index], [])], { axis });
}

/** F.normalize(x, dim=-1) * sqrt(dim) * gamma, with the norm in float32. `x32`: x is float32 already. */
export function rmsNorm(ctx: Ctx, x: string, gammaKey: string, dim: number, x32 = false): string {
	const g = ctx.g;
	const xf = x32 ? x : toFloat32(ctx, x);
	const sum = g.op('ReduceSum', [g.op('Mul', [xf, xf]), g.int64s([-1])], { keepdims: 1 });
	const norm = g.op('Max', [g.op('Sqrt', [sum]), g.scalar(1e-12, 'float32')]);
	const unit = toBody(ctx, g.op('Div', [xf, norm]));
	return g.op('Mul', [unit, ctx.w.tensor(gammaKey, Math.sqrt(dim))]);
}

/** nn.Linear: x @ W^T (+ b). */
export function linear(ctx: Ctx, x: string, prefix: string, bias = true): string {
	const y = ctx.g.op('MatMul', [x, ctx.w.linear(`${prefix}.weight`)]);
	return bias ? ctx.g.op('Add', [y, ctx.w.tensor(`${prefix}.bias`)]) : y;
}

/** cos and sign-folded sin tables [n, dimHead] of rotary_embedding_torch for the freqs stored at `key`. */
async function rotaryTables(ctx: Ctx, key: string, n: number): Promise<{ cos: string; sin: string }> {
	const freqs = await ctx.w.read(key);
	const cacheKey = `${n}:${Array.from(freqs).join(',')}`;
	const hit = ctx.rotary.get(cacheKey);
	if (hit) return hit;
	const d = freqs.length * 2;
	const cos = new Float32Array(n * d);
	const sin = new Float32Array(n * d);
	for (let p = 0; p < n; p++) {
		for (let j = 0; j < freqs.length; j++) {
			const angle = Math.fround(p * freqs[j]); // torch: float32 positions times float32 freqs
			const c = Math.cos(angle);
			const s = Math.sin(angle);
			cos[p * d + 2 * j] = cos[p * d + 2 * j + 1] = c;
			// rotate_half(t) = (-t[2j+1], t[2j]); written as swap(t) * (-sin, +sin)
			sin[p * d + 2 * j] = -s;
			sin[p * d + 2 * j + 1] = s;
		}
	}
	const tables = { cos: ctx.g.floats(`rotary_cos_${n}`, cos, [n, d]), sin: ctx.g.floats(`rotary_sin_${n}`, sin, [n, d]) };
	ctx.rotary.set(cacheKey, tables);
	return tables;
}

function rotate(ctx: Ctx, t: string, tables: { cos: string; sin: string }): string {
	const g = ctx.g;
	const d = ctx.config.dimHead;
	const swap = g.int64s(Array.from({ length: d }, (_, i) => i ^ 1));
	const swapped = g.op('Gather', [t, swap], { axis: 3 });
	return g.op('Add', [g.op('Mul', [t, tables.cos]), g.op('Mul', [swapped, tables.sin])]);
}

/** Attention with rotary positions and per-head sigmoid gates, plus the residual. x: [batch, n, D]. */
async function attention(ctx: Ctx, x: string, p: string, batch: number, n: number): Promise<string> {
	const { g, config } = ctx;
	const { heads: h, dimHead: dh, dim } = config;
	const xn = rmsNorm(ctx, x, `${p}.norm.gamma`, dim);
	const qkv = transpose(ctx, reshape(ctx, linear(ctx, xn, `${p}.to_qkv`, false), [batch, n, 3 * h, dh]), [0, 2, 1, 3]);
	const [q, k, v] = g.opN('Split', [qkv, g.int64s([h, h, h])], 3, { axis: 1 }); // [batch, h, n, dh] each
	const tables = await rotaryTables(ctx, `${p}.rotary_embed.freqs`, n);
	const scores = g.op('Mul', [g.op('MatMul', [rotate(ctx, q, tables), transpose(ctx, rotate(ctx, k, tables), [0, 1, 3, 2])]), g.scalar(dh ** -0.5)]);
	const out = g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), v]);
	const gates = unsqueeze(ctx, transpose(ctx, g.op('Sigmoid', [linear(ctx, xn, `${p}.to_gates`)]), [0, 2, 1]), 3);
	const merged = reshape(ctx, transpose(ctx, g.op('Mul', [out, gates]), [0, 2, 1, 3]), [batch, n, h * dh]);
	return g.op('Add', [linear(ctx, merged, `${p}.to_out.0`, false), x]);
}

/** RMSNorm -> Linear -> GELU (erf) -> Linear, plus the residual. */
function feedForward(ctx: Ctx, x: string, p: string): string {
	const g = ctx.g;
	const hidden = linear(ctx, rmsNorm(ctx, x, `${p}.net.0.gamma`, ctx.config.dim), `${p}.net.1`);
	const erf = g.op('Erf', [g.op('Div', [hidden, g.scalar(Math.SQRT2)])]);
	const gelu = g.op('Mul', [g.op('Mul', [hidden, g.op('Add', [erf, g.scalar(1)])]), g.scalar(0.5)]);
	return g.op('Add', [linear(ctx, gelu, `${p}.net.4`), x]);
}

async function transformer(ctx: Ctx, x: string, prefix: string, depth: number, batch: number, n: number): Promise<string> {
	for (let k = 0; k < depth; k++) {
		x = await attention(ctx, x, `${prefix}.layers.${k}.0`, batch, n);
		x = feedForward(ctx, x, `${prefix}.layers.${k}.1`);
	}
	if (ctx.config.arch === 'mel_band_roformer') x = rmsNorm(ctx, x, `${prefix}.norm.gamma`, ctx.config.dim);
	return x;
}

/** [T, bands, D]: attention across time per band, then across bands per frame, `depth` times. */
export async function axialLayers(ctx: Ctx, x: string, frames: number, bands: number): Promise<string> {
	const c = ctx.config;
	for (let l = 0; l < c.depth; l++) {
		let t = transpose(ctx, x, [1, 0, 2]); // [bands, T, D]
		t = await transformer(ctx, t, `layers.${l}.0`, c.timeTransformerDepth, bands, frames);
		x = transpose(ctx, t, [1, 0, 2]); // [T, bands, D]
		x = await transformer(ctx, x, `layers.${l}.1`, c.freqTransformerDepth, frames, bands);
	}
	return x;
}

/** features [T, sum(dims)] (float32) -> [T, bands, D]: per band RMSNorm + Linear, stacked. */
export function bandSplit(ctx: Ctx, features: string, dims: number[]): string {
	let start = 0;
	const outs = dims.map((d, i) => {
		const band = slice(ctx, features, 1, start, start + d);
		start += d;
		const y = linear(ctx, rmsNorm(ctx, band, `band_split.to_features.${i}.0.gamma`, d, true), `band_split.to_features.${i}.1`);
		return unsqueeze(ctx, y, 1);
	});
	return ctx.g.op('Concat', outs, { axis: 1 });
}

/** x [T, bands, D] -> float32 masks [N, K, T, 2] (K = sum(dims) / 2 complex bins). */
export function maskEstimators(ctx: Ctx, x: string, dims: number[], frames: number): string {
	const { g, config } = ctx;
	const perBand = dims.map((_, i) => pick(ctx, x, 1, i)); // [T, D], shared by the stems
	const stems: string[] = [];
	for (let n = 0; n < config.numStems; n++) {
		const bands = dims.map((d, i) => {
			const widths = maskMlpDims(config, d);
			let h = perBand[i];
			for (let j = 0; j + 1 < widths.length; j++) {
				h = linear(ctx, h, `mask_estimators.${n}.to_freqs.${i}.0.${2 * j}`);
				if (j + 2 < widths.length) h = g.op('Tanh', [h]);
			}
			return g.op('Mul', [slice(ctx, h, 1, 0, d), g.op('Sigmoid', [slice(ctx, h, 1, d, 2 * d)])]); // GLU
		});
		stems.push(unsqueeze(ctx, g.op('Concat', bands, { axis: 1 }), 0));
	}
	const total = dims.reduce((a, b) => a + b, 0);
	const masks = toFloat32(ctx, stems.length === 1 ? stems[0] : g.op('Concat', stems, { axis: 0 })); // [N, T, K*2]
	return transpose(ctx, reshape(ctx, masks, [config.numStems, frames, total / 2, 2]), [0, 2, 1, 3]);
}

/** The folded input spectrum [F*S, T, 2] (float32) from the graph input [1, S, F, T, 2]. */
export function foldChannels(ctx: Ctx, stft: string, channels: number, bins: number, frames: number): string {
	return reshape(ctx, transpose(ctx, stft, [0, 2, 1, 3, 4]), [bins * channels, frames, 2]);
}

/** [K, T, 2] -> band-split features [T, K*2]. */
export function binsToFeatures(ctx: Ctx, spec: string, k: number, frames: number): string {
	return reshape(ctx, transpose(ctx, spec, [1, 0, 2]), [frames, k * 2]);
}

/** Complex product of spec [F*S, T, 2] with masks [N, F*S, T, 2] -> stems [1, N, S, F, T, 2] (float32), DC zeroed if asked. */
export function applyMasks(ctx: Ctx, spec: string, mask: string, channels: number, bins: number, frames: number): string {
	const g = ctx.g;
	const sr = pick(ctx, spec, 2, 0);
	const si = pick(ctx, spec, 2, 1);
	const mr = pick(ctx, mask, 3, 0);
	const mi = pick(ctx, mask, 3, 1);
	const re = g.op('Sub', [g.op('Mul', [sr, mr]), g.op('Mul', [si, mi])]);
	const im = g.op('Add', [g.op('Mul', [sr, mi]), g.op('Mul', [si, mr])]);
	const out = g.op('Concat', [unsqueeze(ctx, re, 3), unsqueeze(ctx, im, 3)], { axis: 3 });
	let stems = transpose(ctx, reshape(ctx, out, [1, ctx.config.numStems, bins, channels, frames, 2]), [0, 1, 3, 2, 4, 5]);
	if (ctx.config.zeroDc) {
		const keep = new Float32Array(bins).fill(1);
		keep[0] = 0;
		stems = g.op('Mul', [stems, g.floats('dc_keep', keep, [bins, 1, 1], 'float32')]);
	}
	return stems;
}
