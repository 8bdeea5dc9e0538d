/**
 * The on-device library: saves finished jobs (records in IndexedDB, stems in OPFS, written
 * stem by stem as each is ready), applies the retention policy at start-up and every
 * minute, and keeps every open tab in step (Web Locks around writes, BroadcastChannel
 * to refresh the others). One instance per page: `library` below.
 */
import type { SeparationResult } from '../separation/pipeline';
import { registerDataCategory } from '../privacy/data-categories';
import { deleteOne, keyvalDb, readAll, readOne, writeOne } from './idb';
import { alivePresence, canSeeOtherTabs, holdPresence, withIndexLock } from './locks';
import { ChannelAppender, folderFiles, jobDir, listFolders, opfsSupported, readChannels, removeFile, removeFolder } from './opfs';
import { keepInMemory, storedResult } from './stored';
import {
	LIBRARY_DIR,
	SAVED_MARKER,
	completed,
	entryBytes,
	newEntry,
	planCleanup,
	recoverSaved,
	sortEntries,
	withStemProgress,
	type LibraryEntry,
	type StoredFolder
} from './records';
import { DEFAULT_RETENTION, applyPolicy, isRetentionPolicy, planPolicyChange, retentionLabel, type PolicyChange, type RetentionPolicy } from './retention';
import { confirmClock, isStoredClock, judgeClock, type ClockReading } from './clock';
import { isQuotaError, requestPersistence, storageInfo, type StorageInfo } from './storage';
import { wipe, type WipeResult } from './wipe';

export const LIBRARY_DB = 'stemsafe-library';
export const SETTINGS_DB = 'stemsafe-settings';
const CHANNEL = 'stemsafe-library';
const TAB_KEY = 'stemsafe-tab-id';
/** Frames per write: bounded memory per append, whatever the song length. */
const WRITE_CHUNK = 1 << 18;
export const CLEANUP_INTERVAL_MS = 60_000;

export interface SaveInput {
	fileName: string;
	model: { id: string; name: string };
	result: SeparationResult;
}

export interface BeginInput {
	fileName: string;
	model: { id: string; name: string };
	sampleRate: number;
	channels: number;
	frames: number;
	stemNames: string[];
}

type Message = { type: 'changed' } | { type: 'wiped' };

/** Settings-database key of the clock the library last vouched for (clock.ts). */
const CLOCK_KEY = 'clock';

/** Items due only by a wall clock that ran ahead of what the library can vouch for. */
export interface ClockQuestion {
	ids: string[];
	bytes: number;
	/** How far the wall clock is ahead of the time the library vouches for (ms). */
	ahead: number;
}

export class Library {
	entries = $state.raw<LibraryEntry[]>([]);
	policy = $state<RetentionPolicy>(DEFAULT_RETENTION);
	storage = $state.raw<StorageInfo>({ usage: null, quota: null, persisted: null });
	/** A problem worded for the user (full disk, browser without OPFS...). */
	message = $state<string | null>(null);
	/** True once the start-up auto-delete has run and the list is loaded. */
	ready = $state(false);
	/** Set while items are due only by a clock that jumped ahead: they stay until the user answers. */
	clockQuestion = $state.raw<ClockQuestion | null>(null);
	/** The clock the retention policy runs on, and the monotonic clock it is checked against (tests can replace them). */
	now: () => number = () => Date.now();
	monotonic: () => number = () => performance.now();

	readonly supported = opfsSupported() && typeof indexedDB !== 'undefined';
	/** Survives reloads of this tab (sessionStorage), so "when this tab closes" means that. */
	readonly tabId: string;
	/** This page load: a record it was writing is interrupted once it is gone. */
	readonly pageId = crypto.randomUUID();

	private readonly db = keyvalDb(LIBRARY_DB);
	private readonly settings = keyvalDb(SETTINGS_DB);
	private readonly writers = new Set<ChannelAppender>();
	private channel: BroadcastChannel | null = null;
	private timer: ReturnType<typeof setInterval> | undefined;
	private started: Promise<void> | null = null;
	private generation = 0; // bumps on delete-all: saves from before it stop
	/** This page's last clock judgement, and the items the user chose to keep despite the clock. */
	private anchor: ClockReading | null = null;
	private readonly kept = new Set<string>();

	constructor() {
		let tab = null;
		try {
			tab = sessionStorage.getItem(TAB_KEY);
			if (!tab) sessionStorage.setItem(TAB_KEY, (tab = crypto.randomUUID()));
		} catch {
			tab = null;
		}
		this.tabId = tab ?? this.pageId;
	}

	/** Start-up: presence locks, settings, auto-delete, then every minute. Idempotent. */
	start(): Promise<void> {
		this.started ??= (async () => {
			if (!this.supported) {
				this.message = 'This browser does not let the app keep files, so results are kept only until you close the tab.';
				return;
			}
			holdPresence(this.tabId);
			if (this.pageId !== this.tabId) holdPresence(this.pageId);
			this.channel = new BroadcastChannel(CHANNEL);
			this.channel.onmessage = (e: MessageEvent<Message>) => void this.onMessage(e.data);
			try {
				const stored = await readOne<unknown>(this.settings, 'retention');
				if (isRetentionPolicy(stored)) this.policy = stored;
			} catch (e) {
				this.message = `Your settings could not be read (${e instanceof Error ? e.message : String(e)}); using the default of 7 days.`;
			}
			await this.cleanup(); // reports its own failures
			this.ready = true;
			this.timer = setInterval(() => void this.cleanup(), CLEANUP_INTERVAL_MS);
		})();
		return this.started;
	}

	stop(): void {
		clearInterval(this.timer);
		this.channel?.close();
	}

	/**
	 * Saves a finished job. Stems the worker wrote already (`result.stored`, begun with `begin`)
	 * only need their record completed; others are written here, each stem committed to disk as
	 * soon as it is written. Null when it could not be saved (`message` says why).
	 */
	async save(input: SaveInput): Promise<LibraryEntry | null> {
		if (!this.supported) return null;
		const { stored } = input.result;
		if (stored) {
			const entry = await this.finish(stored.folder, input.result).catch((e: unknown) => {
				this.message = `“${input.fileName}” could not be saved to the library: ${e instanceof Error ? e.message : String(e)}. Its stems are still here until you close the tab.`;
				return null;
			});
			if (entry) this.message = null;
			return entry;
		}
		await this.start();
		const { result } = input;
		const generation = this.generation;
		const id = crypto.randomUUID();
		const frames = result.stems[0]?.channels[0]?.length ?? 0;
		let entry = newEntry({
			id,
			fileName: input.fileName,
			sampleRate: result.sampleRate,
			channels: result.stems[0]?.channels.length ?? 0,
			frames,
			model: input.model,
			stemNames: result.stems.map((s) => s.name),
			ownerTab: this.tabId,
			writer: this.pageId,
			notes: result.notes,
			now: this.now(),
			retention: this.policy
		});
		try {
			await withIndexLock(() => writeOne(this.db, id, entry));
			this.announce();
			const dir = (await jobDir(id, true))!;
			for (let i = 0; i < result.stems.length; i++) {
				const writer = await ChannelAppender.open(dir, entry.stems[i].files);
				this.writers.add(writer);
				try {
					const channels = result.stems[i].channels;
					for (let f = 0; f < frames; f += WRITE_CHUNK) await writer.append(channels.map((ch) => ch.subarray(f, f + WRITE_CHUNK)));
					await writer.close();
				} catch (e) {
					await writer.abort();
					throw e;
				} finally {
					this.writers.delete(writer);
				}
				const next = await this.updateEntry(id, (e) => withStemProgress(e, i, frames, true));
				if (!next || generation !== this.generation) throw new DeletedMeanwhile();
				entry = next;
			}
			entry = (await this.updateEntry(id, (e) => completed({ ...e, analysis: result.analysis, preview: result.preview, retention: this.policy }, this.now()))) ?? entry;
			this.message = null;
			return entry;
		} catch (e) {
			if (e instanceof DeletedMeanwhile || generation !== this.generation) {
				await removeFolder(id).catch(() => undefined); // deleted under us (delete-all): leave no files
				return null;
			}
			// Free what this job took; every earlier item stays as it was.
			await withIndexLock(async () => {
				await deleteOne(this.db, id);
				await removeFolder(id);
			}).catch(() => undefined);
			this.message = isQuotaError(e)
				? `Your device has no room left for this site, so “${input.fileName}” was not saved to the library. ` +
					'Its stems are still here to play and download until you close the tab; everything saved earlier is kept. ' +
					'Delete older items below (or free disk space) to save new ones.'
				: `“${input.fileName}” could not be saved to the library: ${e instanceof Error ? e.message : String(e)}. ` +
					'Its stems are still here until you close the tab.';
			return null;
		} finally {
			await this.refresh();
			this.announce();
		}
	}

	/**
	 * Starts a job whose stems the separation worker writes straight into the library (see
	 * stem-writer.ts): the record exists, as 'writing', before the first sample is written.
	 * Null where the library cannot store files (the caller then keeps stems in memory).
	 */
	async begin(input: BeginInput): Promise<LibraryEntry | null> {
		if (!this.supported) return null;
		await this.start();
		const entry = newEntry({
			id: crypto.randomUUID(),
			fileName: input.fileName,
			sampleRate: input.sampleRate,
			channels: input.channels,
			frames: input.frames,
			model: input.model,
			stemNames: input.stemNames,
			ownerTab: this.tabId,
			writer: this.pageId,
			notes: [],
			now: this.now(),
			retention: this.policy
		});
		await withIndexLock(async () => {
			await writeOne(this.db, entry.id, entry);
			(await jobDir(entry.id, true))!;
		});
		this.announce();
		return entry;
	}

	/** Marks a job begun with `begin` as complete once the worker has written every stem. */
	async finish(id: string, result: SeparationResult): Promise<LibraryEntry | null> {
		try {
			const frames = result.stored?.frames ?? 0;
			let entry: LibraryEntry | undefined;
			for (let i = 0; i < result.stems.length; i++) entry = await this.updateEntry(id, (e) => withStemProgress({ ...e, frames }, i, frames, true));
			// saved now: it keeps the setting in force now (retention.ts)
			entry = await this.updateEntry(id, (e) => completed({ ...e, notes: result.notes, analysis: result.analysis, preview: result.preview, retention: this.policy }, this.now()));
			return entry ?? null;
		} finally {
			await this.cleanup(); // refreshes, and notes the clock a library with items relies on
			this.announce();
		}
	}

	/** Drops a job begun with `begin` (failed or cancelled): its record and files. */
	async discard(id: string): Promise<void> {
		await this.remove(id).catch(() => undefined);
	}

	/** The record of a saved job (from this tab's list or the database). */
	async entry(id: string): Promise<LibraryEntry | undefined> {
		return this.entries.find((e) => e.id === id) ?? (await readOne<LibraryEntry>(this.db, id));
	}

	/**
	 * Reads a saved job's stems back from disk. Items above IN_MEMORY_STEM_BYTES come back as
	 * references to their files (`stored`, no samples), played and exported from disk.
	 */
	async load(id: string): Promise<SeparationResult> {
		const entry = await this.entry(id);
		if (!entry) throw new Error('This item has been deleted.');
		const dir = await jobDir(id, false);
		if (!dir) throw new Error('The files of this item are gone.');
		if (!keepInMemory(entryBytes(entry))) return storedResult(entry);
		const stems = [];
		for (const s of entry.stems) stems.push({ name: s.name, channels: await readChannels(dir, s.files, s.frames) });
		return { sampleRate: entry.sampleRate, stems, notes: entry.notes, analysis: entry.analysis, preview: entry.preview };
	}

	async setKeep(id: string, keep: boolean): Promise<void> {
		await this.updateEntry(id, (e) => ({ ...e, keep }));
		await this.refresh();
		this.announce();
	}

	async remove(id: string): Promise<void> {
		await withIndexLock(async () => {
			await deleteOne(this.db, id);
			await removeFolder(id);
		});
		await this.refresh();
		this.announce();
	}

	/**
	 * What changing the setting to `to` would mean for the songs saved so far (count and size,
	 * and what applying it to them would delete now), for the question the page asks first.
	 */
	previewPolicy(to: RetentionPolicy): PolicyChange {
		const saved = this.entries.filter((e) => e.status === 'complete').map((e) => ({ ...e, bytes: entryBytes(e) }));
		return planPolicyChange(saved, this.policy, to, this.now(), this.tabId);
	}

	/**
	 * Changes the setting for songs saved from now on. Songs already saved keep their own
	 * retention unless `apply` (the preview the user confirmed) is given: then those songs take
	 * the new one and exactly the ones it listed as deleted now are deleted. A choice that cannot
	 * be stored is taken back, and says so: the stored one still applies.
	 */
	async setPolicy(to: RetentionPolicy, apply: PolicyChange | null = null): Promise<void> {
		const before = this.policy;
		this.policy = to;
		try {
			await withIndexLock(async () => {
				// records from before items carried their retention keep the setting they had
				if (this.supported) {
					for (const e of await readAll<LibraryEntry>(this.db)) if (!e.retention) await writeOne(this.db, e.id, { ...e, retention: before });
				}
				await writeOne(this.settings, 'retention', to);
				if (!apply || apply.to !== to) return;
				for (const id of apply.saved.ids) {
					const current = await readOne<LibraryEntry>(this.db, id);
					if (current && !current.keep) await writeOne(this.db, id, applyPolicy(current, to, this.tabId));
				}
				for (const id of apply.deleteNow.ids) {
					await deleteOne(this.db, id);
					await removeFolder(id);
				}
			});
		} catch (e) {
			this.policy = before;
			this.message = `Your choice could not be saved (${e instanceof Error ? e.message : String(e)}). Saved songs are still deleted ${retentionLabel(before)}.`;
			return;
		}
		this.announce();
		await this.cleanup();
	}

	/**
	 * The user's answer to `clockQuestion`: delete those items (and trust the clock from now on),
	 * or keep them; the question comes back on the next visit while the clock stays ahead.
	 */
	async answerClock(deleteThem: boolean): Promise<void> {
		const question = this.clockQuestion;
		this.clockQuestion = null;
		if (!question) return;
		if (!deleteThem) {
			for (const id of question.ids) this.kept.add(id);
			return;
		}
		const confirmed = confirmClock(this.reading());
		try {
			await withIndexLock(async () => {
				for (const id of question.ids) {
					await deleteOne(this.db, id);
					await removeFolder(id);
				}
				await writeOne(this.settings, CLOCK_KEY, confirmed.store);
			});
			this.anchor = confirmed.anchor;
		} catch (e) {
			this.message = `The songs could not be deleted: ${e instanceof Error ? e.message : String(e)}.`;
		}
		this.announce();
		await this.cleanup();
	}

	private reading(): ClockReading {
		return { wall: this.now(), mono: this.monotonic() };
	}

	/** Auto-delete: expired items, interrupted jobs' unfinished files, files no record owns. */
	async cleanup(): Promise<void> {
		if (!this.supported) return;
		let ask: string[] = [];
		let ahead = 0;
		try {
			await withIndexLock(async () => {
				const entries = await readAll<LibraryEntry>(this.db);
				const alive = await alivePresence([this.tabId, this.pageId]);
				// Without Web Locks other tabs are invisible: treat every tab as open.
				if (!canSeeOtherTabs()) for (const e of entries) alive.add(e.ownerTab).add(e.writer);
				// timed deletions only up to a time the library can vouch for (clock.ts)
				const stored = await readOne<unknown>(this.settings, CLOCK_KEY);
				const now = this.reading();
				const clock = judgeClock(now, this.anchor, isStoredClock(stored) ? stored : null);
				const folders = await listFolders();
				const recovered = await this.recoverable(entries, folders, alive, now.wall);
				const plan = planCleanup(entries, folders, this.policy, { now: now.wall, trusted: clock.trusted }, alive, recovered);
				for (const id of plan.deleteEntries) {
					await deleteOne(this.db, id);
					await removeFolder(id);
				}
				for (const e of plan.rewrite) await writeOne(this.db, e.id, e);
				for (const f of plan.deleteFolders) await removeFolder(f);
				for (const { folder, file } of plan.deleteFiles) await removeFile(folder, file);
				if (plan.deleteEntries.length || plan.rewrite.length) this.announce();
				this.anchor = clock.anchor;
				// a library with items remembers the clock for the next visit (an empty one stores nothing)
				if (entries.length > plan.deleteEntries.length) await writeOne(this.settings, CLOCK_KEY, clock.store);
				ask = plan.ask;
				ahead = clock.ahead;
			});
		} catch (e) {
			this.message = `Auto-delete could not finish: ${e instanceof Error ? e.message : String(e)}. It will try again in a minute.`;
		}
		await this.refresh().catch((e) => {
			this.message = `The library could not be read: ${e instanceof Error ? e.message : String(e)}.`;
		});
		const unanswered = ask.filter((id) => !this.kept.has(id));
		if (unanswered.length) this.clockQuestion = this.question(ask, ahead);
		else if (!ask.length) this.clockQuestion = null;
	}

	/** Jobs whose page closed after the worker had saved every stem (SAVED_MARKER): their completed records. */
	private async recoverable(entries: LibraryEntry[], folders: StoredFolder[], alive: ReadonlySet<string>, now: number): Promise<Map<string, LibraryEntry>> {
		const recovered = new Map<string, LibraryEntry>();
		const marked = new Set(folders.filter((f) => f.files.includes(SAVED_MARKER)).map((f) => f.name));
		for (const e of entries) {
			if (e.status !== 'writing' || alive.has(e.writer) || !marked.has(e.id)) continue;
			try {
				const files = await folderFiles(e.id);
				const marker = files.get(SAVED_MARKER);
				const sizes = new Map([...files].map(([name, f]) => [name, f.size]));
				const entry = marker ? recoverSaved(e, await marker.text(), sizes, now) : null;
				if (entry) recovered.set(e.id, entry);
			} catch {
				// unreadable: treated as interrupted (what was not finished is removed)
			}
		}
		return recovered;
	}

	private question(ids: string[], ahead: number): ClockQuestion | null {
		const items = this.entries.filter((e) => ids.includes(e.id));
		return items.length ? { ids: items.map((e) => e.id), bytes: items.reduce((n, e) => n + entryBytes(e), 0), ahead } : null;
	}

	async refresh(): Promise<void> {
		if (!this.supported) return;
		this.entries = sortEntries(await readAll<LibraryEntry>(this.db));
		this.storage = await storageInfo();
		// items of the question deleted meanwhile (another tab, delete-all) are no longer asked about
		if (this.clockQuestion) this.clockQuestion = this.question(this.clockQuestion.ids, this.clockQuestion.ahead);
	}

	async persist(): Promise<boolean> {
		const granted = await requestPersistence();
		this.storage = await storageInfo();
		return granted;
	}

	/** Deletes every job, stem and setting (and the optional categories chosen), then checks. */
	async deleteAll(alsoDelete: ReadonlySet<string>): Promise<WipeResult> {
		this.generation++;
		this.channel?.postMessage({ type: 'wiped' } satisfies Message); // other tabs stop writing first
		const result = await withIndexLock(() => wipe(alsoDelete));
		this.forget();
		this.message = null;
		this.storage = await storageInfo();
		this.channel?.postMessage({ type: 'wiped' } satisfies Message);
		return result;
	}

	/** After delete-all: nothing of the library or its settings is left in this page either. */
	private forget(): void {
		this.entries = [];
		this.policy = DEFAULT_RETENTION;
		this.clockQuestion = null;
		this.anchor = null;
		this.kept.clear();
	}

	private async updateEntry(id: string, fn: (e: LibraryEntry) => LibraryEntry): Promise<LibraryEntry | undefined> {
		return withIndexLock(async () => {
			const current = await readOne<LibraryEntry>(this.db, id);
			if (!current) return undefined; // deleted meanwhile (another tab, auto-delete): do not resurrect
			const next = fn(current);
			await writeOne(this.db, id, next);
			return next;
		});
	}

	private announce(): void {
		this.channel?.postMessage({ type: 'changed' } satisfies Message);
	}

	private async onMessage(m: Message): Promise<void> {
		if (m.type === 'wiped') {
			this.generation++;
			await Promise.all([...this.writers].map((w) => w.abort()));
			this.forget();
			this.storage = await storageInfo();
			return;
		}
		const stored = await readOne<unknown>(this.settings, 'retention');
		if (isRetentionPolicy(stored)) this.policy = stored;
		await this.refresh();
	}

	/** For the data-category registry. */
	async abortWrites(): Promise<void> {
		this.generation++;
		await Promise.all([...this.writers].map((w) => w.abort()));
		this.db.close();
		this.settings.close();
	}
}

class DeletedMeanwhile extends Error {}

export const library = new Library();

registerDataCategory({
	id: 'library',
	label: 'Saved songs and stems',
	description: `Every job in the library: its record (IndexedDB “${LIBRARY_DB}”) and its audio (private files “${LIBRARY_DIR}/”).`,
	optional: false,
	idb: [LIBRARY_DB],
	opfs: [LIBRARY_DIR],
	beforeDelete: () => library.abortWrites()
});
registerDataCategory({
	id: 'settings',
	label: 'Settings',
	description: `Your retention choice and the time the library last checked the clock against (IndexedDB “${SETTINGS_DB}”).`,
	optional: false,
	idb: [SETTINGS_DB],
	opfs: []
});
