/**
 * Mel-Band-Roformer's graph: tools/stemsafe_tools/mel_band_roformer.py forward_spec. Each band
 * gathers its (overlapping) bins; the masks of overlapping bands are averaged per bin as a sum of
 * Gathers with constant indices, not scatter-add.
 */
import { applyMasks, axialLayers, bandSplit, binsToFeatures, foldChannels, maskEstimators, type Ctx } from './blocks';
import { audioChannels } from './keys';
import { melBandLayout } from './mel-bands';

/** stft [1, S, F, T, 2] -> stems [1, N, S, F, T, 2] */
export async function melBandRoformer(ctx: Ctx, stft: string, frames: number): Promise<string> {
	const { g, config: c } = ctx;
	const s = audioChannels(c);
	const bins = c.dimFreqsIn;
	const layout = melBandLayout(c.sampleRate, c.nFft, c.numBands ?? 0, s);
	const dims = layout.binsPerBand.map((f) => 2 * f * s);
	const k = layout.freqIndices.length;
	const spec = foldChannels(ctx, stft, s, bins, frames); // [(f s), T, 2]
	const picked = g.op('Gather', [spec, g.int64s(layout.freqIndices)], { axis: 0 }); // [K, T, 2]
	let x = bandSplit(ctx, binsToFeatures(ctx, picked, k, frames), dims);
	x = await axialLayers(ctx, x, frames, dims.length);
	const masks = maskEstimators(ctx, x, dims, frames); // [N, K, T, 2]
	const zeros = g.floats('mask_pad', new Float32Array(c.numStems * frames * 2), [c.numStems, 1, frames, 2], 'float32');
	const padded = g.op('Concat', [masks, zeros], { axis: 1 }); // position K is a zero
	let summed = '';
	for (const row of layout.gathers) {
		const part = g.op('Gather', [padded, g.int64s(row)], { axis: 1 });
		summed = summed ? g.op('Add', [summed, part]) : part;
	}
	const counts = g.floats('bands_per_bin', Float32Array.from(layout.bandsPerBin), [bins * s, 1, 1], 'float32');
	return applyMasks(ctx, spec, g.op('Div', [summed, counts]), s, bins, frames);
}
