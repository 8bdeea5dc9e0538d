/** The model manifest written by tools/stemsafe_tools/manifest.py (static/models/<id>.json). */
export interface ModelManifest {
	id: string;
	name: string;
	architecture: string;
	file: string;
	bytes: number;
	sha256: string;
	sampleRate: number;
	channels: number;
	stems: string[];
	/** A stem the model does not output: it is the input mix minus the other stems. */
	residualStem: string | null;
	stft: { nFft: number; hopLength: number; window: 'hann'; center: true; padMode: 'reflect' };
	chunk: { frames: number; samples: number };
	trained: boolean;
	description: string;
	/** The weights' licence (SPDX id or a sentence); `training.credits` lists what it learned from. */
	licence?: string;
	training: Record<string, unknown> | null;
	quality: Record<string, unknown> | null;
	/** UVR MDX-Net models (architecture 'mdx_net'): input [1, 4, dimF, dimT], hop 1024, any even n_fft. */
	mdx?: { dimF: number; dimT: number; compensate: number };
}

/** scripts/eval.ts's result, stored in the manifest: uSDR per stem, dB. */
export interface QualityRow {
	perStem: Record<string, number>;
	mean: number;
}

export interface ModelQuality {
	metric: string;
	testSet: string;
	measuredWith: string;
	model: QualityRow;
	baselines: Record<string, QualityRow>;
	/** Where the test songs come from and their licence (for real recordings). */
	source?: string;
	/** Number of songs in the test set. */
	songs?: number;
	/** Songs scored per stem (a stem whose reference is silent in a song is skipped there). */
	songsPerStem?: Record<string, number>;
	/** The same measurement on further test sets, keyed by test-set id (e.g. "eval-real"). */
	byTestSet?: Record<string, ModelQuality>;
}

function isRow(v: unknown): v is QualityRow {
	const r = v as QualityRow;
	return !!r && typeof r.mean === 'number' && !!r.perStem && typeof r.perStem === 'object';
}

function isQuality(v: unknown): v is ModelQuality {
	const q = v as ModelQuality | null;
	if (!q || typeof q.metric !== 'string' || !isRow(q.model) || !q.baselines) return false;
	return Object.values(q.baselines).every(isRow);
}

/** The manifest's measured quality on its primary (synthetic held-out) test set, if it has one in the shape eval.ts writes. */
export function modelQuality(m: ModelManifest): ModelQuality | null {
	return isQuality(m.quality) ? (m.quality as unknown as ModelQuality) : null;
}

/** Test-set id of the primary `quality` entry. */
export const PRIMARY_TEST_SET = 'synthetic';

/** Every valid quality measurement in the manifest, primary first, keyed by test-set id. */
export function modelQualities(m: ModelManifest): { key: string; quality: ModelQuality }[] {
	const out: { key: string; quality: ModelQuality }[] = [];
	const primary = modelQuality(m);
	if (primary) out.push({ key: PRIMARY_TEST_SET, quality: primary });
	const more = (m.quality as { byTestSet?: Record<string, unknown> } | null)?.byTestSet;
	if (more && typeof more === 'object') {
		for (const [key, q] of Object.entries(more)) if (isQuality(q)) out.push({ key, quality: q });
	}
	return out;
}

/** The measurement on one test set ('synthetic' is the primary one), or null. */
export function modelQualityFor(m: ModelManifest, key: string): ModelQuality | null {
	return modelQualities(m).find((q) => q.key === key)?.quality ?? null;
}

export interface ModelIndex {
	default: string;
	models: string[];
}

/** Stems the network itself outputs, in output order. */
export function modelStems(m: ModelManifest): string[] {
	return m.stems.filter((s) => s !== m.residualStem);
}

export function validateManifest(value: unknown): ModelManifest {
	const m = value as ModelManifest;
	const problems: string[] = [];
	if (!m || typeof m !== 'object') throw new Error('model manifest is not an object');
	if (typeof m.file !== 'string' || !m.file) problems.push('file');
	if (!/^[0-9a-f]{64}$/.test(m.sha256 ?? '')) problems.push('sha256');
	if (!(m.sampleRate > 0)) problems.push('sampleRate');
	if (m.channels !== 1 && m.channels !== 2) problems.push('channels');
	if (!Array.isArray(m.stems) || m.stems.length === 0) problems.push('stems');
	if (m.residualStem !== null && !m.stems?.includes(m.residualStem)) problems.push('residualStem');
	const { nFft, hopLength } = m.stft ?? ({} as ModelManifest['stft']);
	const mdx = m.architecture === 'mdx_net';
	if (!(nFft > 0 && (mdx ? nFft % 2 === 0 : (nFft & (nFft - 1)) === 0)) || !(hopLength > 0)) problems.push('stft');
	if (mdx && !(m.mdx && m.mdx.dimF > 0 && m.mdx.dimF <= nFft / 2 + 1 && m.mdx.dimT === m.chunk?.frames && m.mdx.compensate > 0)) problems.push('mdx');
	if (!(m.chunk?.frames > 1) || m.chunk.samples !== (m.chunk.frames - 1) * hopLength) problems.push('chunk');
	if (problems.length) throw new Error(`model manifest has bad fields: ${problems.join(', ')}`);
	return m;
}
