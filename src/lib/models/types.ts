/**
 * Contracts shared by the model-import pieces: checkpoint readers (src/lib/models/checkpoint),
 * the ZFTurbo yaml mapping (src/lib/models/config.ts), the ONNX graph builder
 * (src/lib/models/onnx) and the on-device model store.
 */

/** Random access to bytes that may not fit in memory at once (a File, a Node file handle). */
export interface ByteSource {
	readonly size: number;
	read(offset: number, length: number): Promise<Uint8Array>;
}

export type TensorDType = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** One tensor of a checkpoint; its data are read (and widened to float32) only when asked. */
export interface TensorEntry {
	name: string;
	dtype: TensorDType;
	shape: number[];
	/** Elements in C order as float32 (fp16/bf16/fp64 converted). */
	read(): Promise<Float32Array>;
}

/** A checkpoint's state dict after `state_dict` / `module.` wrappers are removed. */
export type TensorMap = Map<string, TensorEntry>;

export type RoformerArch = 'bs_roformer' | 'mel_band_roformer';

/** The network options of a BS-/Mel-Band-Roformer (ZFTurbo yaml `model:` section, camelCased). */
export interface RoformerConfig {
	arch: RoformerArch;
	dim: number;
	depth: number;
	stereo: boolean;
	numStems: number;
	timeTransformerDepth: number;
	freqTransformerDepth: number;
	/** BS-Roformer only: STFT bins per band (sums to dimFreqsIn). */
	freqsPerBands?: number[];
	/** Mel-Band-Roformer only. */
	numBands?: number;
	dimHead: number;
	heads: number;
	dimFreqsIn: number;
	sampleRate: number;
	nFft: number;
	hopLength: number;
	winLength: number;
	maskEstimatorDepth: number;
	mlpExpansionFactor: number;
	/** Upstream default true: bin 0 (DC) of every masked output spectrum is zeroed. */
	zeroDc: boolean;
}

/** What an imported checkpoint + yaml describe besides the network. */
export interface ModelSpec {
	config: RoformerConfig;
	/** Stems in the app's order; the residual (if any) is last and not output by the network. */
	stems: string[];
	residualStem: string | null;
	/** STFT frames per model call (from audio.chunk_size / hop + 1). */
	chunkFrames: number;
}
