/**
 * "Delete all my data", browser half: deletes the chosen categories' places, then scans
 * IndexedDB, the origin private file system and Cache Storage and reports what is there.
 */
import { classifyScan, dataCategories, type DataCategory, type ScanReport, type StorageScan } from '../privacy/data-categories';
import { countRecords, deleteDatabase, listDatabases } from './idb';
import { listOpfsRoot, removeOpfsEntry } from './opfs';

export async function scanStorage(): Promise<StorageScan> {
	return {
		idb: await Promise.all((await listDatabases()).map(async (name) => ({ name, records: await countRecords(name) }))),
		opfs: await listOpfsRoot(),
		caches: typeof caches !== 'undefined' ? await caches.keys() : []
	};
}

export interface WipeResult {
	report: ScanReport;
	errors: string[];
}

/** Deletes every non-optional category plus the optional ones in `alsoDelete`, then checks. */
export async function wipe(alsoDelete: ReadonlySet<string>): Promise<WipeResult> {
	const all = dataCategories();
	const chosen = all.filter((c) => !c.optional || alsoDelete.has(c.id));
	const kept = new Set(all.filter((c) => !chosen.includes(c)).map((c) => c.id));
	const errors: string[] = [];
	for (const c of chosen) {
		try {
			await deleteCategory(c);
		} catch (e) {
			errors.push(`${c.label}: ${e instanceof Error ? e.message : String(e)}`);
		}
	}
	return { report: classifyScan(await scanStorage(), all, kept), errors };
}

async function deleteCategory(c: DataCategory): Promise<void> {
	await c.beforeDelete?.();
	if (c.clear) return c.clear();
	for (const name of c.opfs) await retry(() => removeOpfsEntry(name));
	for (const name of c.idb) {
		if ((await deleteDatabase(name)) === 'blocked') throw new Error(`the database “${name}” is in use by another tab; close it and try again`);
	}
	for (const name of c.caches ?? []) await caches.delete(name);
}

/** Another tab may still be closing a file it was writing (it aborts on our message): retry briefly. */
async function retry(fn: () => Promise<void>, attempts = 10, delayMs = 300): Promise<void> {
	for (let i = 1; ; i++) {
		try {
			return await fn();
		} catch (e) {
			const busy = e instanceof DOMException && (e.name === 'NoModificationAllowedError' || e.name === 'InvalidStateError');
			if (!busy || i >= attempts) throw e;
			await new Promise((r) => setTimeout(r, delayMs));
		}
	}
}
