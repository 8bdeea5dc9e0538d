/**
 * Browser adapters for ModelStore: model files in the origin private file system
 * (`models/` folder), records in their own IndexedDB database via idb-keyval, so another
 * feature's "delete all my data" can offer "also delete imported models" separately.
 */
import { createStore, del, entries, get, set } from 'idb-keyval';
import { ModelStore, type FileFolder, type RecordStore } from './store';

export const MODEL_DB = 'stemsafe-models';
export const MODEL_DB_STORE = 'models';
export const MODEL_DIR = 'models';

interface SyncHandle {
	write(data: Uint8Array, options: { at: number }): number;
	flush(): void;
	close(): void;
}

async function folder(): Promise<FileSystemDirectoryHandle> {
	if (!globalThis.navigator?.storage?.getDirectory) throw new Error('This browser cannot store models on the device (no origin private file system).');
	const root = await navigator.storage.getDirectory();
	return root.getDirectoryHandle(MODEL_DIR, { create: true });
}

export function opfsFolder(): FileFolder {
	return {
		async write(name, parts, signal) {
			const dir = await folder();
			const handle = await dir.getFileHandle(name, { create: true });
			try {
				if ('createWritable' in handle) {
					const writable = await handle.createWritable();
					try {
						for await (const part of parts) {
							signal?.throwIfAborted();
							await writable.write(part as Uint8Array<ArrayBuffer>);
						}
						signal?.throwIfAborted();
						await writable.close();
					} catch (e) {
						await writable.abort().catch(() => {});
						throw e;
					}
				} else {
					// Safari before 26: only the synchronous handle (dedicated workers only).
					const sync = (await (handle as unknown as { createSyncAccessHandle(): Promise<SyncHandle> }).createSyncAccessHandle());
					try {
						let at = 0;
						for await (const part of parts) {
							signal?.throwIfAborted();
							at += sync.write(part, { at });
						}
						sync.flush();
					} finally {
						sync.close();
					}
				}
			} catch (e) {
				await dir.removeEntry(name).catch(() => {});
				throw e;
			}
		},
		async read(name) {
			const dir = await folder();
			const handle = await dir.getFileHandle(name).catch(() => {
				throw new Error(`The model file ${name} is missing from this device's storage; remove the model and import it again.`);
			});
			return (await handle.getFile()).arrayBuffer();
		},
		async remove(name) {
			await (await folder()).removeEntry(name);
		},
		async list() {
			const names: string[] = [];
			const dir = (await folder()) as unknown as { keys(): AsyncIterable<string> };
			for await (const name of dir.keys()) names.push(name);
			return names;
		}
	};
}

export function idbRecords(): RecordStore {
	const store = createStore(MODEL_DB, MODEL_DB_STORE);
	return {
		get: (key) => get(key, store),
		set: (key, value) => set(key, value, store),
		del: (key) => del(key, store),
		entries: async () => (await entries(store)).map(([k, v]) => [String(k), v] as [string, unknown])
	};
}

export function browserModelStore(): ModelStore {
	return new ModelStore(opfsFolder(), idbRecords());
}

/** For a "delete all my data" feature: removes every imported model (files and records). */
export async function clearImportedModels(): Promise<void> {
	await browserModelStore().clear();
}
