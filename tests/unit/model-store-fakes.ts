/** In-memory FileFolder and RecordStore with the same contracts as the OPFS / IndexedDB adapters. */
import type { FileFolder, RecordStore } from '../../src/lib/models/store/store';

export class MemoryFolder implements FileFolder {
	readonly files = new Map<string, Uint8Array>();
	/** Names being written right now (a partial file exists while writing, like OPFS). */
	readonly open = new Set<string>();
	async write(name: string, parts: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
		const chunks: Uint8Array[] = [];
		this.files.set(name, new Uint8Array(0));
		this.open.add(name);
		try {
			for await (const p of parts) {
				signal?.throwIfAborted();
				chunks.push(p.slice());
				this.files.set(name, concat(chunks));
			}
			signal?.throwIfAborted();
		} catch (e) {
			this.files.delete(name);
			throw e;
		} finally {
			this.open.delete(name);
		}
	}
	async read(name: string): Promise<ArrayBuffer> {
		const f = this.files.get(name);
		if (!f) throw new Error(`missing ${name}`);
		return f.slice().buffer;
	}
	async remove(name: string): Promise<void> {
		if (!this.files.delete(name)) throw new Error(`missing ${name}`);
	}
	async list(): Promise<string[]> {
		return [...this.files.keys()];
	}
}

export class MemoryRecords implements RecordStore {
	readonly map = new Map<string, unknown>();
	async get(key: string) {
		const v = this.map.get(key);
		return v === undefined ? undefined : structuredClone(v);
	}
	async set(key: string, value: unknown) {
		this.map.set(key, structuredClone(value));
	}
	async del(key: string) {
		this.map.delete(key);
	}
	async entries(): Promise<[string, unknown][]> {
		return [...this.map.entries()].map(([k, v]) => [k, structuredClone(v)]);
	}
}

export function concat(chunks: Uint8Array[]): Uint8Array {
	const out = new Uint8Array(chunks.reduce((s, c) => s + c.length, 0));
	let at = 0;
	for (const c of chunks) {
		out.set(c, at);
		at += c.length;
	}
	return out;
}
