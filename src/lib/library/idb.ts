/**
 * IndexedDB adapter: idb-keyval over a connection that closes itself when another tab (or
 * this one) deletes the database, so "delete all my data" is never blocked by our own
 * open connections. Reads do not create a database that is not there.
 */
import { del, entries, get, promisifyRequest, set, type UseStore } from 'idb-keyval';

export interface KeyvalDb {
	readonly dbName: string;
	store: UseStore;
	close(): void;
}

export function keyvalDb(dbName: string, storeName = 'keyval'): KeyvalDb {
	let dbp: Promise<IDBDatabase> | null = null;
	const open = () => {
		if (!dbp) {
			const request = indexedDB.open(dbName);
			request.onupgradeneeded = () => request.result.createObjectStore(storeName);
			const p: Promise<IDBDatabase> = promisifyRequest(request).then(
				(db) => {
					db.onversionchange = () => {
						db.close();
						if (dbp === p) dbp = null;
					};
					db.onclose = () => {
						if (dbp === p) dbp = null;
					};
					return db;
				},
				(e) => {
					if (dbp === p) dbp = null;
					throw e;
				}
			);
			dbp = p;
		}
		return dbp;
	};
	return {
		dbName,
		store: (txMode, callback) => open().then((db) => callback(db.transaction(storeName, txMode).objectStore(storeName))),
		close() {
			const p = dbp;
			dbp = null;
			void p?.then((db) => db.close(), () => undefined);
		}
	};
}

/** False only when the browser can list databases and this one is not among them. */
export async function databaseExists(name: string): Promise<boolean> {
	if (typeof indexedDB.databases !== 'function') return true;
	return (await indexedDB.databases()).some((d) => d.name === name);
}

export async function readAll<T>(db: KeyvalDb): Promise<T[]> {
	if (!(await databaseExists(db.dbName))) return [];
	return (await entries<IDBValidKey, T>(db.store)).map(([, v]) => v);
}

export async function readOne<T>(db: KeyvalDb, key: string): Promise<T | undefined> {
	if (!(await databaseExists(db.dbName))) return undefined;
	return get<T>(key, db.store);
}

export const writeOne = (db: KeyvalDb, key: string, value: unknown) => set(key, value, db.store);
/** Deletes one key; a missing database stays missing (deleting must never create one). */
export async function deleteOne(db: KeyvalDb, key: string): Promise<void> {
	if (await databaseExists(db.dbName)) await del(key, db.store);
}

/**
 * Deletes a whole database. Our own connections close on `versionchange`; if some other
 * connection keeps it open for `timeoutMs`, the result is 'blocked' (the deletion still
 * completes once that connection closes).
 */
export function deleteDatabase(name: string, timeoutMs = 5000): Promise<'deleted' | 'blocked'> {
	return new Promise((resolve, reject) => {
		const request = indexedDB.deleteDatabase(name);
		let timer: ReturnType<typeof setTimeout> | undefined;
		request.onsuccess = () => {
			clearTimeout(timer);
			resolve('deleted');
		};
		request.onerror = () => {
			clearTimeout(timer);
			reject(request.error);
		};
		request.onblocked = () => {
			timer = setTimeout(() => resolve('blocked'), timeoutMs);
		};
	});
}

export async function listDatabases(): Promise<string[]> {
	if (typeof indexedDB.databases !== 'function') return [];
	return (await indexedDB.databases()).map((d) => d.name ?? '').filter(Boolean);
}

/** Records in all stores of an existing database; null if it cannot be opened within `timeoutMs`. */
export function countRecords(name: string, timeoutMs = 3000): Promise<number | null> {
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve(null), timeoutMs);
		const request = indexedDB.open(name);
		request.onupgradeneeded = () => request.transaction?.abort(); // it is gone: do not create it
		request.onerror = () => {
			clearTimeout(timer);
			resolve(0);
		};
		request.onsuccess = async () => {
			const db = request.result;
			try {
				const stores = [...db.objectStoreNames];
				let total = 0;
				if (stores.length) {
					const tx = db.transaction(stores, 'readonly');
					for (const s of stores) total += await promisifyRequest(tx.objectStore(s).count());
				}
				resolve(total);
			} catch {
				resolve(null);
			} finally {
				clearTimeout(timer);
				db.close();
			}
		};
	});
}
