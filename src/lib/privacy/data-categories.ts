/**
 * Named categories of the user's data, so "Delete all my data" can delete, and then
 * account for, everything this app keeps on the device. Features that store something
 * register a category (e.g. imported models, the license) with the places they use;
 * `optional` categories are offered as separate choices and are not selected by default.
 *
 * The pure half (registry, classifying what a storage scan found) is here; the browser
 * half (deleting, scanning) is in ../library/wipe.ts. Kept apart from the library so that
 * models/ and license/ can register without importing it.
 */
export interface DataCategory {
	id: string;
	/** Shown next to its checkbox, e.g. "Saved songs and stems". */
	label: string;
	/** One line: what it is and where it lives. */
	description: string;
	/** Offered as a separate choice (unchecked by default) instead of always deleted. */
	optional: boolean;
	/** IndexedDB database names it owns. */
	idb: string[];
	/** Top-level names in the origin private file system it owns. */
	opfs: string[];
	/** Cache Storage names it owns (the app shell cache is never a category). */
	caches?: string[];
	/** Extra work before its places are deleted (close handles, stop writers). */
	beforeDelete?: () => Promise<void> | void;
	/**
	 * Deletes the data itself, instead of the default (its IndexedDB databases, OPFS entries
	 * and caches deleted whole): for data that shares a database, e.g. one key in
	 * idb-keyval's default "keyval-store". List that database in `idb` all the same, so the
	 * check afterwards can tell whose it is.
	 */
	clear?: () => Promise<void>;
}

const registry = new Map<string, DataCategory>();

/** Registers (or replaces, by id) a category. Call at module load of the feature that stores it. */
export function registerDataCategory(category: DataCategory): void {
	registry.set(category.id, category);
}

export function dataCategories(): DataCategory[] {
	return [...registry.values()];
}

/** The service worker's offline copy of the app (see src/service-worker.ts): never user data. */
export const APP_SHELL_CACHE_PREFIX = 'stemsafe-';

export function isAppShellCache(name: string): boolean {
	return name.startsWith(APP_SHELL_CACHE_PREFIX);
}

export interface StorageScan {
	/** Databases with their record count over all stores (null: could not be counted). */
	idb: { name: string; records: number | null }[];
	opfs: string[];
	caches: string[];
}

export interface ScanReport {
	/** Data that is still there and was meant to be deleted, or that no category claims. */
	left: { where: 'IndexedDB' | 'Private files (OPFS)' | 'Cache Storage'; name: string; category: string | null }[];
	/** Data of categories the user chose to keep. */
	kept: { where: 'IndexedDB' | 'Private files (OPFS)' | 'Cache Storage'; name: string; category: string }[];
	/** The offline app shell caches (stay). */
	appShell: string[];
	/** Databases that are still there but hold no records (no data; e.g. a shared, emptied store). */
	empty: string[];
}

/** Sorts what a scan found into: kept on purpose, app shell, and left over. */
export function classifyScan(scan: StorageScan, categories: DataCategory[], keptIds: ReadonlySet<string>): ScanReport {
	const report: ScanReport = { left: [], kept: [], appShell: [], empty: [] };
	const owner = (kind: 'idb' | 'opfs' | 'caches', name: string) =>
		categories.find((c) => (c[kind] ?? []).includes(name)) ?? null;
	const sort = (where: ScanReport['left'][number]['where'], kind: 'idb' | 'opfs' | 'caches', name: string) => {
		const c = owner(kind, name);
		if (c && keptIds.has(c.id)) report.kept.push({ where, name, category: c.id });
		else report.left.push({ where, name, category: c?.id ?? null });
	};
	for (const { name, records } of scan.idb) {
		if (records === 0) report.empty.push(name);
		else sort('IndexedDB', 'idb', name);
	}
	for (const name of scan.opfs) sort('Private files (OPFS)', 'opfs', name);
	for (const name of scan.caches) {
		if (isAppShellCache(name) && !owner('caches', name)) report.appShell.push(name);
		else sort('Cache Storage', 'caches', name);
	}
	return report;
}
