import { describe, expect, it } from 'vitest';
import {
	completed,
	entryBytes,
	newEntry,
	planCleanup,
	safeName,
	sortEntries,
	stemChannelFile,
	withStemProgress,
	type LibraryEntry,
	type StoredFolder
} from '../../src/lib/library/records';

const DAY = 86_400_000;

function entry(id: string, over: Partial<Parameters<typeof newEntry>[0]> = {}): LibraryEntry {
	return newEntry({
		id,
		fileName: `${id}.wav`,
		sampleRate: 44100,
		channels: 2,
		frames: 1000,
		model: { id: 'm', name: 'Model' },
		stemNames: ['vocals', 'drums'],
		ownerTab: 'tab-1',
		writer: 'page-1',
		notes: [],
		now: 0,
		...over
	});
}

function finished(e: LibraryEntry, at = e.createdAt): LibraryEntry {
	let x = e;
	for (let i = 0; i < x.stems.length; i++) x = withStemProgress(x, i, x.frames, true);
	return completed(x, at);
}

const folderOf = (e: LibraryEntry, extra: string[] = []): StoredFolder => ({ name: e.id, files: [...e.stems.flatMap((s) => s.files), ...extra] });

describe('naming', () => {
	it('gives each channel of each stem a safe, distinct file name', () => {
		expect(stemChannelFile(0, 'vocals', 1)).toBe('0-vocals.c1.f32');
		expect(stemChannelFile(3, '../Lead Vox/é', 0)).toBe('3-Lead_Vox_e.c0.f32');
		expect(safeName('///')).toBe('stem');
		expect(safeName('x'.repeat(100))).toHaveLength(40);
		const e = entry('a', { stemNames: ['a b', 'a/b'] });
		const files = e.stems.flatMap((s) => s.files);
		expect(new Set(files).size).toBe(files.length); // same safe name, still distinct
	});
});

describe('records', () => {
	it('tracks stems to completion and measures the bytes on disk', () => {
		let e = entry('a');
		expect(e.status).toBe('writing');
		expect(entryBytes(e)).toBe(0);
		e = withStemProgress(e, 0, 1000, true);
		expect(entryBytes(e)).toBe(1000 * 2 * 4);
		expect(() => completed(e, 5)).toThrow(/unfinished/);
		e = withStemProgress(e, 1, 1000, true);
		const done = completed(e, 5);
		expect(done.status).toBe('complete');
		expect(done.savedAt).toBe(5);
		expect(entryBytes(done)).toBe(2 * 1000 * 2 * 4);
		expect(() => withStemProgress(e, 2, 1, true)).toThrow(RangeError);
	});

	it('progress only moves forward (a late, stale update cannot undo a finished stem)', () => {
		const e = withStemProgress(entry('a'), 0, 1000, true);
		const stale = withStemProgress(e, 0, 10, false);
		expect(stale.stems[0]).toMatchObject({ frames: 1000, complete: true });
	});

	it('sorts newest first, deterministically', () => {
		const list = [entry('b', { now: 1 }), entry('a', { now: 2 }), entry('c', { now: 1 })];
		expect(sortEntries(list).map((e) => e.id)).toEqual(['a', 'b', 'c']);
	});
});

describe('cleanup plan', () => {
	const none = new Set<string>();

	it('keeps fresh items, deletes expired ones with their folders', () => {
		const fresh = finished(entry('fresh'), 6 * DAY);
		const old = finished(entry('old'), 0);
		const plan = planCleanup([fresh, old], [folderOf(fresh), folderOf(old)], '7d', 7 * DAY, none);
		expect(plan.deleteEntries).toEqual(['old']);
		expect(plan.deleteFolders).toEqual(['old']);
		expect(plan.deleteFiles).toEqual([]);
		expect(plan.rewrite).toEqual([]);
	});

	it('never touches a job another open page is still writing', () => {
		const writing = entry('w', { writer: 'page-2' });
		const plan = planCleanup([writing], [{ name: 'w', files: ['0-vocals.c0.f32.crswap'] }], '1h', 100 * DAY, new Set(['page-2']));
		expect(plan).toEqual({ deleteEntries: [], rewrite: [], deleteFolders: [], deleteFiles: [], ask: [] });
	});

	it('an interrupted job keeps its finished stems and loses the rest', () => {
		const cut = withStemProgress(entry('cut'), 0, 1000, true);
		const folder = folderOf(cut, ['1-drums.c0.f32.crswap']);
		const plan = planCleanup([cut], [folder], '7d', 1, none);
		expect(plan.deleteEntries).toEqual([]);
		expect(plan.rewrite).toHaveLength(1);
		expect(plan.rewrite[0]).toMatchObject({ status: 'complete', interrupted: true });
		expect(plan.rewrite[0].stems.map((s) => s.name)).toEqual(['vocals']);
		expect(plan.deleteFiles.map((f) => f.file).sort()).toEqual(['1-drums.c0.f32', '1-drums.c0.f32.crswap', '1-drums.c1.f32']);
	});

	it('an interrupted job with nothing finished is removed entirely', () => {
		const cut = entry('cut');
		const plan = planCleanup([cut], [{ name: 'cut', files: ['0-vocals.c0.f32.crswap'] }], '7d', 1, none);
		expect(plan.deleteEntries).toEqual(['cut']);
		expect(plan.deleteFolders).toEqual(['cut']);
	});

	it('removes folders no record owns and stray files inside kept folders', () => {
		const ok = finished(entry('ok'));
		const plan = planCleanup([ok], [folderOf(ok, ['junk.tmp']), { name: 'orphan', files: ['x'] }], 'forever', 1e15, none);
		expect(plan.deleteFolders).toEqual(['orphan']);
		expect(plan.deleteFiles).toEqual([{ folder: 'ok', file: 'junk.tmp' }]);
		expect(plan.deleteEntries).toEqual([]);
	});

	it('a record whose files were removed outside the app keeps what is still there', () => {
		const ok = finished(entry('ok'));
		const partial = { name: 'ok', files: ok.stems[1].files };
		const plan = planCleanup([ok], [partial], '7d', 1, none);
		expect(plan.rewrite.map((e) => e.stems.map((s) => s.name))).toEqual([['drums']]);
		const gone = planCleanup([ok], [], '7d', 1, none);
		expect(gone.deleteEntries).toEqual(['ok']);
	});

	it('"when the tab closes" deletes items of closed tabs only; "keep" overrides', () => {
		const mine = finished(entry('mine', { ownerTab: 'tab-1' }));
		const theirs = finished(entry('theirs', { ownerTab: 'tab-2' }));
		const kept = { ...finished(entry('kept', { ownerTab: 'tab-2' })), keep: true };
		const plan = planCleanup([mine, theirs, kept], [folderOf(mine), folderOf(theirs), folderOf(kept)], 'session', 0, new Set(['tab-1']));
		expect(plan.deleteEntries).toEqual(['theirs']);
		expect(plan.deleteFolders).toEqual(['theirs']);
	});

	it('items due only by a clock that ran ahead of the trusted time are kept and asked about', () => {
		const due = finished(entry('due', { retention: '7d' }), 0);
		const fresh = finished(entry('fresh', { retention: '7d' }), 5 * DAY);
		const gone = finished(entry('gone', { retention: '1h' }), 0);
		const folders = [folderOf(due), folderOf(fresh), folderOf(gone)];
		const plan = planCleanup([due, fresh, gone], folders, '7d', { now: 8 * DAY, trusted: 2 * DAY }, none);
		expect(plan.deleteEntries).toEqual(['gone']); // due by the trusted time too
		expect(plan.ask).toEqual(['due']);
		expect(plan.deleteFolders).toEqual(['gone']);
		// with the clock confirmed, it goes
		expect(planCleanup([due], [folderOf(due)], '7d', { now: 8 * DAY, trusted: 8 * DAY }, none).deleteEntries).toEqual(['due']);
	});

	it('"when this tab closes" chosen later does not delete items saved under another setting', () => {
		const earlier = finished(entry('earlier', { ownerTab: 'closed-tab', retention: '7d' }));
		const plan = planCleanup([earlier], [folderOf(earlier)], 'session', DAY, new Set(['new-tab']));
		expect(plan.deleteEntries).toEqual([]);
	});

	it('an interrupted job that is also expired is deleted, not rewritten', () => {
		const cut = withStemProgress(entry('cut', { now: 0 }), 0, 1000, true);
		const plan = planCleanup([cut], [folderOf(cut)], '1h', DAY, none);
		expect(plan.deleteEntries).toEqual(['cut']);
		expect(plan.rewrite).toEqual([]);
	});
});
