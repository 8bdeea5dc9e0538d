/**
 * The manifest of a converted Roformer, in the format tools/stemsafe_tools/manifest.py writes
 * (static/models/<id>.json), so an imported model and a bundled one look the same to the app.
 */
import { validateManifest, type ModelManifest } from '../separation/manifest';
import type { ModelSpec } from './types';

/** manifest.py's `io` block: how the graph's input and output are laid out. */
export const ROFORMER_IO = { input: 'stft', inputLayout: '[1, S, F, T, 2]', output: 'stems', outputLayout: '[1, N, S, F, T, 2]' } as const;

export interface ConvertedManifest extends ModelManifest {
	io: typeof ROFORMER_IO;
	/** Weights and body precision of the graph (absent in manifests from tools/convert.py, which are fp32). */
	precision?: 'fp32' | 'fp16';
}

export interface ManifestInput {
	id: string;
	name: string;
	spec: ModelSpec;
	bytes: number;
	sha256: string;
	/** Random weights (fixtures): trained false, no training block. */
	untrained?: boolean;
	description?: string;
	/** What the weights were trained on, if known. */
	trainedOn?: string | null;
	/** The checkpoint's file name. */
	source?: string;
	params?: number;
	precision?: 'fp32' | 'fp16';
	quality?: Record<string, unknown> | null;
}

/** Key order and values as manifest.py's write_manifest (with convert.py's training block). */
export function buildManifest(m: ManifestInput): ConvertedManifest {
	const { config } = m.spec;
	const manifest: ConvertedManifest = {
		id: m.id,
		name: m.name,
		architecture: config.arch,
		file: `${m.id}.onnx`,
		bytes: m.bytes,
		sha256: m.sha256,
		sampleRate: 44100,
		channels: config.stereo ? 2 : 1,
		stems: [...m.spec.stems],
		residualStem: m.spec.residualStem,
		stft: { nFft: config.nFft, hopLength: config.hopLength, window: 'hann', center: true, padMode: 'reflect' },
		chunk: { frames: m.spec.chunkFrames, samples: (m.spec.chunkFrames - 1) * config.hopLength },
		io: { ...ROFORMER_IO },
		trained: !m.untrained,
		description: m.description ?? '',
		training: m.untrained ? null : { data: m.trainedOn ?? null, source: m.source ?? null, params: m.params ?? null },
		quality: m.quality ?? null
	};
	if (m.precision) manifest.precision = m.precision;
	validateManifest(manifest);
	return manifest;
}

/** The manifest file's text, as manifest.py writes it (2-space JSON and a newline). */
export function manifestJson(m: ConvertedManifest): string {
	return JSON.stringify(m, null, 2) + '\n';
}
