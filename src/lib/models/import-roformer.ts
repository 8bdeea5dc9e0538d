/**
 * Checkpoint + yaml -> ONNX graph + manifest, the whole import of a BS-/Mel-Band-Roformer in one
 * pure function (no DOM, no Node APIs) that the browser's import worker and `npm run convert`
 * share: read the checkpoint (lazily), map the yaml (architecture from the caller, the yaml or
 * the weights), check every key (missing and unexpected keys named), build the graph, hash it.
 */
import { readCheckpoint } from './checkpoint';
import { specFromTrainConfig, specFromYaml } from './config';
import { buildManifest, type ConvertedManifest } from './manifest';
import { buildRoformerOnnx } from './onnx/index';
import { Sha256 } from '../hash/sha256';
import type { ByteSource, ModelSpec, RoformerArch } from './types';

export interface RoformerImportInput {
	checkpoint: ByteSource;
	configText: string;
	/** The user's choice, when the yaml and weights do not tell. */
	arch?: RoformerArch | null;
	id: string;
	name: string;
	/** The checkpoint's file name (goes into the manifest). */
	sourceName?: string;
	precision: 'fp32' | 'fp16';
	/** STFT frames per model call instead of the config's chunk (shorter chunks need less memory). */
	chunkFrames?: number;
	description?: string;
	untrained?: boolean;
	trainedOn?: string | null;
	onProgress?: (fraction: number) => void;
	signal?: AbortSignal;
	/** SHA-256 of the parts; default: the incremental TypeScript one (Node may pass node:crypto's). */
	sha256?: (parts: Uint8Array[]) => Promise<string> | string;
}

export interface RoformerImportResult {
	spec: ModelSpec;
	/** The .onnx file in order (write them one after the other). */
	parts: Uint8Array[];
	bytes: number;
	params: number;
	manifest: ConvertedManifest;
}

export async function importRoformerCheckpoint(input: RoformerImportInput): Promise<RoformerImportResult> {
	const weights = await readCheckpoint(input.checkpoint);
	const trainConfig = parseTrainConfig(input.configText);
	const spec = trainConfig
		? specFromTrainConfig(trainConfig, input.arch ?? 'bs_roformer')
		: specFromYaml(input.configText, { arch: input.arch, keys: weights.keys() });
	if (input.chunkFrames !== undefined) {
		if (!Number.isInteger(input.chunkFrames) || input.chunkFrames < 2) throw new Error(`chunk of ${input.chunkFrames} frames is not valid`);
		spec.chunkFrames = input.chunkFrames;
	}
	input.signal?.throwIfAborted();
	const built = await buildRoformerOnnx(spec, weights, { precision: input.precision, onProgress: input.onProgress, signal: input.signal });
	input.signal?.throwIfAborted();
	const sha256 = input.sha256 ? await input.sha256(built.parts) : hashParts(built.parts);
	const manifest = buildManifest({
		id: input.id,
		name: input.name,
		spec,
		bytes: built.bytes,
		sha256,
		untrained: input.untrained,
		description: input.description,
		trainedOn: input.trainedOn,
		source: input.sourceName,
		params: built.params,
		precision: input.precision
	});
	return { spec, parts: built.parts, bytes: built.bytes, params: built.params, manifest };
}

/** tools/train.py's config.json (a JSON object with `model` and `stems`), parsed; null for a ZFTurbo yaml. */
function parseTrainConfig(text: string): Record<string, unknown> | null {
	if (!text.trimStart().startsWith('{')) return null;
	try {
		const doc = JSON.parse(text) as Record<string, unknown>;
		return doc && typeof doc === 'object' && 'model' in doc && Array.isArray(doc.stems) ? doc : null;
	} catch {
		return null;
	}
}

function hashParts(parts: Uint8Array[]): string {
	const h = new Sha256();
	for (const p of parts) h.update(p);
	return h.hex();
}
