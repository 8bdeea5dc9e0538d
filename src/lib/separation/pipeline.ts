/**
 * One separation job from decoded audio to stems at the file's own sample rate and
 * channel count: conform channels, resample to the model rate, separate, resample
 * back, and derive the residual stem so that the stems sum to the (conformed) mix.
 */
import type { SongAnalysis } from '../analysis/report';
import type { AudioData } from '../dsp/audio';
import { toModelChannels, toOutputChannels } from '../dsp/channels';
import { readChunk } from '../dsp/chunking';
import { resample } from '../dsp/resample';
import { residual } from '../dsp/residual';
import { modelStems, type ModelManifest } from './manifest';
import { separateMdx } from './mdx-separate';
import { separateChunks, type RunModel, type SeparateOptions } from './separate';

export interface Stem {
	name: string;
	channels: Float32Array[];
}

export interface SeparationResult {
	sampleRate: number;
	/** With `stored` set and no samples in memory, `channels` is empty: read them from the files. */
	stems: Stem[];
	notes: string[];
	/** Loudness, tempo and key, added by the worker after separation. */
	analysis?: SongAnalysis;
	/** Where the stems are on disk (library layout), when the worker wrote them there. */
	stored?: StoredStems;
	/** Set when the free tier separated only the start of the song (src/lib/license/policy.ts). */
	preview?: PreviewInfo;
}

/** What a free-tier preview separated: the first `separatedSeconds` of a `songSeconds` song. */
export interface PreviewInfo {
	separatedSeconds: number;
	songSeconds: number;
}

/** Stems written to the origin private file system: library/<folder>/<files[stem][channel]>. */
export interface StoredStems {
	folder: string;
	frames: number;
	channels: number;
	files: string[][];
}

/**
 * What both separation paths (in memory here, streamed in stream.ts) do first: conform the
 * channels to the model's, resample to the model's rate, and note what was changed.
 */
export function prepareMix(audio: AudioData, manifest: ModelManifest) {
	const notes: string[] = [];
	const inputChannels = audio.channels.length;
	const conformed = toModelChannels(audio.channels, manifest.channels);
	if (conformed.note) notes.push(conformed.note);
	const rate = audio.sampleRate;
	const modelRate = manifest.sampleRate;
	if (rate !== modelRate) notes.push(`Resampled ${rate} Hz → ${modelRate} Hz for the model; stems are at ${rate} Hz.`);
	const modelMix = rate === modelRate ? conformed.channels : conformed.channels.map((ch) => resample(ch, rate, modelRate));
	return { notes, inputChannels, conformed, rate, modelRate, modelMix };
}

export async function separateAudio(
	audio: AudioData,
	manifest: ModelManifest,
	runModel: RunModel,
	options: SeparateOptions = {}
): Promise<SeparationResult> {
	const { notes, inputChannels, conformed, rate, modelRate, modelMix: mix } = prepareMix(audio, manifest);
	const fromModel = (ch: Float32Array, length: number) => {
		const back = rate === modelRate ? ch : resample(ch, modelRate, rate);
		return back.length === length ? back : readChunk(back, 0, length); // trim or zero-pad
	};

	const separated = manifest.mdx
		? [(await separateMdx(mix, { nFft: manifest.stft.nFft, hopLength: manifest.stft.hopLength, ...manifest.mdx }, runModel, { ...options, overlap: options.overlapFraction ?? 'default' })).primary]
		: await separateChunks(mix, manifest, runModel, options);
	const length = audio.channels[0].length;
	const reference = toOutputChannels(conformed.channels, inputChannels);
	const stems: Stem[] = modelStems(manifest).map((name, i) => ({
		name,
		channels: toOutputChannels(
			separated[i].map((ch) => fromModel(ch, length)),
			inputChannels
		)
	}));
	if (manifest.residualStem) {
		stems.push({ name: manifest.residualStem, channels: residual(reference, stems.map((s) => s.channels)) });
		stems.sort((a, b) => manifest.stems.indexOf(a.name) - manifest.stems.indexOf(b.name));
	}
	return { sampleRate: rate, stems, notes };
}
