/**
 * Library records (pure): one IndexedDB record per saved job, the OPFS file names of its
 * stems, and the clean-up plan that retention and interrupted jobs lead to.
 *
 * OPFS layout: library/<jobId>/<stemIndex>-<stem>.c<channel>.f32, raw little-endian
 * float32 samples, one file per channel so each can be appended chunk by chunk.
 */
import type { SongAnalysis } from '../analysis/report';
import type { PreviewInfo, SeparationResult, StoredStems } from '../separation/pipeline';
import { dueState, type RetentionClock, type RetentionPolicy } from './retention';

export const LIBRARY_DIR = 'library';

export interface StoredStem {
	name: string;
	/** OPFS file names inside the job's folder, one per channel. */
	files: string[];
	/** Frames written so far (all channels hold the same number). */
	frames: number;
	/** True once every sample of the stem is on disk. */
	complete: boolean;
}

export interface LibraryEntry {
	id: string;
	fileName: string;
	/** When the job started saving / finished saving (ms since epoch; the library's clock). */
	createdAt: number;
	savedAt: number;
	sampleRate: number;
	channels: number;
	/** Length of the song in frames. */
	frames: number;
	model: { id: string; name: string };
	stems: StoredStem[];
	status: 'writing' | 'complete';
	/** Set when a job was cut off (reload, crash) and only some stems could be kept. */
	interrupted: boolean;
	/** Set when the page closed while saving and the next visit completed the record (recoverSaved). */
	recovered?: boolean;
	/** The tab that made it (for "delete when the tab closes"; survives a reload of that tab). */
	ownerTab: string;
	/** The page load that writes it: once that page is gone, a 'writing' record was interrupted. */
	writer: string;
	/** "Keep until I delete", overriding the retention setting for this item. */
	keep: boolean;
	/** The retention setting it was saved with (retention.ts); absent on records from before it was kept. */
	retention?: RetentionPolicy;
	notes: string[];
	/** Loudness, tempo and key measured after the separation (absent for items saved before it existed). */
	analysis?: SongAnalysis;
	/** Set when the free tier separated only the start of the song (`frames` is that start). */
	preview?: PreviewInfo;
}

/** File-system-safe stem name: letters, digits, '-' and '_' only, at most 40 characters. */
export function safeName(name: string): string {
	const s = name
		.normalize('NFKD')
		.replace(/[^A-Za-z0-9_-]+/g, '_')
		.replace(/^_+|_+$/g, '')
		.slice(0, 40);
	return s || 'stem';
}

/** The OPFS file name of one channel of one stem (the index keeps stems distinct even if names clash). */
export function stemChannelFile(stemIndex: number, stemName: string, channel: number): string {
	return `${stemIndex}-${safeName(stemName)}.c${channel}.f32`;
}

export const BYTES_PER_SAMPLE = 4;

export function entryBytes(entry: LibraryEntry): number {
	return entry.stems.reduce((sum, s) => sum + s.frames * s.files.length * BYTES_PER_SAMPLE, 0);
}

export function entrySeconds(entry: LibraryEntry): number {
	return entry.frames / entry.sampleRate;
}

export interface NewEntry {
	id: string;
	fileName: string;
	sampleRate: number;
	channels: number;
	frames: number;
	model: { id: string; name: string };
	stemNames: string[];
	ownerTab: string;
	writer: string;
	notes: string[];
	now: number;
	/** The retention setting in force (set again when the job finishes). */
	retention?: RetentionPolicy;
}

export function newEntry(n: NewEntry): LibraryEntry {
	return {
		id: n.id,
		fileName: n.fileName,
		createdAt: n.now,
		savedAt: n.now,
		sampleRate: n.sampleRate,
		channels: n.channels,
		frames: n.frames,
		model: n.model,
		stems: n.stemNames.map((name, i) => ({
			name,
			files: Array.from({ length: n.channels }, (_, c) => stemChannelFile(i, name, c)),
			frames: 0,
			complete: false
		})),
		status: 'writing',
		interrupted: false,
		ownerTab: n.ownerTab,
		writer: n.writer,
		keep: false,
		notes: n.notes,
		...(n.retention ? { retention: n.retention } : {})
	};
}

/** Record progress of one stem (frames on disk so far, and whether it is finished). */
export function withStemProgress(entry: LibraryEntry, stemIndex: number, frames: number, complete: boolean): LibraryEntry {
	if (stemIndex < 0 || stemIndex >= entry.stems.length) throw new RangeError(`no stem ${stemIndex} in ${entry.id}`);
	const stems = entry.stems.map((s, i) =>
		i === stemIndex ? { ...s, frames: Math.max(s.frames, frames), complete: s.complete || complete } : s
	);
	return { ...entry, stems };
}

export function completed(entry: LibraryEntry, now: number): LibraryEntry {
	if (entry.stems.some((s) => !s.complete)) throw new Error(`job ${entry.id} still has unfinished stems`);
	return { ...entry, status: 'complete', savedAt: now };
}

/**
 * The file the separation worker writes into a job's folder once every stem file is complete
 * and flushed (stem-writer.ts): with it a 'writing' record whose page is gone is a finished
 * result the next visit completes, not an interrupted one.
 */
export const SAVED_MARKER = 'saved.json';

export interface SavedMarker {
	version: 1;
	frames: number;
	channels: number;
	stems: number;
	notes: string[];
	analysis?: SongAnalysis;
	preview?: PreviewInfo;
}

export function savedMarker(result: SeparationResult & { stored: StoredStems }): SavedMarker {
	const { stored } = result;
	return { version: 1, frames: stored.frames, channels: stored.channels, stems: stored.files.length, notes: result.notes, analysis: result.analysis, preview: result.preview };
}

/**
 * The record of a job the page could not complete (it closed while saving), completed from its
 * SAVED_MARKER — or null when the marker is unreadable or does not match the record, or a stem
 * file is shorter than it says (`sizes`: bytes of each file in the folder). Nothing
 * half-written is ever shown as complete.
 */
export function recoverSaved(entry: LibraryEntry, markerText: string, sizes: ReadonlyMap<string, number>, now: number): LibraryEntry | null {
	let m: SavedMarker;
	try {
		m = JSON.parse(markerText) as SavedMarker;
	} catch {
		return null;
	}
	if (typeof m !== 'object' || m === null || m.version !== 1) return null;
	if (!Number.isSafeInteger(m.frames) || m.frames < 0 || m.stems !== entry.stems.length || m.channels !== entry.channels) return null;
	const bytes = m.frames * BYTES_PER_SAMPLE;
	if (!entry.stems.every((s) => s.files.length === m.channels && s.files.every((f) => (sizes.get(f) ?? -1) >= bytes))) return null;
	const notes = Array.isArray(m.notes) ? m.notes.filter((n): n is string => typeof n === 'string') : [];
	const stems = entry.stems.map((s) => ({ ...s, frames: m.frames, complete: true }));
	return {
		...completed({ ...entry, frames: m.frames, stems, notes }, now),
		...(m.analysis ? { analysis: m.analysis } : {}),
		...(m.preview ? { preview: m.preview } : {}),
		recovered: true
	};
}

/** Newest first; the order every tab shows. */
export function sortEntries(entries: LibraryEntry[]): LibraryEntry[] {
	return [...entries].sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
}

/** What is in OPFS library/: one folder per job with its file names. */
export interface StoredFolder {
	name: string;
	files: string[];
}

export interface CleanupPlan {
	/** Records to delete, with their folders. */
	deleteEntries: string[];
	/** Interrupted jobs kept with the stems that were finished (rewritten records). */
	rewrite: LibraryEntry[];
	/** Whole folders to delete (expired or interrupted jobs, folders with no record). */
	deleteFolders: string[];
	/** Single files to delete: unfinished stems, files no record names (e.g. a crashed write). */
	deleteFiles: { folder: string; file: string }[];
	/** Items due only by a wall clock the library cannot vouch for: kept until the user says (clock.ts). */
	ask: string[];
}

/**
 * Decides what auto-delete removes. `alive` holds the tab and page ids that are open now.
 * A record still being written by an open page is left
 * alone; one whose tab is gone was interrupted: its finished stems are kept (as an
 * "interrupted" item, subject to retention like any other) and the rest is removed.
 * `clock`: the wall clock, or the wall clock and the latest time the library vouches for; items
 * due only between the two are listed in `ask`, not deleted.
 */
export function planCleanup(
	entries: LibraryEntry[],
	folders: StoredFolder[],
	policy: RetentionPolicy,
	clock: number | RetentionClock,
	alive: ReadonlySet<string>,
	/** Records of pages that closed while saving, completed from their marker (recoverSaved). */
	recovered: ReadonlyMap<string, LibraryEntry> = new Map()
): CleanupPlan {
	const plan: CleanupPlan = { deleteEntries: [], rewrite: [], deleteFolders: [], deleteFiles: [], ask: [] };
	const times = typeof clock === 'number' ? { now: clock, trusted: clock } : clock;
	const kept = new Map<string, LibraryEntry>();
	for (const entry of entries) {
		let e = entry;
		if (e.status === 'writing') {
			if (alive.has(e.writer)) {
				kept.set(e.id, e); // still being written: never touch
				continue;
			}
			const saved = recovered.get(e.id);
			if (saved) {
				e = saved; // finished before its page closed: whole, as if the page had completed it
			} else {
				const done = e.stems.filter((s) => s.complete);
				if (done.length === 0) {
					plan.deleteEntries.push(e.id);
					continue;
				}
				e = { ...e, stems: done, status: 'complete', interrupted: true };
			}
			plan.rewrite.push(e);
		}
		const due = dueState(e, policy, times, alive);
		if (due === 'delete') {
			plan.deleteEntries.push(e.id);
			plan.rewrite = plan.rewrite.filter((r) => r.id !== e.id);
			continue;
		}
		if (due === 'ask') plan.ask.push(e.id);
		kept.set(e.id, e);
	}
	const byName = new Map(folders.map((f) => [f.name, f]));
	for (const folder of folders) {
		const entry = kept.get(folder.name);
		if (!entry) {
			plan.deleteFolders.push(folder.name);
			continue;
		}
		if (entry.status === 'writing') continue;
		const wanted = new Set(entry.stems.flatMap((s) => s.files));
		for (const file of folder.files) if (!wanted.has(file)) plan.deleteFiles.push({ folder: folder.name, file });
	}
	// A finished record whose files are gone (cleared outside the app) keeps only what is there.
	for (const entry of kept.values()) {
		if (entry.status === 'writing') continue;
		const present = new Set(byName.get(entry.id)?.files ?? []);
		const stems = entry.stems.filter((s) => s.files.every((f) => present.has(f)));
		if (stems.length === entry.stems.length) continue;
		plan.rewrite = plan.rewrite.filter((r) => r.id !== entry.id);
		if (stems.length === 0) plan.deleteEntries.push(entry.id);
		else plan.rewrite.push({ ...entry, stems, interrupted: true });
	}
	return plan;
}
