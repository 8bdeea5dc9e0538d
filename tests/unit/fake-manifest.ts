import type { ModelManifest } from '../../src/lib/separation/manifest';

/** A model manifest for pipeline tests with fake networks: stereo 44.1 kHz, "other" the residual; `over` sets the rest. */
export function fakeManifest(over: Pick<ModelManifest, 'stems' | 'stft' | 'chunk'> & Partial<ModelManifest>): ModelManifest {
	return {
		id: 'test',
		name: 'test',
		architecture: 'bs_roformer',
		file: 'x.onnx',
		bytes: 0,
		sha256: '0'.repeat(64),
		sampleRate: 44100,
		channels: 2,
		residualStem: 'other',
		trained: false,
		description: '',
		training: null,
		quality: null,
		...over
	};
}
