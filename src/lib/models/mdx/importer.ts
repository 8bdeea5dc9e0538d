/**
 * Importing a UVR MDX-Net .onnx: identify it by UVR's hash (settings from UVR's table) or take the
 * settings the user entered, check them against the file's input shape, hash the file (SHA-256,
 * incremental) and build its manifest. Pure over a ByteSource, for the import worker and Node.
 */
import { forEachBlock } from '../byte-source';
import { readOnnxInterface } from '../onnx-info';
import { Sha256 } from '../sha256';
import type { ByteSource } from '../types';
import { checkMdxSettingsFitModel, identifyMdxModel, mdxInputShape, validateMdxSettings, type MdxSettings } from './identify';
import { buildMdxManifest, type MdxManifest } from './manifest';

/** Thrown when the model is not in UVR's table and no settings were given: ask the user. */
export class MdxSettingsNeeded extends Error {
	constructor(
		readonly uvrHash: string,
		/** Sizes read from the model file, to fill the form in (null when the file does not fix them). */
		readonly prefill: { dimF: number | null; dimT: number | null }
	) {
		super(
			'This MDX-Net model is not in Ultimate Vocal Remover\'s list of known models: enter its settings ' +
				'(n_fft, dim_f, dim_t, compensate, primary stem; they are published with the model).'
		);
		this.name = 'MdxSettingsNeeded';
	}
}

export interface MdxImportInput {
	onnx: ByteSource;
	fileName: string;
	id: string;
	/** Display name; default UVR's name for the file, else the file name. */
	name?: string;
	/** The user's settings: required for an unknown model, override the table for a known one. */
	settings?: Partial<MdxSettings> | null;
	onProgress?: (fraction: number) => void;
	signal?: AbortSignal;
}

export async function prepareMdxImport(input: MdxImportInput): Promise<MdxManifest> {
	const { onnx, fileName } = input;
	const iface = await readOnnxInterface(onnx);
	const shape = mdxInputShape(iface); // "not an MDX-Net model" when it is something else
	const found = await identifyMdxModel(onnx, fileName);
	if (found.status === 'mdx23c') {
		throw new Error(`${fileName} is an MDX23C model (${found.configYaml}), a different network that Stemsafe does not run.`);
	}
	let settings: MdxSettings;
	let settingsFrom: 'uvr-table' | 'user';
	if (input.settings) {
		settings = validateMdxSettings({ ...(found.status === 'known' ? found.settings : {}), ...input.settings });
		settingsFrom = 'user';
	} else if (found.status === 'known') {
		settings = found.settings;
		settingsFrom = 'uvr-table';
	} else {
		throw new MdxSettingsNeeded(found.hash, { dimF: shape.dimF, dimT: shape.dimT });
	}
	checkMdxSettingsFitModel(settings, iface);
	input.signal?.throwIfAborted();
	const sha = new Sha256();
	let done = 0;
	await forEachBlock(onnx, 0, onnx.size, (b) => {
		input.signal?.throwIfAborted();
		sha.update(b);
		done += b.length;
		input.onProgress?.(done / onnx.size);
	});
	return buildMdxManifest({
		id: input.id,
		name: input.name ?? found.name ?? fileName.replace(/^.*[\\/]/, '').replace(/\.onnx$/i, ''),
		bytes: onnx.size,
		sha256: sha.hex(),
		settings,
		uvrHash: found.hash,
		settingsFrom,
		source: fileName.replace(/^.*[\\/]/, '')
	});
}
