/**
 * Model import worker: a thin comlink shell over the pure import pipeline
 * ($lib/models/import/pipeline). One import at a time; cancel aborts it.
 */
import * as Comlink from 'comlink';
import { checkpointConverter } from '../models/import/converter';
import { MdxSettingsNeeded } from '../models/import/mdx';
import { importModel, type ImportOptions, type ImportProgress } from '../models/import/pipeline';
import { browserModelStore } from '../models/store/browser';
import { detectGpuCaps } from '../models/store/precision';
import type { StoredModel } from '../models/store/types';

export type ImportOutcome =
	| { ok: true; model: StoredModel }
	| { ok: false; cancelled: boolean; error: string; needsMdxSettings?: boolean; mdxSuggested?: { dimF: number | null; dimT: number | null } };

let current: AbortController | null = null;

const api = {
	async importFiles(
		files: File[],
		bundledIds: string[],
		settings: Pick<ImportOptions, 'chunkSeconds' | 'mdxSettings'>,
		onProgress: (p: ImportProgress) => void
	): Promise<ImportOutcome> {
		if (current) return { ok: false, cancelled: false, error: 'Another import is still running.' };
		const controller = new AbortController();
		current = controller;
		const store = browserModelStore();
		try {
			await store.sweep(); // files left by an import that was interrupted (tab closed)
			const model = await importModel(
				files,
				{
					store,
					takenIds: async () => [...bundledIds, ...(await store.list()).map((m) => m.id)],
					converter: checkpointConverter(),
					caps: await detectGpuCaps()
				},
				{ ...settings, signal: controller.signal, onProgress }
			);
			return { ok: true, model };
		} catch (e) {
			if (controller.signal.aborted) return { ok: false, cancelled: true, error: 'Import cancelled.' };
			const message = e instanceof Error ? e.message : String(e);
			const quota = e instanceof DOMException && e.name === 'QuotaExceededError';
			return {
				ok: false,
				cancelled: false,
				needsMdxSettings: e instanceof MdxSettingsNeeded,
				mdxSuggested: e instanceof MdxSettingsNeeded ? e.suggested : undefined,
				error: quota ? 'Not enough storage space on this device for the model; free some space or remove other models.' : message
			};
		} finally {
			current = null;
		}
	},

	cancel(): void {
		current?.abort();
	}
};

export type ImportApi = typeof api;
Comlink.expose(api);
