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

/** cos and sign-folded sin tables [n, 1, dimHead] of rotary_embedding_torch for the freqs stored at `key`. */
async function rotaryTables(ctx: Ctx, key: string, n: number): Promise<{ cos: string; sin: string }> {
	const freqs = await ctx.w.read(key);
	const cacheKey = `${n}:${Array.from(freqs).join(',')}`;
	const hit = ctx.rotary.get(cacheKey);
	if (hit) return hit;
	const half = freqs.length;
	const d = half * 2;
	const cos = new Float32Array(n * d);
	const sin = new Float32Array(n * d);
	for (let p = 0; p < n; p++) {
		for (let j = 0; j < half; j++) {
			const angle = Math.fround(p * freqs[j]); // torch: float32 positions times float32 freqs
			const c = Math.cos(angle);
			const s = Math.sin(angle);
			// halves layout (see pairsToHalves): element 2j at j, element 2j+1 at half + j;
			// rotate_half(t) = (-t[2j+1], t[2j]) is then the halves swapped times (-sin, +sin)
			cos[p * d + j] = cos[p * d + half + j] = c;
			sin[p * d + j] = -s;
			sin[p * d + half + j] = s;
		}
	}
	const tables = { cos: ctx.g.floats(`rotary_cos_${n}`, cos, [n, 1, d]), sin: ctx.g.floats(`rotary_sin_${n}`, sin, [n, 1, d]) };
	ctx.rotary.set(cacheKey, tables);
	return tables;
}

/** Position in a head of element i in the halves layout: evens first, then odds. */
const pairsToHalves = (i: number, dh: number) => (i % 2 === 0 ? i / 2 : dh / 2 + (i - 1) / 2);

/**
 * to_qkv's weight as the [D, 3 * inner] right-hand side of MatMul, with every q and k head's
 * elements reordered to the halves layout. q·k is a sum over a head's elements, so the order
 * does not change attention; it turns rotate_half's swap of neighbours 2j, 2j+1 (one float at a
 * time: slow as a Gather on the CPU backends, slow as a MatMul on GPUs) into swapping two
 * contiguous halves.
 */
function qkvWeight(ctx: Ctx, key: string): string {
	const { dim, heads, dimHead: dh } = ctx.config;
	const inner = heads * dh;
	return ctx.w.derived(`${key}.halves.T`, [dim, 3 * inner], async (read) => {
		const w = await read(key); // [3 * inner, dim]
		const out = new Float32Array(dim * 3 * inner);
		for (let r = 0; r < 3 * inner; r++) {
			const head = Math.floor(r / dh);
			const to = r < 2 * inner ? head * dh + pairsToHalves(r % dh, dh) : r; // v keeps its order
			for (let i = 0; i < dim; i++) out[i * 3 * inner + to] = w[r * dim + i];
		}
		return out;
	});
}

/**
 * Attention with rotary positions and per-head sigmoid gates, plus the residual. x: [batch, n, D].
 * (onnxruntime's fused MultiHeadAttention contrib op was measured too: no faster on WASM, and its
 * WebGPU AttentionProbs kernel took half of a SwiftShader run; plain MatMul + Softmax it is.)
 * q and k come in the halves layout (qkvWeight), where rotation swaps two contiguous halves.
 */
async function attention(ctx: Ctx, x: string, p: string, batch: number, n: number): Promise<string> {
	const { g, config } = ctx;
	const { heads: h, dimHead: dh, dim } = config;
	const inner = h * dh;
	const xn = rmsNorm(ctx, x, `${p}.norm.gamma`, dim);
	const qkv = g.op('MatMul', [xn, qkvWeight(ctx, `${p}.to_qkv.weight`)]); // [batch, n, 3 inner], q and k in halves layout
	const [q, k, v] = g.opN('Split', [qkv, g.int64s([inner, inner, inner])], 3, { axis: 2 });
	const tables = await rotaryTables(ctx, `${p}.rotary_embed.freqs`, n); // [n, 1, dh]
	const halvesSwapped = g.int64s([1, 0]);
	const rotate = (t: string) => {
		const swapped = reshape(ctx, g.op('Gather', [reshape(ctx, t, [batch, n, h, 2, dh / 2]), halvesSwapped], { axis: 3 }), [batch, n, h, dh]);
		return g.op('Add', [g.op('Mul', [reshape(ctx, t, [batch, n, h, dh]), tables.cos]), g.op('Mul', [swapped, tables.sin])]);
	};
	// [batch, h, n, dh] per head; softmax(q kᵀ / √dh) v, back to [batch, n, inner]
	const heads = (t: string) => transpose(ctx, reshape(ctx, t, [batch, n, h, dh]), [0, 2, 1, 3]);
	const scores = g.op('Mul', [g.op('MatMul', [heads(rotate(q)), transpose(ctx, heads(rotate(k)), [0, 1, 3, 2])]), g.scalar(dh ** -0.5)]);
	const out = reshape(ctx, transpose(ctx, g.op('MatMul', [g.op('Softmax', [scores], { axis: -1 }), heads(v)]), [0, 2, 1, 3]), [batch, n, inner]);
	const gates = unsqueeze(ctx, g.op('Sigmoid', [linear(ctx, xn, `${p}.to_gates`)]), 3); // [batch, n, h, 1]
	const merged = reshape(ctx, g.op('Mul', [reshape(ctx, out, [batch, n, h, dh]), gates]), [batch, n, inner]);
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

/** x [bands, T, D] -> [T, bands, D]: attention across time per band, then across bands per frame, `depth` times. */
export async function axialLayers(ctx: Ctx, x: string, frames: number, bands: number): Promise<string> {
	const c = ctx.config;
	for (let l = 0; l < c.depth; l++) {
		if (l > 0) x = transpose(ctx, x, [1, 0, 2]); // [bands, T, D]
		x = await transformer(ctx, x, `layers.${l}.0`, c.timeTransformerDepth, bands, frames);
		x = transpose(ctx, x, [1, 0, 2]); // [T, bands, D]
		x = await transformer(ctx, x, `layers.${l}.1`, c.freqTransformerDepth, frames, bands);
	}
	return c.depth === 0 ? transpose(ctx, x, [1, 0, 2]) : x;
}
