/**
 * Recognising a UVR MDX-Net `.onnx` the way Ultimate Vocal Remover does: MD5 of the file's last
 * 10,000 x 1024 bytes (of the whole file when it is smaller) looked up in UVR's table, which gives
 * the STFT settings (n_fft, dim_f, dim_t = 2 ** mdx_dim_t_set), `compensate` and the primary stem.
 * A model that is not in the table needs the same settings from the user (`validateMdxSettings`).
 */
import { forEachBlock } from '../byte-source';
import type { OnnxInterface } from '../onnx-info';
import type { ByteSource } from '../types';
import { Md5 } from '../../hash/md5';
import { UVR_MDX_MODEL_DATA, UVR_MDX_MODEL_NAMES, type UvrMdxEntry } from './uvr-model-data';

/** How many trailing bytes UVR hashes. */
export const UVR_HASH_BYTES = 10_000 * 1024;

export interface MdxSettings {
	nFft: number;
	dimF: number;
	/** Frames per model call (2 ** UVR's mdx_dim_t_set). */
	dimT: number;
	compensate: number;
	/** UVR's name: Vocals, Instrumental, Other, Bass, Drums, Reverb, ... */
	primaryStem: string;
	/** The stem that is the mix minus the primary. */
	secondaryStem: string;
	isKaraoke: boolean;
}

export type MdxIdentification =
	| { status: 'known'; hash: string; name: string | null; settings: MdxSettings }
	/** MDX23C (a PyTorch network with a yaml config), which is not an MDX-Net ONNX model. */
	| { status: 'mdx23c'; hash: string; name: string | null; configYaml: string }
	| { status: 'unknown'; hash: string; name: string | null };

/** UVR's stem pairs (gui_data/constants STEM_PAIR_MAPPER) for the stems MDX-Net models have. */
export function secondaryStemOf(primary: string): string {
	const pairs: Record<string, string> = { Vocals: 'Instrumental', Instrumental: 'Vocals' };
	if (pairs[primary]) return pairs[primary];
	return primary.startsWith('No ') ? primary.slice(3) : `No ${primary}`;
}

/** MD5 of the last 10,000 x 1024 bytes (or all) of the source, read in blocks. */
export async function uvrModelHash(src: ByteSource): Promise<string> {
	const md5 = new Md5();
	await forEachBlock(src, Math.max(0, src.size - UVR_HASH_BYTES), src.size, (b) => md5.update(b), 1 << 20);
	return md5.hex();
}

/** UVR's display name for a file name, e.g. "UVR-MDX-NET-Inst_HQ_3.onnx" -> "UVR-MDX-NET Inst HQ 3". */
export function uvrDisplayName(fileName: string): string | null {
	const base = fileName.replace(/^.*[\\/]/, '');
	return UVR_MDX_MODEL_NAMES[base] ?? UVR_MDX_MODEL_NAMES[base.replace(/\.[^.]+$/, '')] ?? null;
}

export async function identifyMdxModel(
	src: ByteSource,
	fileName = '',
	table: Record<string, UvrMdxEntry> = UVR_MDX_MODEL_DATA
): Promise<MdxIdentification> {
	const hash = await uvrModelHash(src);
	const name = uvrDisplayName(fileName);
	const entry = table[hash];
	if (!entry) return { status: 'unknown', hash, name };
	if (entry.config_yaml) return { status: 'mdx23c', hash, name, configYaml: entry.config_yaml };
	const primaryStem = entry.primary_stem ?? 'Vocals';
	return {
		status: 'known',
		hash,
		name,
		settings: validateMdxSettings({
			nFft: entry.mdx_n_fft_scale_set,
			dimF: entry.mdx_dim_f_set,
			dimT: 2 ** (entry.mdx_dim_t_set ?? 8),
			compensate: entry.compensate,
			primaryStem,
			secondaryStem: secondaryStemOf(primaryStem),
			isKaraoke: entry.is_karaoke ?? false
		})
	};
}

/** What a user types in for an unrecognised model, checked; throws an Error with a user-facing message. */
export function validateMdxSettings(s: Partial<MdxSettings>): MdxSettings {
	const problems: string[] = [];
	const nFft = s.nFft as number;
	if (!(Number.isInteger(nFft) && nFft >= 512 && nFft <= 32768 && nFft % 2 === 0)) problems.push('n_fft must be an even number from 512 to 32768 (UVR: 4096, 6144, 7680 or 8192)');
	const dimF = s.dimF as number;
	if (!(Number.isInteger(dimF) && dimF >= 4 && dimF <= nFft / 2 + 1)) problems.push('dim_f must be a whole number of bins, at most n_fft/2 + 1 (UVR: 2048 or 3072)');
	const dimT = s.dimT as number;
	if (!(Number.isInteger(dimT) && dimT >= 8 && (dimT & (dimT - 1)) === 0 && dimT <= 1024)) problems.push('dim_t must be a power of two from 8 to 1024 frames (UVR: 256 = 2^8)');
	else if (Number.isInteger(nFft) && 1024 * (dimT - 1) <= nFft) problems.push('dim_t is too small for this n_fft');
	const compensate = s.compensate as number;
	if (!(typeof compensate === 'number' && compensate > 0 && compensate < 10)) problems.push('compensate must be a positive gain (UVR: about 1.0 to 1.1)');
	const primaryStem = typeof s.primaryStem === 'string' ? s.primaryStem.trim() : '';
	if (!primaryStem) problems.push('name the primary stem (e.g. Vocals or Instrumental)');
	if (problems.length) throw new Error(`MDX-Net settings: ${problems.join('; ')}`);
	return {
		nFft,
		dimF,
		dimT,
		compensate,
		primaryStem,
		secondaryStem: s.secondaryStem?.trim() || secondaryStemOf(primaryStem),
		isKaraoke: s.isKaraoke ?? false
	};
}

/** An MDX-Net graph's input: [batch, 4, dim_f, dim_t] (fixed sizes as numbers, else null). */
export function mdxInputShape(iface: OnnxInterface): { inputName: string; dimF: number | null; dimT: number | null } {
	const input = iface.inputs.find((i) => i.dims.length === 4 && i.dims[1] === 4);
	if (!input || iface.inputs.length !== 1 || iface.outputs.length !== 1) {
		const seen = iface.inputs.map((i) => `${i.name} [${i.dims.map((d) => d ?? '?').join(', ')}]`).join(', ') || 'none';
		throw new Error(`not a UVR MDX-Net model: expected one input [batch, 4, dim_f, dim_t] and one output, found inputs ${seen}`);
	}
	const num = (d: number | string | null) => (typeof d === 'number' && d > 0 ? d : null);
	return { inputName: input.name, dimF: num(input.dims[2]), dimT: num(input.dims[3]) };
}

/** Throws a clear message when the settings do not fit the model file's fixed input sizes. */
export function checkMdxSettingsFitModel(settings: MdxSettings, iface: OnnxInterface): void {
	const { dimF, dimT } = mdxInputShape(iface);
	if (dimF !== null && dimF !== settings.dimF) throw new Error(`the model takes dim_f = ${dimF} frequency bins, the settings say ${settings.dimF}`);
	if (dimT !== null && dimT !== settings.dimT) throw new Error(`the model takes dim_t = ${dimT} frames, the settings say ${settings.dimT}`);
}
