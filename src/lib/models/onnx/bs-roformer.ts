/** BS-Roformer's graph: tools/stemsafe_tools/bs_roformer.py forward_spec. */
import { applyMasks, axialLayers, bandSplit, binsToFeatures, foldChannels, maskEstimators, rmsNorm, type Ctx } from './blocks';
import { audioChannels, bandInputDims } from './keys';

/** stft [1, S, F, T, 2] -> stems [1, N, S, F, T, 2] */
export async function bsRoformer(ctx: Ctx, stft: string, frames: number): Promise<string> {
	const c = ctx.config;
	const s = audioChannels(c);
	const bins = c.dimFreqsIn;
	const dims = bandInputDims(c);
	const spec = foldChannels(ctx, stft, s, bins, frames); // [(f s), T, 2]
	let x = bandSplit(ctx, binsToFeatures(ctx, spec, bins * s, frames), dims); // [T, bands, D]
	x = await axialLayers(ctx, x, frames, dims.length);
	x = rmsNorm(ctx, x, 'final_norm.gamma', c.dim);
	const masks = maskEstimators(ctx, x, dims, frames); // [N, (f s), T, 2]
	return applyMasks(ctx, spec, masks, s, bins, frames);
}
