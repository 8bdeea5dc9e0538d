/** BS-Roformer's graph: tools/stemsafe_tools/bs_roformer.py forward_spec. */
import { applyMasks, bandRows, bandRuns, bandSplit, maskEstimators } from './bands';
import { axialLayers, rmsNorm, type Ctx } from './blocks';

/** stft [1, S, F, T, 2] -> stems [1, N, S, F, T, 2] */
export async function bsRoformer(ctx: Ctx, stft: string, frames: number): Promise<string> {
	const rows = bandRows(ctx);
	const runs = bandRuns(rows.map((r) => r.length));
	let x = bandSplit(ctx, stft, frames, rows, runs); // [bands, T, D]
	x = await axialLayers(ctx, x, frames, rows.length); // [T, bands, D]
	x = rmsNorm(ctx, x, 'final_norm.gamma', ctx.config.dim);
	return applyMasks(ctx, stft, maskEstimators(ctx, x, frames, rows, runs), frames);
}
