/**
 * Origin private file system adapter for the library: append-capable per-channel float32
 * writers, readers, listing and removal. Files live under library/<jobId>/ (see records.ts).
 */
import { BYTES_PER_SAMPLE, LIBRARY_DIR, type StoredFolder } from './records';

export function opfsSupported(): boolean {
	return (
		typeof navigator !== 'undefined' &&
		typeof navigator.storage?.getDirectory === 'function' &&
		typeof FileSystemFileHandle !== 'undefined' &&
		'createWritable' in FileSystemFileHandle.prototype
	);
}

export async function opfsRoot(): Promise<FileSystemDirectoryHandle> {
	return navigator.storage.getDirectory();
}

async function libraryDir(create: boolean): Promise<FileSystemDirectoryHandle | null> {
	try {
		return await (await opfsRoot()).getDirectoryHandle(LIBRARY_DIR, { create });
	} catch (e) {
		if (!create && e instanceof DOMException && e.name === 'NotFoundError') return null;
		throw e;
	}
}

export async function jobDir(jobId: string, create: boolean): Promise<FileSystemDirectoryHandle | null> {
	const lib = await libraryDir(create);
	if (!lib) return null;
	try {
		return await lib.getDirectoryHandle(jobId, { create });
	} catch (e) {
		if (!create && e instanceof DOMException && e.name === 'NotFoundError') return null;
		throw e;
	}
}

/**
 * Writes planar float32 audio to one file per channel, chunk by chunk (`append` as often as
 * audio arrives; nothing needs the whole stem in one buffer). `close` commits the files
 * atomically (createWritable writes to a swap file and moves it into place on close), so a
 * crash or a full disk before then leaves no half-written stem behind, only a leftover swap
 * file that auto-delete removes.
 */
export class ChannelAppender {
	private framesWritten = 0;
	private constructor(private readonly streams: FileSystemWritableFileStream[]) {}

	static async open(dir: FileSystemDirectoryHandle, files: string[]): Promise<ChannelAppender> {
		const streams: FileSystemWritableFileStream[] = [];
		try {
			for (const f of files) streams.push(await (await dir.getFileHandle(f, { create: true })).createWritable());
		} catch (e) {
			await Promise.all(streams.map((s) => s.abort().catch(() => undefined)));
			throw e;
		}
		return new ChannelAppender(streams);
	}

	get frames(): number {
		return this.framesWritten;
	}

	async append(channels: Float32Array[]): Promise<void> {
		if (channels.length !== this.streams.length) throw new Error(`expected ${this.streams.length} channels, got ${channels.length}`);
		for (let c = 0; c < channels.length; c++) await this.streams[c].write(channels[c] as Float32Array<ArrayBuffer>);
		this.framesWritten += channels[0].length;
	}

	async close(): Promise<void> {
		for (const s of this.streams) await s.close();
	}

	async abort(): Promise<void> {
		await Promise.all(this.streams.map((s) => s.abort().catch(() => undefined)));
	}
}

/** `for await` over a directory (typed here: the DOM.AsyncIterable lib is not in tsconfig). */
async function* dirEntries(dir: FileSystemDirectoryHandle): AsyncGenerator<[string, FileSystemHandle]> {
	yield* (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries();
}

export async function readChannels(dir: FileSystemDirectoryHandle, files: string[], frames: number): Promise<Float32Array[]> {
	return Promise.all(
		files.map(async (f) => {
			const file = await (await dir.getFileHandle(f)).getFile();
			const bytes = await file.slice(0, frames * BYTES_PER_SAMPLE).arrayBuffer();
			if (bytes.byteLength !== frames * BYTES_PER_SAMPLE) throw new Error(`${f} is shorter than recorded`);
			return new Float32Array(bytes);
		})
	);
}

export async function listFolders(): Promise<StoredFolder[]> {
	const lib = await libraryDir(false);
	if (!lib) return [];
	const folders: StoredFolder[] = [];
	for await (const [name, handle] of dirEntries(lib)) {
		if (handle.kind !== 'directory') {
			folders.push({ name, files: [] }); // a stray file: no record can own it
			continue;
		}
		const files: string[] = [];
		for await (const [file] of dirEntries(handle as FileSystemDirectoryHandle)) files.push(file);
		folders.push({ name, files });
	}
	return folders;
}

/** The files in one job's folder, by name (empty when it does not exist). */
export async function folderFiles(folder: string): Promise<Map<string, File>> {
	const dir = await jobDir(folder, false);
	const files = new Map<string, File>();
	if (!dir) return files;
	for await (const [name, handle] of dirEntries(dir)) {
		if (handle.kind === 'file') files.set(name, await (handle as FileSystemFileHandle).getFile());
	}
	return files;
}

export async function removeFolder(name: string): Promise<void> {
	const lib = await libraryDir(false);
	try {
		await lib?.removeEntry(name, { recursive: true });
	} catch (e) {
		if (!(e instanceof DOMException && e.name === 'NotFoundError')) throw e;
	}
}

export async function removeFile(folder: string, file: string): Promise<void> {
	const dir = await jobDir(folder, false);
	try {
		await dir?.removeEntry(file);
	} catch (e) {
		if (!(e instanceof DOMException && e.name === 'NotFoundError')) throw e;
	}
}

/** Top-level names in the origin private file system. */
export async function listOpfsRoot(): Promise<string[]> {
	if (!opfsSupported()) return [];
	const names: string[] = [];
	for await (const [name] of dirEntries(await opfsRoot())) names.push(name);
	return names;
}

export async function removeOpfsEntry(name: string): Promise<void> {
	try {
		await (await opfsRoot()).removeEntry(name, { recursive: true });
	} catch (e) {
		if (!(e instanceof DOMException && e.name === 'NotFoundError')) throw e;
	}
}
