/** The app's model manifest for a network built from a checkpoint + yaml (same fields as
 * tools/stemsafe_tools/manifest.py writes; file, bytes and sha256 are filled in by the store). */
import type { ModelManifest } from '../../separation/manifest';
import type { ModelSpec } from '../types';

export function manifestFromSpec(spec: ModelSpec, meta: { id: string; name: string; params: number | null; from: string[] }): ModelManifest {
	const c = spec.config;
	const manifest: ModelManifest & { io: Record<string, string> } = {
		id: meta.id,
		name: meta.name,
		architecture: c.arch,
		file: `${meta.id}.fp32.onnx`,
		bytes: 0,
		sha256: '0'.repeat(64),
		sampleRate: c.sampleRate,
		channels: c.stereo ? 2 : 1,
		stems: spec.stems,
		residualStem: spec.residualStem,
		stft: { nFft: c.nFft, hopLength: c.hopLength, window: 'hann', center: true, padMode: 'reflect' },
		chunk: { frames: spec.chunkFrames, samples: (spec.chunkFrames - 1) * c.hopLength },
		io: { input: 'stft', inputLayout: '[1, S, F, T, 2]', output: 'stems', outputLayout: '[1, N, S, F, T, 2]' },
		trained: true,
		description: `Imported on this device from ${meta.from.join(' + ')}. Stemsafe has not measured its quality; see the checkpoint's own publication.`,
		training: {
			params: meta.params,
			source: meta.from.join(' + '),
			model: { ...c }
		},
		quality: null
	};
	return manifest;
}
