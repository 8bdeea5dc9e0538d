/**
 * ONNX graph builder for BS-Roformer and Mel-Band-Roformer checkpoints, in TypeScript: the same network
 * tools/stemsafe_tools/export_onnx.py exports (STFT outside the graph; input `stft` [1, S, F, T, 2]
 * float32 -> output `stems` [1, N, S, F, T, 2] float32, opset 17), with the WebGPU Concat-tree
 * rewrite and Gather-based mel-band mask averaging. fp16 keeps float32 graph input and output and
 * runs the body in float16 with float16 weights (half the bytes), for WebGPU with shader-f16.
 */
import type { ModelSpec, TensorMap } from '../types';
import { bsRoformer } from './bs-roformer';
import { MAX_BUFFERS, splitWideConcats, widestBuffers } from './concat-tree';
import { Graph } from './graph';
import { audioChannels, expectedShapes } from './keys';
import { melBandRoformer } from './mel-band-roformer';
import { serializeModel } from './serialize';
import { checkWeights, Weights } from './weights';

export { expectedKeys, expectedShapes } from './keys';

export interface BuildOptions {
	precision: 'fp32' | 'fp16';
	onProgress?: (fraction: number) => void;
	signal?: AbortSignal;
}

export interface BuiltModel {
	/** The .onnx file, in order; write or hash them one after the other. */
	parts: Uint8Array[];
	bytes: number;
	/** Elements of all checkpoint tensors. */
	params: number;
}

const NAMES = { bs_roformer: 'BS-Roformer', mel_band_roformer: 'Mel-Band-Roformer' } as const;

export async function buildRoformerOnnx(spec: ModelSpec, weights: TensorMap, opts: BuildOptions): Promise<BuiltModel> {
	if (opts.signal?.aborted) throw opts.signal.reason ?? new DOMException('The import was cancelled', 'AbortError');
	const config = spec.config;
	const shapes = expectedShapes(config); // also rejects unsupported configurations
	const name = NAMES[config.arch];
	checkWeights(weights, shapes, `the ${name} configuration (dim ${config.dim}, depth ${config.depth})`);
	const frames = spec.chunkFrames;
	if (!Number.isInteger(frames) || frames < 1) throw new Error(`chunk length of ${frames} STFT frames is not valid`);
	if (opts.precision !== 'fp32' && opts.precision !== 'fp16') throw new Error(`unknown precision ${String(opts.precision)}`);

	const graph = new Graph(opts.precision === 'fp16' ? 'float16' : 'float32');
	const ctx = { g: graph, w: new Weights(weights, graph), config, rotary: new Map() };
	const s = audioChannels(config);
	const bins = config.dimFreqsIn;
	const stft = graph.input('stft', 'float32', [1, s, bins, frames, 2]);
	const stems = config.arch === 'bs_roformer' ? await bsRoformer(ctx, stft, frames) : await melBandRoformer(ctx, stft, frames);
	graph.output(stems, 'stems', 'float32', [1, config.numStems, s, bins, frames, 2]);

	splitWideConcats(graph.nodes);
	const widest = widestBuffers(graph.nodes);
	if (widest > MAX_BUFFERS) throw new Error(`internal error: a Concat/Split binds ${widest} buffers, over WebGPU's ${MAX_BUFFERS}`);
	let params = 0;
	for (const e of weights.values()) params += e.shape.reduce((a, b) => a * b, 1);
	const { parts, bytes } = await serializeModel(graph, opts);
	return { parts, bytes, params };
}
