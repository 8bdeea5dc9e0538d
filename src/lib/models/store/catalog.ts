/**
 * The model picker's catalog: bundled models (static/models) and imported ones together,
 * which one is active, names and ids for new imports, and validation of stored records.
 * Pure: no storage, no DOM.
 */
import { validateManifest, type ModelManifest } from '../../separation/manifest';
import type { ModelSource, StoredFile, StoredModel } from './types';

export interface CatalogEntry {
	id: string;
	name: string;
	stems: string[];
	/** Bytes on disk (bundled: the .onnx; imported: every stored variant). */
	bytes: number;
	params: number | null;
	/** Where it came from, as a sentence fragment for the picker. */
	from: string;
	kind: 'bundled' | 'imported';
	/** Seconds of audio per network call. */
	chunkSeconds: number;
	hasFp16: boolean;
	/** Overlap fraction from the model's config, if it gives one. */
	overlap: number | null;
	manifest: ModelManifest;
	source: ModelSource;
}

function paramsOf(m: ModelManifest): number | null {
	const p = (m.training as { params?: unknown } | null)?.params;
	return typeof p === 'number' ? p : null;
}

export function chunkSeconds(m: ModelManifest): number {
	return m.chunk.samples / m.sampleRate;
}

/** "imported from model.ckpt + config.yaml on 2026-11-23" */
export function describeOrigin(model: StoredModel): string {
	const date = model.origin.importedAt.slice(0, 10);
	return `imported from ${model.origin.files.join(' + ')} on ${date}`;
}

export function bundledEntry(m: ModelManifest, modelUrl: string): CatalogEntry {
	return {
		id: m.id,
		name: m.name,
		stems: m.stems,
		bytes: m.bytes,
		params: paramsOf(m),
		from: 'bundled with Stemsafe',
		kind: 'bundled',
		chunkSeconds: chunkSeconds(m),
		hasFp16: false,
		overlap: null,
		manifest: m,
		source: { kind: 'url', url: modelUrl }
	};
}

export function importedEntry(model: StoredModel): CatalogEntry {
	const { fp32, fp16 } = model.variants;
	return {
		id: model.id,
		name: model.manifest.name,
		stems: model.manifest.stems,
		bytes: fp32.bytes + (fp16?.bytes ?? 0),
		params: model.params,
		from: describeOrigin(model),
		kind: 'imported',
		chunkSeconds: chunkSeconds(model.manifest),
		hasFp16: !!fp16,
		overlap: model.overlap ?? null,
		manifest: model.manifest,
		source: { kind: 'opfs', fp32, ...(fp16 ? { fp16 } : {}) }
	};
}

/** Bundled models first (in index order), then imported ones, oldest first. A stored model
 * whose id collides with a bundled one is left out (ids are chosen to avoid that). */
export function mergeCatalog(bundled: CatalogEntry[], imported: StoredModel[]): CatalogEntry[] {
	const ids = new Set(bundled.map((e) => e.id));
	const extra = imported
		.filter((m) => !ids.has(m.id))
		.sort((a, b) => a.origin.importedAt.localeCompare(b.origin.importedAt) || a.id.localeCompare(b.id))
		.map(importedEntry);
	return [...bundled, ...extra];
}

/** The remembered model if it is still there, else the default, else the first. */
export function chooseActive(entries: CatalogEntry[], remembered: string | null, defaultId: string): CatalogEntry | null {
	return (
		entries.find((e) => e.id === remembered) ?? entries.find((e) => e.id === defaultId) ?? entries[0] ?? null
	);
}

/** Total bytes the imported models take on this device. */
export function storageUsed(imported: StoredModel[]): number {
	return imported.reduce((sum, m) => sum + m.variants.fp32.bytes + (m.variants.fp16?.bytes ?? 0), 0);
}

/** A lowercase id from a name: letters, digits and single dashes, at most 48 characters. */
export function slug(name: string): string {
	const s = name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 48)
		.replace(/-+$/, '');
	return s || 'model';
}

/** An id for a new model that no existing model (bundled or imported) has: `slug`, `slug-2`, ... */
export function uniqueId(name: string, taken: Iterable<string>): string {
	const used = new Set(taken);
	const base = `user-${slug(name)}`;
	if (!used.has(base)) return base;
	for (let i = 2; ; i++) if (!used.has(`${base}-${i}`)) return `${base}-${i}`;
}

/** A display name from the model file's name: extension dropped, `_` and `-` runs as spaces. */
export function nameFromFile(fileName: string): string {
	const stem = fileName.replace(/\.[^.]+$/, '');
	return stem.replace(/[_]+/g, ' ').replace(/\s+/g, ' ').trim() || 'Imported model';
}

function isStoredFile(v: unknown): v is StoredFile {
	const f = v as StoredFile;
	return !!f && typeof f.name === 'string' && /^[\w.-]+$/.test(f.name) && Number.isSafeInteger(f.bytes) && f.bytes > 0 && /^[0-9a-f]{64}$/.test(f.sha256 ?? '');
}

/** Checks a record read back from IndexedDB; throws with the reason when it is not usable. */
export function validateStoredModel(value: unknown): StoredModel {
	const m = value as StoredModel;
	if (!m || typeof m !== 'object' || typeof m.id !== 'string' || !m.id) throw new Error('stored model has no id');
	const manifest = validateManifest(m.manifest);
	if (!isStoredFile(m.variants?.fp32)) throw new Error(`stored model ${m.id} has no valid fp32 file`);
	if (m.variants.fp16 !== undefined && !isStoredFile(m.variants.fp16)) throw new Error(`stored model ${m.id} has a bad fp16 file`);
	if (manifest.sha256 !== m.variants.fp32.sha256 || manifest.bytes !== m.variants.fp32.bytes) {
		throw new Error(`stored model ${m.id}: manifest and stored file disagree`);
	}
	if (m.overlap != null && !(typeof m.overlap === 'number' && m.overlap >= 0 && m.overlap < 1)) throw new Error(`stored model ${m.id} has a bad overlap`);
	if (!m.origin || !Array.isArray(m.origin.files) || typeof m.origin.importedAt !== 'string') {
		throw new Error(`stored model ${m.id} has no origin`);
	}
	return m;
}
