/**
 * The on-device model store: model bytes in a folder of files (OPFS in the browser), one
 * record per model (IndexedDB). Storage is injected, so this logic runs in Node tests with
 * in-memory fakes; src/lib/models/store/browser.ts supplies the real adapters.
 *
 * A model is installed by writing its files first and its record last: a crash or cancel in
 * between leaves files without a record, which `sweep()` removes; the list never shows a
 * model whose files are missing or half written.
 */
import type { ModelManifest } from '../../separation/manifest';
import { validateStoredModel } from './catalog';
import { Sha256 } from '../../hash/sha256';
import type { ModelOrigin, Precision, StoredFile, StoredModel } from './types';

/** A folder of files (OPFS `models/`). */
export interface FileFolder {
	/** Writes `name` from `parts` in order; on any failure or abort nothing named `name` remains. */
	write(name: string, parts: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void>;
	read(name: string): Promise<ArrayBuffer>;
	remove(name: string): Promise<void>;
	list(): Promise<string[]>;
}

/** Key-value records (idb-keyval on a dedicated database). */
export interface RecordStore {
	get(key: string): Promise<unknown>;
	set(key: string, value: unknown): Promise<void>;
	del(key: string): Promise<void>;
	entries(): Promise<[string, unknown][]>;
}

export const RECORD_PREFIX = 'model:';

export interface InstallVariant {
	parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
	/** When known in advance (a manifest's sha256 and size), the written bytes must match. */
	expect?: { sha256: string; bytes: number };
}

export interface InstallRequest {
	id: string;
	/** Asked once the files are written, with the fp32 file (a converted model's parameter count,
	 * size and hash are known only then). */
	describe(fp32: StoredFile): { manifest: ModelManifest; params: number | null; overlap?: number | null };
	origin: ModelOrigin;
	variants: { fp32: InstallVariant; fp16?: InstallVariant };
	signal?: AbortSignal;
	/** Bytes written so far (all variants). */
	onBytes?: (written: number) => void;
}

export class DuplicateModelError extends Error {
	constructor(readonly existing: StoredModel) {
		super(`This model is already installed as “${existing.manifest.name}”.`);
		this.name = 'DuplicateModelError';
	}
}

export function fileName(id: string, precision: Precision): string {
	return `${id}.${precision}.onnx`;
}

async function* asAsync(parts: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): AsyncGenerator<Uint8Array> {
	for await (const p of parts) yield p;
}

export class ModelStore {
	constructor(
		private readonly files: FileFolder,
		private readonly records: RecordStore
	) {}

	/** Every usable stored model. Records that fail validation are skipped (and reported). */
	async list(onBad?: (key: string, error: string) => void): Promise<StoredModel[]> {
		const out: StoredModel[] = [];
		for (const [key, value] of await this.records.entries()) {
			if (!key.startsWith(RECORD_PREFIX)) continue;
			try {
				out.push(validateStoredModel(value));
			} catch (e) {
				onBad?.(key, e instanceof Error ? e.message : String(e));
			}
		}
		return out;
	}

	async get(id: string): Promise<StoredModel | null> {
		const value = await this.records.get(RECORD_PREFIX + id);
		return value === undefined ? null : validateStoredModel(value);
	}

	/** Removes the record first (the model disappears from the list at once), then its files. */
	async remove(id: string): Promise<void> {
		const model = await this.get(id).catch(() => null);
		await this.records.del(RECORD_PREFIX + id);
		const names = model ? [model.variants.fp32.name, model.variants.fp16?.name] : [fileName(id, 'fp32'), fileName(id, 'fp16')];
		for (const name of names) if (name) await this.files.remove(name).catch(() => {});
	}

	/** Removes every imported model and file. */
	async clear(): Promise<void> {
		for (const [key] of await this.records.entries()) if (key.startsWith(RECORD_PREFIX)) await this.records.del(key);
		for (const name of await this.files.list()) await this.files.remove(name).catch(() => {});
	}

	/** Deletes files no record refers to (left by an import that was interrupted). */
	async sweep(): Promise<string[]> {
		const used = new Set<string>();
		for (const m of await this.list()) {
			used.add(m.variants.fp32.name);
			if (m.variants.fp16) used.add(m.variants.fp16.name);
		}
		const orphans = (await this.files.list()).filter((n) => !used.has(n));
		for (const name of orphans) await this.files.remove(name).catch(() => {});
		return orphans;
	}

	async usedBytes(): Promise<number> {
		return (await this.list()).reduce((s, m) => s + m.variants.fp32.bytes + (m.variants.fp16?.bytes ?? 0), 0);
	}

	async read(file: StoredFile): Promise<ArrayBuffer> {
		return this.files.read(file.name);
	}

	/**
	 * Writes the variants (hashing while writing), checks them against `expect`, refuses a model
	 * whose fp32 bytes are already installed, then stores the record. On any failure, cancel
	 * included, the files written so far are removed and no record is stored.
	 */
	async install(req: InstallRequest): Promise<StoredModel> {
		if (await this.records.get(RECORD_PREFIX + req.id)) throw new Error(`A model with id ${req.id} already exists.`);
		const written: string[] = [];
		let total = 0;
		const writeVariant = async (precision: Precision, v: InstallVariant): Promise<StoredFile> => {
			const name = fileName(req.id, precision);
			const hash = new Sha256();
			let bytes = 0;
			const onBytes = req.onBytes;
			const signal = req.signal;
			async function* counted(): AsyncGenerator<Uint8Array> {
				for await (const part of asAsync(v.parts)) {
					signal?.throwIfAborted();
					hash.update(part);
					bytes += part.length;
					total += part.length;
					yield part;
					onBytes?.(total);
				}
			}
			written.push(name);
			await this.files.write(name, counted(), req.signal);
			const file: StoredFile = { name, bytes, sha256: hash.hex() };
			if (v.expect && (v.expect.bytes !== file.bytes || v.expect.sha256 !== file.sha256)) {
				throw new Error(
					v.expect.bytes !== file.bytes
						? `The model file has ${file.bytes} bytes but its manifest says ${v.expect.bytes}: the file is incomplete or is not the one the manifest describes.`
						: `The model file does not match its manifest (sha256 ${file.sha256}, manifest ${v.expect.sha256}): the file is damaged or is not the one the manifest describes.`
				);
			}
			return file;
		};
		try {
			const fp32 = await writeVariant('fp32', req.variants.fp32);
			const duplicate = (await this.list()).find((m) => m.variants.fp32.sha256 === fp32.sha256);
			if (duplicate) throw new DuplicateModelError(duplicate);
			const fp16 = req.variants.fp16 ? await writeVariant('fp16', req.variants.fp16) : undefined;
			req.signal?.throwIfAborted();
			const { manifest, params, overlap = null } = req.describe(fp32);
			const model: StoredModel = {
				id: req.id,
				manifest: { ...manifest, id: req.id, file: fp32.name, bytes: fp32.bytes, sha256: fp32.sha256 },
				variants: fp16 ? { fp32, fp16 } : { fp32 },
				origin: req.origin,
				params,
				overlap
			};
			validateStoredModel(model);
			await this.records.set(RECORD_PREFIX + req.id, model);
			return model;
		} catch (e) {
			for (const name of written) await this.files.remove(name).catch(() => {});
			throw e;
		}
	}
}
