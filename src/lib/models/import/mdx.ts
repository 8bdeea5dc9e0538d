/** UVR MDX-Net .onnx import: identified by UVR's hash table, or with settings the user enters. */
import { checkMdxSettingsFitModel, identifyMdxModel, mdxInputShape, validateMdxSettings, type MdxSettings } from '../mdx';
import { readOnnxInterface, type OnnxInterface } from '../onnx-info';
import { validateManifest, type ModelManifest } from '../../separation/manifest';
import { MDX_HOP } from '../../dsp/mdx';
import { ImportError } from './classify';
import type { ByteSource } from '../types';

/** Thrown when a model is not in UVR's table: the UI asks for its settings and imports again. */
export class MdxSettingsNeeded extends ImportError {
	constructor(
		fileName: string,
		/** dim_f / dim_t read from the model's input, to fill the form in. */
		readonly suggested: { dimF: number | null; dimT: number | null }
	) {
		super(
			`${fileName} is not in Ultimate Vocal Remover's MDX-Net model table. Enter its settings (n_fft, dim_f, dim_t, compensate and primary stem, as listed where you got the model) to import it.`
		);
		this.name = 'MdxSettingsNeeded';
	}
}

const stemId = (s: string) => s.trim().toLowerCase().replace(/\s+/g, '-');

export function mdxManifest(settings: MdxSettings, meta: { id: string; name: string; from: string; hash: string; known: boolean }): ModelManifest {
	const primary = stemId(settings.primaryStem);
	let secondary = stemId(settings.secondaryStem);
	if (secondary === primary) secondary = `no-${primary}`;
	return validateManifest({
		id: meta.id,
		name: meta.name,
		architecture: 'mdx_net',
		file: `${meta.id}.onnx`,
		bytes: 1,
		sha256: '0'.repeat(64),
		sampleRate: 44100,
		channels: 2,
		stems: [primary, secondary],
		residualStem: secondary,
		stft: { nFft: settings.nFft, hopLength: MDX_HOP, window: 'hann', center: true, padMode: 'reflect' },
		chunk: { frames: settings.dimT, samples: MDX_HOP * (settings.dimT - 1) },
		mdx: { dimF: settings.dimF, dimT: settings.dimT, compensate: settings.compensate },
		trained: true,
		description: `UVR MDX-Net model imported on this device from ${meta.from} (${meta.known ? "settings from UVR's model table" : 'settings entered by the user'}; UVR hash ${meta.hash}). Stemsafe has not measured its quality.`,
		training: { data: null, source: meta.from, params: null },
		quality: null
	});
}

export interface MdxIdentified {
	settings: MdxSettings;
	name: string;
	hash: string;
	known: boolean;
}

/** UVR's table first; the user's settings for a model it does not know. */
export async function identifyMdx(onnx: ByteSource, fileName: string, entered: Partial<MdxSettings> | null): Promise<MdxIdentified> {
	const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
	let shape: ReturnType<typeof mdxInputShape>;
	let iface: OnnxInterface;
	try {
		iface = await readOnnxInterface(onnx);
	} catch {
		// the reader's own words (protobuf wire types, varints) mean nothing to a musician
		throw new ImportError(
			`${fileName} is not a readable ONNX model: the file is damaged, cut short by an incomplete download, or not a model. ` +
				'A Stemsafe model needs its .json manifest dropped with it.'
		);
	}
	try {
		shape = mdxInputShape(iface);
	} catch (e) {
		throw new ImportError(`${fileName}: ${message(e)}. A Stemsafe model needs its .json manifest dropped with it.`);
	}
	const found = await identifyMdxModel(onnx, fileName);
	if (found.status === 'mdx23c') {
		throw new ImportError(`${fileName} is an MDX23C model (a PyTorch network with a yaml config in UVR), not an MDX-Net ONNX model; Stemsafe cannot run it.`);
	}
	let settings: MdxSettings;
	if (found.status === 'known') settings = found.settings;
	else if (entered) {
		try {
			settings = validateMdxSettings(entered);
		} catch (e) {
			throw new ImportError(e instanceof Error ? e.message : String(e));
		}
	} else throw new MdxSettingsNeeded(fileName, { dimF: shape.dimF, dimT: shape.dimT });
	try {
		checkMdxSettingsFitModel(settings, iface);
	} catch (e) {
		throw new ImportError(`${fileName}: ${message(e)}.`);
	}
	return { settings, name: found.name ?? fileName.replace(/\.onnx$/i, ''), hash: found.hash, known: found.status === 'known' };
}
