/**
 * separateAudio with bounded memory: the same steps (conform channels, resample to the model
 * rate, separate, resample back, residual), but stems leave as final regions through a sink
 * while the song is processed, so nothing song-length is held except the mix itself (and,
 * when the file's rate differs from the model's, the mix at the model rate).
 */
import type { AudioData } from '../dsp/audio';
import { average } from '../dsp/channels';
import { StreamResampler } from '../dsp/resample';
import { modelStems, type ModelManifest } from './manifest';
import { prepareMix } from './pipeline';
import { separateChunksStream, type RegionSink, type RunModel, type SeparateOptions } from './separate';

export interface OutputLayout {
	/** Stem names in the order they are delivered (the manifest's order). */
	stems: string[];
	/** Channels of every stem: mono files give mono stems, others the model's channels. */
	channels: number;
}

export function outputLayout(manifest: ModelManifest, inputChannels: number): OutputLayout {
	const network = modelStems(manifest);
	const stems = manifest.residualStem
		? [...network, manifest.residualStem].sort((a, b) => manifest.stems.indexOf(a) - manifest.stems.indexOf(b))
		: network;
	return { stems, channels: inputChannels === 1 && manifest.channels > 1 ? 1 : manifest.channels };
}

export interface StreamedSeparation {
	sampleRate: number;
	frames: number;
	layout: OutputLayout;
	notes: string[];
}

/**
 * Separates `audio` and hands the stems to `sink` region by region (file rate, output
 * channels, layout order). Produces the same samples as separateAudio.
 */
export async function separateAudioStream(
	audio: AudioData,
	manifest: ModelManifest,
	runModel: RunModel,
	sink: RegionSink,
	options: SeparateOptions = {}
): Promise<StreamedSeparation> {
	const { notes, inputChannels, conformed, rate, modelRate, modelMix } = prepareMix(audio, manifest);
	const length = audio.channels[0].length;
	const layout = outputLayout(manifest, inputChannels);
	const network = modelStems(manifest);
	const mix = conformed.channels;
	const modelLength = modelMix[0].length;
	const backs = rate === modelRate ? null : network.map(() => mix.map(() => new StreamResampler(modelLength, modelRate, rate)));
	let written = 0; // output frames delivered so far

	/** Delivers network stems (file rate, model channels) for [written, written + n). */
	const deliver = async (stems: Float32Array[][]) => {
		let n = stems[0][0].length;
		if (written + n > length) n = length - written; // the resampled tail beyond the song is cut
		if (n <= 0) return;
		const start = written;
		const out = stems.map((chs) => {
			const cut = chs.map((c) => (c.length === n ? c : c.subarray(0, n)));
			return inputChannels === 1 && cut.length > 1 ? [average(cut)] : cut;
		});
		const byName = new Map(network.map((name, i) => [name, out[i]]));
		if (manifest.residualStem) {
			const reference = inputChannels === 1 && mix.length > 1 ? [average(mix.map((c) => c.subarray(start, start + n)))] : mix.map((c) => c.subarray(start, start + n));
			byName.set(
				manifest.residualStem,
				reference.map((ch, c) => {
					const r = ch.slice();
					for (const part of out) {
						const p = part[c];
						for (let i = 0; i < r.length; i++) r[i] -= p[i];
					}
					return r;
				})
			);
		}
		written += n;
		await sink(start, layout.stems.map((name) => byName.get(name)!));
	};

	await separateChunksStream(
		modelMix,
		manifest,
		runModel,
		async (_start, stems) => {
			await deliver(backs ? stems.map((chs, i) => chs.map((c, s) => backs[i][s].push(c))) : stems);
		},
		options
	);
	if (backs) await deliver(backs.map((chs) => chs.map((r) => r.end())));
	if (written < length) {
		// resampling back came out short by rounding: zero-pad like separateAudio does
		const pad = length - written;
		await deliver(network.map(() => Array.from({ length: mix.length }, () => new Float32Array(pad))));
	}
	return { sampleRate: rate, frames: length, layout, notes };
}
