/**
 * A ZFTurbo Music-Source-Separation-Training yaml config (sections audio / model / training)
 * -> ModelSpec, exactly as tools/convert.py's read_config and the option checks of
 * tools/stemsafe_tools (SpectralRoformer, BSRoformer, MelBandRoformer) do it. The yaml does not
 * name the architecture (upstream passes it as --model_type): it is taken from the caller, else
 * from the model section (freqs_per_bands -> BS-Roformer, num_bands -> Mel-Band-Roformer), else
 * from the checkpoint's keys (final_norm.* exists only in BS-Roformer), else the user must choose.
 */
import type { ModelSpec, RoformerArch, RoformerConfig } from './types';
import { parseYaml, YamlError } from './yaml';

export class ConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ConfigError';
	}
}

/** BSRoformer's default bands (tools/stemsafe_tools/bs_roformer.py DEFAULT_FREQS_PER_BANDS). */
export const DEFAULT_FREQS_PER_BANDS: number[] = [
	...Array<number>(24).fill(2),
	...Array<number>(12).fill(4),
	...Array<number>(8).fill(12),
	...Array<number>(8).fill(24),
	...Array<number>(8).fill(48),
	128,
	129
];

const SHARED_TRAINING_ONLY = [
	'flash_attn',
	'multi_stft_resolution_loss_weight',
	'multi_stft_resolutions_window_sizes',
	'multi_stft_hop_size',
	'multi_stft_normalized',
	'use_torch_checkpoint',
	'sage_attention',
	'attn_dropout',
	'ff_dropout',
	'stft_window_fn',
	'multi_stft_window_fn'
];
/** Keys of the `model:` section that only matter for training (ignored), per architecture. */
export const TRAINING_ONLY_KEYS: Record<RoformerArch, Set<string>> = {
	bs_roformer: new Set([...SHARED_TRAINING_ONLY, 'mlp_expansion_factor_dummy']),
	mel_band_roformer: new Set([...SHARED_TRAINING_ONLY, 'match_input_audio_length'])
};

const NETWORK_KEYS: Record<RoformerArch, Set<string>> = {
	bs_roformer: new Set([
		'dim', 'depth', 'stereo', 'num_stems', 'time_transformer_depth', 'freq_transformer_depth', 'linear_transformer_depth',
		'freqs_per_bands', 'dim_head', 'heads', 'dim_freqs_in', 'stft_n_fft', 'stft_hop_length', 'stft_win_length',
		'stft_normalized', 'mask_estimator_depth', 'mlp_expansion_factor', 'skip_connection', 'zero_dc'
	]),
	mel_band_roformer: new Set([
		'dim', 'depth', 'stereo', 'num_stems', 'time_transformer_depth', 'freq_transformer_depth', 'linear_transformer_depth',
		'num_bands', 'dim_head', 'heads', 'dim_freqs_in', 'sample_rate', 'stft_n_fft', 'stft_hop_length', 'stft_win_length',
		'stft_normalized', 'mask_estimator_depth', 'mlp_expansion_factor', 'skip_connection', 'zero_dc'
	])
};

const ARCH_NAMES: Record<RoformerArch, string> = { bs_roformer: 'BS-Roformer', mel_band_roformer: 'Mel-Band-Roformer' };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Every `model:` key the architecture accepts (network options and ignored training options). */
export function acceptedModelKeys(arch: RoformerArch): string[] {
	return [...new Set([...NETWORK_KEYS[arch], ...TRAINING_ONLY_KEYS[arch]])].sort();
}

/** The architecture a config's `model:` section implies, or null when it does not say. */
export function archFromModelSection(model: Obj): RoformerArch | null {
	const bs = 'freqs_per_bands' in model;
	const mel = 'num_bands' in model;
	if (bs && mel) throw new ConfigError('the config has both freqs_per_bands (BS-Roformer) and num_bands (Mel-Band-Roformer)');
	return bs ? 'bs_roformer' : mel ? 'mel_band_roformer' : null;
}

/** The architecture a state dict's keys imply: final_norm exists only in BS-Roformer. */
export function archFromKeys(keys: Iterable<string>): RoformerArch | null {
	let layers = false;
	for (const k of keys) {
		if (k.startsWith('final_norm.')) return 'bs_roformer';
		if (k.startsWith('layers.')) layers = true;
	}
	return layers ? 'mel_band_roformer' : null;
}

export interface ConfigOptions {
	/** The user's choice; required when neither the yaml nor the keys tell. */
	arch?: RoformerArch | null;
	/** The checkpoint's keys (after wrappers are removed), used to detect the architecture. */
	keys?: Iterable<string>;
}

/**
 * tools/train.py's config.json ({ model, stems, residual, chunk_frames }), as tools/convert.py's
 * read_config takes it: a BS-Roformer unless `arch` says otherwise, trained without upstream's DC
 * zeroing unless the model section says so, "other" (the residual) not output by the network.
 */
export function specFromTrainConfig(doc: unknown, arch: RoformerArch = 'bs_roformer'): ModelSpec {
	if (!isObj(doc) || !isObj(doc.model) || !Array.isArray(doc.stems)) throw new ConfigError('not a tools/train.py config (model, stems)');
	const residual = typeof doc.residual === 'string' ? doc.residual : null;
	const estimated = (doc.stems as unknown[]).filter((s): s is string => typeof s === 'string' && s !== residual);
	const spec = specFromConfig(
		{ model: { zero_dc: false, ...doc.model }, training: { instruments: estimated }, audio: { chunk_size: ((Number(doc.chunk_frames) || 201) - 1) * Number(doc.model.stft_hop_length ?? 512) } },
		{ arch }
	);
	return { ...spec, stems: [...(doc.stems as string[])], residualStem: residual };
}

/** Reads the yaml text (clear message on a yaml error) and maps it; see `specFromConfig`. */
export function specFromYaml(text: string, options: ConfigOptions = {}): ModelSpec {
	let doc: unknown;
	try {
		doc = parseYaml(text);
	} catch (e) {
		if (e instanceof YamlError) throw new ConfigError(`the config is not readable yaml: ${e.message}`);
		throw e;
	}
	return specFromConfig(doc, options);
}

function int(model: Obj, key: string, fallback: number | undefined, min = 1): number {
	const v = model[key] ?? fallback;
	if (v === undefined) throw new ConfigError(`the config's model section needs ${key}`);
	if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
		throw new ConfigError(`model.${key} must be an integer${min > 0 ? ` >= ${min}` : ''}, got ${JSON.stringify(v)}`);
	}
	return v;
}

function bool(model: Obj, key: string, fallback: boolean): boolean {
	const v = model[key] ?? fallback;
	if (typeof v !== 'boolean') throw new ConfigError(`model.${key} must be true or false, got ${JSON.stringify(v)}`);
	return v;
}

/** A parsed ZFTurbo yaml -> ModelSpec, with tools/convert.py's and the Python models' checks. */
export function specFromConfig(doc: unknown, options: ConfigOptions = {}): ModelSpec {
	if (!isObj(doc) || !isObj(doc.model)) throw new ConfigError('the config has no model: section (expected a ZFTurbo / UVR Roformer yaml)');
	const model = doc.model;
	const audio = isObj(doc.audio) ? doc.audio : {};
	const training = isObj(doc.training) ? doc.training : {};

	const fromYaml = archFromModelSection(model);
	const fromKeys = options.keys ? archFromKeys(options.keys) : null;
	const arch = options.arch ?? fromYaml ?? fromKeys;
	if (!arch) {
		throw new ConfigError('the config does not say whether this is a BS-Roformer or a Mel-Band-Roformer: choose the architecture');
	}
	if (fromYaml && fromYaml !== arch) {
		throw new ConfigError(
			`the config has ${fromYaml === 'bs_roformer' ? 'freqs_per_bands' : 'num_bands'}, a ${ARCH_NAMES[fromYaml]} option, ` +
				`but ${ARCH_NAMES[arch]} was chosen`
		);
	}
	if (fromKeys && fromKeys !== arch) {
		throw new ConfigError(`the checkpoint's weights are a ${ARCH_NAMES[fromKeys]}, but the config describes a ${ARCH_NAMES[arch]}`);
	}

	// options this network (and the browser) cannot honour: refuse instead of building a different network
	if ('use_pope' in model && model.use_pope) throw new ConfigError('model.use_pope (PoPE positions) is not supported');
	const unknown = Object.keys(model).filter((k) => k !== 'use_pope' && !NETWORK_KEYS[arch].has(k) && !TRAINING_ONLY_KEYS[arch].has(k));
	if (unknown.length) throw new ConfigError(`unsupported ${ARCH_NAMES[arch]} options: ${unknown.sort().join(', ')}`);
	if (int(model, 'linear_transformer_depth', 0, 0) !== 0) throw new ConfigError('model.linear_transformer_depth > 0 is not supported');
	if (bool(model, 'skip_connection', false)) throw new ConfigError('model.skip_connection: true is not supported');
	if (bool(model, 'stft_normalized', false)) throw new ConfigError('model.stft_normalized: true is not supported (the browser STFT is unnormalized)');
	const nFft = int(model, 'stft_n_fft', 2048, 2);
	const hopLength = int(model, 'stft_hop_length', 512);
	const winLength = int(model, 'stft_win_length', 2048);
	const dimFreqsIn = int(model, 'dim_freqs_in', 1025);
	if (winLength !== nFft) throw new ConfigError('model.stft_win_length must equal stft_n_fft');
	if ((nFft & (nFft - 1)) !== 0) throw new ConfigError(`model.stft_n_fft must be a power of two, got ${nFft}`);
	if (dimFreqsIn !== nFft / 2 + 1) throw new ConfigError('model.dim_freqs_in must be stft_n_fft/2+1');
	const zeroDc = model.zero_dc ?? true;
	if (typeof zeroDc !== 'boolean') throw new ConfigError(`model.zero_dc must be true or false, got ${JSON.stringify(zeroDc)}`);

	const config: RoformerConfig = {
		arch,
		dim: int(model, 'dim', undefined),
		depth: int(model, 'depth', undefined),
		stereo: bool(model, 'stereo', false),
		numStems: int(model, 'num_stems', 1),
		timeTransformerDepth: int(model, 'time_transformer_depth', 2),
		freqTransformerDepth: int(model, 'freq_transformer_depth', 2),
		dimHead: int(model, 'dim_head', 64),
		heads: int(model, 'heads', 8),
		dimFreqsIn,
		sampleRate: 44100,
		nFft,
		hopLength,
		winLength,
		maskEstimatorDepth: int(model, 'mask_estimator_depth', arch === 'bs_roformer' ? 2 : 1),
		mlpExpansionFactor: int(model, 'mlp_expansion_factor', 4),
		zeroDc
	};
	if (arch === 'bs_roformer') {
		const bands = model.freqs_per_bands ?? DEFAULT_FREQS_PER_BANDS;
		if (!Array.isArray(bands) || bands.length === 0 || !bands.every((b) => Number.isInteger(b) && b > 0)) {
			throw new ConfigError('model.freqs_per_bands must be a list of positive integers');
		}
		if (bands.reduce((a: number, b: number) => a + b, 0) !== dimFreqsIn) {
			throw new ConfigError(`model.freqs_per_bands must cover all ${dimFreqsIn} STFT bins (n_fft/2+1)`);
		}
		config.freqsPerBands = [...(bands as number[])];
	} else {
		config.numBands = int(model, 'num_bands', 60);
		config.sampleRate = int(model, 'sample_rate', 44100);
	}

	// stems and residual, as tools/convert.py read_config
	const instruments = training.instruments;
	if (!Array.isArray(instruments) || instruments.length === 0 || !instruments.every((i) => typeof i === 'string')) {
		throw new ConfigError('the config has no training.instruments: cannot name the stems');
	}
	const target = training.target_instrument;
	let stems: string[];
	let residualStem: string | null;
	if (target !== undefined && target !== null && target !== '') {
		if (typeof target !== 'string') throw new ConfigError('training.target_instrument must be a name');
		const rest = (instruments as string[]).filter((i) => i !== target);
		residualStem = rest.length === 1 ? rest[0] : `no ${target}`;
		stems = [target, residualStem];
		if (config.numStems !== 1) throw new ConfigError('training.target_instrument is set but model.num_stems is not 1');
	} else {
		stems = [...(instruments as string[])];
		residualStem = null;
		if (config.numStems !== instruments.length) {
			throw new ConfigError(`model.num_stems is ${config.numStems} but training.instruments names ${instruments.length} stems`);
		}
	}

	const rate = audio.sample_rate ?? model.sample_rate ?? 44100;
	if (rate !== 44100) throw new ConfigError(`the model runs at ${String(rate)} Hz; the app runs models at 44100 Hz only`);
	const chunk = audio.chunk_size;
	let chunkFrames = 201;
	if (chunk !== undefined && chunk !== null) {
		if (typeof chunk !== 'number' || !Number.isInteger(chunk) || chunk < hopLength) {
			throw new ConfigError(`audio.chunk_size must be a whole number of samples >= the hop length, got ${JSON.stringify(chunk)}`);
		}
		chunkFrames = Math.floor(chunk / hopLength) + 1;
	}
	return { config, stems, residualStem, chunkFrames };
}
