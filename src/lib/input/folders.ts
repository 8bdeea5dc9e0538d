/**
 * Songs from dropped or chosen folders: a bounded walk of the folder tree (depth, files and
 * entries visited all limited, so a dropped home folder neither hangs the page nor floods the
 * queue) that keeps audio files, in album order (natural sort of their paths), and notes every
 * other file it passes over. The browser's two folder APIs — the File System Access handle
 * (DataTransferItem.getAsFileSystemHandle, Chromium) and the older entry API
 * (webkitGetAsEntry, every engine) — are adapted to one small node interface, and a folder
 * chosen with <input webkitdirectory> comes as files with relative paths (fromRelativePaths).
 */

/** The formats the app decodes, by extension (the drop zone's `accept` lists the same). */
export const AUDIO_EXTENSIONS = ['wav', 'wave', 'aif', 'aiff', 'aifc', 'flac', 'mp3', 'm4a', 'aac', 'ogg', 'oga', 'opus', 'webm'] as const;

export const FOLDER_LIMITS = {
	/** Folders below the dropped one that are still read. */
	maxDepth: 6,
	/** Audio files taken from one drop. */
	maxFiles: 200,
	/** Entries (files and folders) looked at in one drop, audio or not. */
	maxEntries: 5000
};

export type FolderLimits = typeof FOLDER_LIMITS;

/** A file or folder in a dropped tree, whichever API it came from. */
export type FsNode =
	| { kind: 'file'; name: string; file: () => Promise<File> }
	| { kind: 'directory'; name: string; children: () => Promise<FsNode[]> };

export interface CollectedFiles {
	/** Audio files, in the order they should be separated. */
	files: File[];
	/** What was passed over and why, one line each, for the user. */
	notes: string[];
}

/** Whether a file name is one of the audio formats the app reads (by extension; hidden files are not). */
export function isAudioName(name: string): boolean {
	if (name.startsWith('.')) return false;
	const ext = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase();
	return !!ext && (AUDIO_EXTENSIONS as readonly string[]).includes(ext);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/** Natural order of paths: "2 - B" before "10 - A", folder by folder. */
export function comparePaths(a: string, b: string): number {
	const pa = a.split('/');
	const pb = b.split('/');
	for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
		// a file comes before the subfolders beside it
		const lastA = i === pa.length - 1;
		const lastB = i === pb.length - 1;
		if (lastA !== lastB) return lastA ? -1 : 1;
		const c = collator.compare(pa[i], pb[i]);
		if (c) return c;
	}
	return pa.length - pb.length;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Lines for the user on the files a folder walk passed over. */
function skippedNotes(skipped: string[], limitNotes: string[]): string[] {
	const notes: string[] = [];
	if (skipped.length) {
		const shown = skipped.slice(0, 5).join(', ');
		notes.push(`Skipped ${plural(skipped.length, 'file')} that ${skipped.length === 1 ? 'is' : 'are'} not audio: ${shown}${skipped.length > 5 ? `, and ${skipped.length - 5} more` : ''}.`);
	}
	return [...notes, ...limitNotes];
}

/**
 * Walks dropped folders (and files dropped beside them) breadth first, within `limits`, and
 * returns the audio files — the dropped items in their order, each folder's in natural path
 * order — with notes on what it left out. A folder that
 * cannot be read is noted, never fatal.
 */
export async function collectFromNodes(roots: FsNode[], limits: FolderLimits = FOLDER_LIMITS): Promise<CollectedFiles> {
	const found: { root: number; path: string; node: Extract<FsNode, { kind: 'file' }> }[] = [];
	const skipped: string[] = [];
	const limitNotes: string[] = [];
	let visited = 0;
	let tooDeep = 0;
	let tooMany = false;
	let queue: { root: number; node: FsNode; path: string; depth: number }[] = roots.map((node, root) => ({ root, node, path: node.name, depth: 0 }));
	while (queue.length) {
		const next: typeof queue = [];
		for (const { root, node, path, depth } of queue) {
			if (++visited > limits.maxEntries) {
				tooMany = true;
				break;
			}
			if (node.kind === 'file') {
				if (isAudioName(node.name)) found.push({ root, path, node });
				else skipped.push(path);
				continue;
			}
			if (depth >= limits.maxDepth) {
				tooDeep++;
				continue;
			}
			try {
				for (const child of await node.children()) next.push({ root, node: child, path: `${path}/${child.name}`, depth: depth + 1 });
			} catch (e) {
				limitNotes.push(`The folder “${path}” could not be read (${e instanceof Error ? e.message : String(e)}).`);
			}
		}
		if (tooMany) break;
		queue = next;
	}
	if (tooMany) limitNotes.push(`Stopped looking after ${limits.maxEntries.toLocaleString('en')} files and folders; drop a smaller folder for the rest.`);
	if (tooDeep) limitNotes.push(`${plural(tooDeep, 'folder')} more than ${limits.maxDepth} levels down ${tooDeep === 1 ? 'was' : 'were'} not opened.`);
	// what was dropped keeps its order; inside a folder, album order
	found.sort((a, b) => a.root - b.root || comparePaths(a.path, b.path));
	if (found.length > limits.maxFiles) {
		limitNotes.push(`Took the first ${limits.maxFiles} of ${found.length} songs; drop the rest in another batch.`);
		found.length = limits.maxFiles;
	}
	const files: File[] = [];
	for (const { path, node } of found) {
		try {
			files.push(await node.file());
		} catch (e) {
			limitNotes.push(`“${path}” could not be read (${e instanceof Error ? e.message : String(e)}).`);
		}
	}
	return { files, notes: skippedNotes(skipped, limitNotes) };
}

/**
 * Files chosen with <input webkitdirectory> (each with its webkitRelativePath): the audio ones in
 * natural path order, within the same limits, and notes on the rest.
 */
export function fromRelativePaths(files: readonly File[], limits: FolderLimits = FOLDER_LIMITS): CollectedFiles {
	const path = (f: File) => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
	const skipped: string[] = [];
	const limitNotes: string[] = [];
	let tooDeep = 0;
	const audio: File[] = [];
	for (const f of files) {
		const p = path(f);
		if (p.split('/').length - 2 > limits.maxDepth) tooDeep++;
		else if (isAudioName(f.name)) audio.push(f);
		else skipped.push(p);
	}
	if (tooDeep) limitNotes.push(`${plural(tooDeep, 'file')} more than ${limits.maxDepth} folders down ${tooDeep === 1 ? 'was' : 'were'} left out.`);
	audio.sort((a, b) => comparePaths(path(a), path(b)));
	if (audio.length > limits.maxFiles) {
		limitNotes.push(`Took the first ${limits.maxFiles} of ${audio.length} songs; choose the rest in another batch.`);
		audio.length = limits.maxFiles;
	}
	return { files: audio, notes: skippedNotes(skipped, limitNotes) };
}

// ---- the browser's APIs, adapted to FsNode ----

interface EntryLike {
	isFile: boolean;
	isDirectory: boolean;
	name: string;
}
interface FileEntryLike extends EntryLike {
	file(ok: (f: File) => void, fail: (e: unknown) => void): void;
}
interface DirEntryLike extends EntryLike {
	createReader(): { readEntries(ok: (entries: EntryLike[]) => void, fail: (e: unknown) => void): void };
}

/** A webkitGetAsEntry() entry as a node (readEntries returns a folder's entries in batches until an empty one). */
export function entryNode(entry: EntryLike): FsNode {
	if (entry.isDirectory) {
		return {
			kind: 'directory',
			name: entry.name,
			children: async () => {
				const reader = (entry as DirEntryLike).createReader();
				const all: FsNode[] = [];
				for (;;) {
					const batch = await new Promise<EntryLike[]>((ok, fail) => reader.readEntries(ok, fail));
					if (!batch.length) return all;
					all.push(...batch.map(entryNode));
					if (all.length > FOLDER_LIMITS.maxEntries) return all;
				}
			}
		};
	}
	return { kind: 'file', name: entry.name, file: () => new Promise<File>((ok, fail) => (entry as FileEntryLike).file(ok, fail)) };
}

interface HandleLike {
	kind: 'file' | 'directory';
	name: string;
}

/** A File System Access handle as a node. */
export function handleNode(handle: HandleLike): FsNode {
	if (handle.kind === 'directory') {
		return {
			kind: 'directory',
			name: handle.name,
			children: async () => {
				const all: FsNode[] = [];
				for await (const child of (handle as unknown as { values(): AsyncIterable<HandleLike> }).values()) {
					all.push(handleNode(child));
					if (all.length > FOLDER_LIMITS.maxEntries) break;
				}
				return all;
			}
		};
	}
	return { kind: 'file', name: handle.name, file: () => (handle as unknown as FileSystemFileHandle).getFile() };
}

type ItemLike = {
	kind: string;
	webkitGetAsEntry?: () => EntryLike | null;
	getAsFileSystemHandle?: () => Promise<HandleLike | null>;
};

/**
 * The dropped items' nodes, read synchronously inside the drop event (the browser empties the
 * list after it): File System Access handles where the browser has them, else entries. Returns
 * null when nothing dropped is a folder, so plain files keep the drop's own File objects.
 */
export function droppedNodes(items: ArrayLike<ItemLike> | null | undefined): Promise<FsNode[]> | null {
	if (!items) return null;
	const list = Array.from(items).filter((i) => i.kind === 'file');
	const entries = list.map((i) => i.webkitGetAsEntry?.() ?? null);
	if (!entries.some((e) => e?.isDirectory)) return null;
	// asked for now, inside the event; awaited below
	const handles = list.map((i) => i.getAsFileSystemHandle?.().catch(() => null) ?? null);
	return (async () => {
		const nodes: FsNode[] = [];
		for (let i = 0; i < list.length; i++) {
			const handle = await handles[i];
			const entry = entries[i];
			if (handle) nodes.push(handleNode(handle));
			else if (entry) nodes.push(entryNode(entry));
		}
		return nodes;
	})();
}
