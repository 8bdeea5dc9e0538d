/**
 * The app's model state: bundled + imported models, the active one (remembered), the overlap
 * setting, storage used, and imports through the import worker. Thin: the logic lives in
 * $lib/models/store (catalog, store) and $lib/models/import (pipeline).
 */
import * as Comlink from 'comlink';
import type { ModelIndex } from '../separation/manifest';
import { fetchModelCatalog } from '../separation/client';
import type { ImportProgress } from './import/pipeline';
import type { MdxSettings } from './mdx';
import { overlapChoice, resolveOverlap, type OverlapChoice } from './settings';
import { browserModelStore } from './store/browser';
import './store/data-category';
import { registerDataCategory } from '../privacy/data-categories';
import { bundledEntry, chooseActive, mergeCatalog, storageUsed, type CatalogEntry } from './store/catalog';
import type { ModelStore } from './store/store';
import type { StoredModel } from './store/types';
import type { ImportApi } from '../workers/import.worker';
import { GuardedWorker } from '../runtime/worker-guard';

const ACTIVE_KEY = 'stemsafe.model';
const OVERLAP_KEY = 'stemsafe.overlap';

// The chosen model and overlap are settings: "Delete all my data" always removes them.
registerDataCategory({
	id: 'model-settings',
	label: 'Model choice and overlap',
	description: `Which model is selected and the overlap setting (localStorage “${ACTIVE_KEY}”, “${OVERLAP_KEY}”).`,
	optional: false,
	idb: [],
	opfs: [],
	clear: async () => {
		storage()?.removeItem(ACTIVE_KEY);
		storage()?.removeItem(OVERLAP_KEY);
	}
});

export type ImportState =
	| { status: 'idle' }
	| { status: 'running'; files: string[]; progress: ImportProgress | null }
	/** selected: false when a separation was running (switching models would interrupt it). */
	| { status: 'done'; model: StoredModel; selected: boolean }
	| { status: 'error'; files: string[]; error: string; needsMdxSettings: boolean; mdxSuggested?: { dimF: number | null; dimT: number | null } }
	| { status: 'cancelled' };

function storage(): Storage | null {
	try {
		return globalThis.localStorage ?? null;
	} catch {
		return null;
	}
}

export class ModelLibrary {
	entries = $state.raw<CatalogEntry[]>([]);
	activeId = $state<string | null>(null);
	usedBytes = $state(0);
	overlap = $state<OverlapChoice>(overlapChoice(storage()?.getItem(OVERLAP_KEY)));
	importState = $state.raw<ImportState>({ status: 'idle' });
	/** Stored records that could not be read (shown, never silently dropped). */
	problems = $state.raw<string[]>([]);

	private index: ModelIndex | null = null;
	private bundled: CatalogEntry[] = [];
	private store: ModelStore | null = null;
	/** Started by the first import; one that dies fails its import and the next import starts a new one. */
	private readonly importer = new GuardedWorker<ImportApi>(
		() => new Worker(new URL('../workers/import.worker.ts', import.meta.url), { type: 'module' }),
		'the model import engine'
	);

	constructor(
		private readonly onactivate: (entry: CatalogEntry) => void | Promise<void>,
		private readonly isBusy: () => boolean = () => false
	) {}

	/** The overlap jobs run with (undefined: the separator's default). */
	get overlapFraction(): number | undefined {
		return resolveOverlap(this.overlap, this.active?.overlap ?? null);
	}

	get active(): CatalogEntry | null {
		return this.entries.find((e) => e.id === this.activeId) ?? null;
	}

	/** Loads the catalog and returns the model to use first. */
	async init(base: string): Promise<CatalogEntry> {
		const { index, manifests } = await fetchModelCatalog(base);
		this.index = index;
		this.bundled = manifests.map((m) => bundledEntry(m, `${base}/models/${m.file}`));
		try {
			this.store = browserModelStore();
		} catch {
			this.store = null;
		}
		await this.refresh();
		const entry = chooseActive(this.entries, storage()?.getItem(ACTIVE_KEY) ?? null, index.default);
		if (!entry) throw new Error('No model is available.');
		this.activeId = entry.id;
		return entry;
	}

	async refresh(): Promise<void> {
		let imported: StoredModel[] = [];
		const problems: string[] = [];
		if (this.store) {
			try {
				imported = await this.store.list((key, error) => problems.push(`${key}: ${error}`));
			} catch (e) {
				problems.push(`Imported models could not be read: ${e instanceof Error ? e.message : String(e)}`);
			}
		}
		this.problems = problems;
		this.entries = mergeCatalog(this.bundled, imported);
		this.usedBytes = storageUsed(imported);
	}

	async select(id: string): Promise<void> {
		const entry = this.entries.find((e) => e.id === id);
		if (!entry || id === this.activeId) return;
		this.activeId = id;
		storage()?.setItem(ACTIVE_KEY, id);
		await this.onactivate(entry);
	}

	/** Removes an imported model; removing the active one switches to the default model. */
	async remove(id: string): Promise<void> {
		const entry = this.entries.find((e) => e.id === id);
		if (!entry || entry.kind !== 'imported' || !this.store) return;
		await this.store.remove(id);
		await this.refresh();
		if (this.activeId === id) {
			storage()?.removeItem(ACTIVE_KEY);
			const next = chooseActive(this.entries, null, this.index?.default ?? '');
			this.activeId = null;
			if (next) await this.select(next.id);
		}
	}

	setOverlap(id: string): void {
		this.overlap = overlapChoice(id);
		storage()?.setItem(OVERLAP_KEY, this.overlap.id);
	}

	private lastFiles: File[] = [];

	/** Imports the last files again with MDX-Net settings the user entered. */
	retryWithMdxSettings(settings: Partial<MdxSettings>): Promise<void> {
		return this.importFiles(this.lastFiles, null, settings);
	}

	async importFiles(files: File[], chunkSeconds: number | null = null, mdxSettings: Partial<MdxSettings> | null = null): Promise<void> {
		if (this.importState.status === 'running') return;
		this.lastFiles = files;
		const names = files.map((f) => f.name);
		this.importState = { status: 'running', files: names, progress: null };
		let outcome;
		try {
			outcome = await this.importer.api.importFiles(
				files,
				this.bundled.map((e) => e.id),
				{ chunkSeconds, mdxSettings },
				Comlink.proxy((p: ImportProgress) => {
					if (this.importState.status === 'running') this.importState = { ...this.importState, progress: p };
				})
			);
		} catch (e) {
			outcome = { ok: false as const, cancelled: false, error: e instanceof Error ? e.message : String(e) };
		}
		await this.refresh();
		if (outcome.ok) {
			const selected = !this.isBusy();
			this.importState = { status: 'done', model: outcome.model, selected };
			if (selected) await this.select(outcome.model.id);
		} else {
			this.importState = outcome.cancelled
				? { status: 'cancelled' }
				: { status: 'error', files: names, error: outcome.error, needsMdxSettings: !!outcome.needsMdxSettings, mdxSuggested: outcome.mdxSuggested };
		}
		if (this.importState.status !== 'error' || !this.importState.needsMdxSettings) this.lastFiles = [];
	}

	cancelImport(): void {
		if (this.importer.running) void this.importer.api.cancel().catch(() => undefined);
	}

	terminate(): void {
		this.importer.terminate();
	}
}
