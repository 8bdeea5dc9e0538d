/**
 * The manifest of an imported UVR MDX-Net model. It has the fields of the Roformer manifest that
 * do not depend on the network (id, name, file, bytes, sha256, sample rate, channels, stems,
 * residual stem) plus `mdx`, the settings src/lib/separation/mdx-separate.ts runs it with.
 * `architecture` is 'mdx_net'; `stft`/`chunk` describe the MDX STFT (n_fft may be 6144 or 7680,
 * which validateManifest of a Roformer manifest would refuse, so use validateMdxManifest).
 */
import { MDX_HOP } from '../../dsp/mdx';
import type { MdxSettings } from './identify';
import { validateMdxSettings } from './identify';

export interface MdxManifest {
	id: string;
	name: string;
	architecture: 'mdx_net';
	file: string;
	bytes: number;
	sha256: string;
	sampleRate: 44100;
	channels: 2;
	/** [primary, secondary]; the secondary is the residual (mix minus primary). */
	stems: string[];
	residualStem: string;
	mdx: MdxSettings & {
		hopLength: number;
		/** UVR's model hash (MD5 of the last 10,000 KiB), when computed. */
		uvrHash: string | null;
		/** Where the settings came from. */
		settingsFrom: 'uvr-table' | 'user';
	};
	trained: true;
	description: string;
	training: { source: string | null } | null;
	quality: null;
}

export interface MdxManifestInput {
	id: string;
	name: string;
	bytes: number;
	sha256: string;
	settings: MdxSettings;
	uvrHash?: string | null;
	settingsFrom: 'uvr-table' | 'user';
	source?: string | null;
	description?: string;
}

export function buildMdxManifest(m: MdxManifestInput): MdxManifest {
	const settings = validateMdxSettings(m.settings);
	return validateMdxManifest({
		id: m.id,
		name: m.name,
		architecture: 'mdx_net',
		file: `${m.id}.onnx`,
		bytes: m.bytes,
		sha256: m.sha256,
		sampleRate: 44100,
		channels: 2,
		stems: [settings.primaryStem, settings.secondaryStem],
		residualStem: settings.secondaryStem,
		mdx: { ...settings, hopLength: MDX_HOP, uvrHash: m.uvrHash ?? null, settingsFrom: m.settingsFrom },
		trained: true,
		description: m.description ?? '',
		training: { source: m.source ?? null },
		quality: null
	});
}

export function validateMdxManifest(value: unknown): MdxManifest {
	const m = value as MdxManifest;
	if (!m || typeof m !== 'object' || m.architecture !== 'mdx_net') throw new Error('not an MDX-Net model manifest');
	const problems: string[] = [];
	if (typeof m.file !== 'string' || !m.file) problems.push('file');
	if (!/^[0-9a-f]{64}$/.test(m.sha256 ?? '')) problems.push('sha256');
	if (!(m.bytes > 0)) problems.push('bytes');
	if (!Array.isArray(m.stems) || m.stems.length !== 2 || m.residualStem !== m.stems[1]) problems.push('stems');
	if (m.mdx?.hopLength !== MDX_HOP) problems.push('mdx.hopLength');
	try {
		validateMdxSettings(m.mdx ?? {});
	} catch (e) {
		problems.push((e as Error).message);
	}
	if (problems.length) throw new Error(`MDX-Net manifest has bad fields: ${problems.join(', ')}`);
	return m;
}
