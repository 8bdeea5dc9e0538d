/**
 * Mel-Band-Roformer's graph: tools/stemsafe_tools/mel_band_roformer.py forward_spec. Each band
 * reads its (overlapping) bins; the masks of overlapping bands are averaged per bin as a sum of
 * Gathers with constant indices, not scatter-add (see bands.ts).
 */
import { applyMasks, bandRows, bandRuns, bandSplit, maskEstimators } from './bands';
import { axialLayers, type Ctx } from './blocks';

/** stft [1, S, F, T, 2] -> stems [1, N, S, F, T, 2] */
export async function melBandRoformer(ctx: Ctx, stft: string, frames: number): Promise<string> {
	const rows = bandRows(ctx);
	const runs = bandRuns(rows.map((r) => r.length));
	let x = bandSplit(ctx, stft, frames, rows, runs); // [bands, T, D]
	x = await axialLayers(ctx, x, frames, rows.length); // [T, bands, D]
	return applyMasks(ctx, stft, maskEstimators(ctx, x, frames, rows, runs), frames);
}
