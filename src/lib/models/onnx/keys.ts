/**
 * The state-dict layout of BS-Roformer and Mel-Band-Roformer (lucidrains / ZFTurbo, as
 * tools/stemsafe_tools reproduces it): every key with its shape, in PyTorch's state_dict order.
 */
import type { RoformerConfig } from '../types';
import { melBandLayout } from './mel-bands';

/** Transformer feed-forward expansion (upstream FeedForward's fixed mult). */
export const FF_MULT = 4;

export function audioChannels(config: RoformerConfig): number {
	return config.stereo ? 2 : 1;
}

/** Input features per band: STFT bins x channels x (re, im). */
export function bandInputDims(config: RoformerConfig): number[] {
	const s = audioChannels(config);
	if (config.arch === 'bs_roformer') {
		const bands = config.freqsPerBands;
		if (!bands?.length) throw new Error('BS-Roformer config has no freqs_per_bands');
		return bands.map((f) => 2 * f * s);
	}
	if (!config.numBands) throw new Error('Mel-Band-Roformer config has no num_bands');
	return melBandLayout(config.sampleRate, config.nFft, config.numBands, s).binsPerBand.map((f) => 2 * f * s);
}

/** Linear layer widths of each band's mask-estimator MLP: [in, hidden..., out]. */
export function maskMlpDims(config: RoformerConfig, bandDim: number): number[] {
	// upstream Mel-Band-Roformer's MLP(depth) has `depth` hidden layers, BS-Roformer's depth-1
	const layers = config.arch === 'mel_band_roformer' ? config.maskEstimatorDepth + 1 : config.maskEstimatorDepth;
	if (layers < 1) throw new Error(`mask_estimator_depth ${config.maskEstimatorDepth} is not supported`);
	const hidden = config.dim * config.mlpExpansionFactor;
	return [config.dim, ...new Array<number>(layers - 1).fill(hidden), bandDim * 2];
}

function transformerShapes(out: Map<string, number[]>, prefix: string, config: RoformerConfig, depth: number) {
	const { dim, heads, dimHead } = config;
	const inner = heads * dimHead;
	for (let k = 0; k < depth; k++) {
		const a = `${prefix}.layers.${k}.0`;
		out.set(`${a}.rotary_embed.freqs`, [dimHead / 2]);
		out.set(`${a}.norm.gamma`, [dim]);
		out.set(`${a}.to_qkv.weight`, [inner * 3, dim]);
		out.set(`${a}.to_gates.weight`, [heads, dim]);
		out.set(`${a}.to_gates.bias`, [heads]);
		out.set(`${a}.to_out.0.weight`, [dim, inner]);
		const f = `${prefix}.layers.${k}.1.net`;
		out.set(`${f}.0.gamma`, [dim]);
		out.set(`${f}.1.weight`, [dim * FF_MULT, dim]);
		out.set(`${f}.1.bias`, [dim * FF_MULT]);
		out.set(`${f}.4.weight`, [dim, dim * FF_MULT]);
		out.set(`${f}.4.bias`, [dim]);
	}
	if (config.arch === 'mel_band_roformer') out.set(`${prefix}.norm.gamma`, [dim]);
}

/** Every state-dict key of the architecture with its shape, in PyTorch's order. */
export function expectedShapes(config: RoformerConfig): Map<string, number[]> {
	checkConfig(config);
	const out = new Map<string, number[]>();
	for (let l = 0; l < config.depth; l++) {
		transformerShapes(out, `layers.${l}.0`, config, config.timeTransformerDepth);
		transformerShapes(out, `layers.${l}.1`, config, config.freqTransformerDepth);
	}
	if (config.arch === 'bs_roformer') out.set('final_norm.gamma', [config.dim]);
	const bands = bandInputDims(config);
	bands.forEach((d, i) => {
		out.set(`band_split.to_features.${i}.0.gamma`, [d]);
		out.set(`band_split.to_features.${i}.1.weight`, [config.dim, d]);
		out.set(`band_split.to_features.${i}.1.bias`, [config.dim]);
	});
	for (let n = 0; n < config.numStems; n++) {
		bands.forEach((d, i) => {
			const dims = maskMlpDims(config, d);
			for (let j = 0; j + 1 < dims.length; j++) {
				const p = `mask_estimators.${n}.to_freqs.${i}.0.${2 * j}`;
				out.set(`${p}.weight`, [dims[j + 1], dims[j]]);
				out.set(`${p}.bias`, [dims[j + 1]]);
			}
		});
	}
	return out;
}

/** Every state-dict key the architecture has. */
export function expectedKeys(config: RoformerConfig): string[] {
	return [...expectedShapes(config).keys()];
}

/** Rejects configurations this graph cannot express, with a message a user can act on. */
export function checkConfig(config: RoformerConfig): void {
	const bad = (msg: string) => {
		throw new Error(`unsupported ${config.arch} configuration: ${msg}`);
	};
	if (config.arch !== 'bs_roformer' && config.arch !== 'mel_band_roformer') bad(`unknown architecture "${String(config.arch)}"`);
	for (const k of ['dim', 'depth', 'numStems', 'dimHead', 'heads', 'nFft', 'hopLength', 'mlpExpansionFactor'] as const) {
		if (!Number.isInteger(config[k]) || config[k] < 1) bad(`${k} must be a positive integer (got ${config[k]})`);
	}
	for (const k of ['timeTransformerDepth', 'freqTransformerDepth'] as const) {
		if (!Number.isInteger(config[k]) || config[k] < 0) bad(`${k} must be a non-negative integer (got ${config[k]})`);
	}
	if (config.dimHead % 2) bad(`dim_head ${config.dimHead} must be even (rotary embedding)`);
	if (config.nFft % 2) bad(`stft_n_fft ${config.nFft} must be even`);
	if (config.dimFreqsIn !== config.nFft / 2 + 1) bad(`dim_freqs_in ${config.dimFreqsIn} must be n_fft/2+1 = ${config.nFft / 2 + 1}`);
	if (config.winLength !== config.nFft) bad(`stft_win_length ${config.winLength} must equal stft_n_fft ${config.nFft}`);
	if (config.arch === 'bs_roformer') {
		const sum = (config.freqsPerBands ?? []).reduce((a, b) => a + b, 0);
		if (sum !== config.dimFreqsIn) bad(`freqs_per_bands sums to ${sum}, not dim_freqs_in ${config.dimFreqsIn}`);
	} else if (!Number.isInteger(config.numBands) || (config.numBands ?? 0) < 1) {
		bad('num_bands must be a positive integer');
	}
}
