/**
 * "Done" means saved: a job is 'saving' until its stems are in the library; the worker writes
 * them (and the saved marker) before the page hears of the result, so a page that closes while
 * saving loses nothing — the next visit completes the record from the marker — and nothing
 * half-written is ever shown as complete. Storage is faked in memory (OPFS as the worker sees it).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobQueue } from '../../src/lib/separation/jobs.svelte';
import type { SeparationResult } from '../../src/lib/separation/pipeline';
import { copyToFiles, saveToTarget, type StemTarget } from '../../src/lib/library/stem-writer';
import { folderFiles } from '../../src/lib/library/opfs';
import { SAVED_MARKER, completed, newEntry, planCleanup, recoverSaved, withStemProgress, type LibraryEntry } from '../../src/lib/library/records';
import { separateIntoLibrary } from '../../src/lib/library/separate-to-library';
import type { Library } from '../../src/lib/library/library.svelte';
import { IN_MEMORY_OVERRIDE_KEY } from '../../src/lib/library/stored';
import { warnBeforeUnload } from '../../src/lib/runtime/unload-guard';
import { fakeManifest } from './fake-manifest';

/** The origin private file system as the library uses it: folders, files, sync access handles. */
class FakeFile {
	bytes = new Uint8Array(0);
	/** Fails writes once this many bytes would be exceeded (a full disk). */
	constructor(private readonly quota = Infinity) {}
	createSyncAccessHandle() {
		return Promise.resolve({
			write: (data: ArrayBufferView, { at }: { at: number }) => {
				const end = at + data.byteLength;
				if (end > this.quota) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
				if (end > this.bytes.length) {
					const grown = new Uint8Array(end);
					grown.set(this.bytes);
					this.bytes = grown;
				}
				this.bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
				return data.byteLength;
			},
			truncate: (n: number) => void (this.bytes = this.bytes.slice(0, n)),
			flush: () => undefined,
			close: () => undefined
		});
	}
	getFile(name: string) {
		return new File([this.bytes.slice()], name);
	}
}

class FakeDir {
	readonly kind = 'directory';
	readonly dirs = new Map<string, FakeDir>();
	readonly files = new Map<string, FakeFile>();
	constructor(private readonly quota = Infinity) {}
	async getDirectoryHandle(name: string, { create = false } = {}) {
		if (!this.dirs.has(name)) {
			if (!create) throw new DOMException(name, 'NotFoundError');
			this.dirs.set(name, new FakeDir(this.quota));
		}
		return this.dirs.get(name)!;
	}
	async getFileHandle(name: string, { create = false } = {}) {
		if (!this.files.has(name)) {
			if (!create) throw new DOMException(name, 'NotFoundError');
			this.files.set(name, new FakeFile(this.quota));
		}
		const file = this.files.get(name)!;
		return { kind: 'file', createSyncAccessHandle: () => file.createSyncAccessHandle(), getFile: async () => file.getFile(name) };
	}
	async *entries() {
		for (const [name, d] of this.dirs) yield [name, d] as const;
		for (const name of this.files.keys()) yield [name, await this.getFileHandle(name)] as const;
	}
}

function fakeOpfs(quota = Infinity): FakeDir {
	const root = new FakeDir(quota);
	vi.stubGlobal('navigator', { storage: { getDirectory: async () => root, estimate: async () => ({ usage: 0, quota: 1e12 }), persisted: async () => false } });
	return root;
}

beforeEach(() => vi.unstubAllGlobals());
afterEach(() => vi.unstubAllGlobals());

const RATE = 44100;
const FRAMES = 1000;
const STEMS = ['vocals', 'drums'];

function entry(id = 'job-1'): LibraryEntry {
	return newEntry({ id, fileName: 'song.wav', sampleRate: RATE, channels: 2, frames: FRAMES, model: { id: 'm', name: 'M' }, stemNames: STEMS, ownerTab: 'tab', writer: 'page-gone', notes: [], now: 0, retention: '7d' });
}

const target = (e: LibraryEntry, mode: StemTarget['mode'] = 'copy'): StemTarget => ({ folder: e.id, files: e.stems.map((s) => s.files), mode });

function separated(frames = FRAMES): SeparationResult {
	return {
		sampleRate: RATE,
		stems: STEMS.map((name, n) => ({ name, channels: [0, 1].map((c) => Float32Array.from({ length: frames }, (_, i) => Math.sin(i * (n + 1) + c))) })),
		notes: ['Resampled 48000 Hz → 44100 Hz for the model; stems are at 48000 Hz.'],
		analysis: { integratedLufs: -14 } as unknown as SeparationResult['analysis'],
		preview: { separatedSeconds: 60, songSeconds: 200 }
	};
}

async function sizes(folder: string) {
	const files = await folderFiles(folder);
	return { files, sizes: new Map([...files].map(([n, f]) => [n, f.size])) };
}

describe('the worker saves before the page hears of the result', () => {
	it('a short song is written whole, then marked saved; the marker completes the record without the page', async () => {
		fakeOpfs();
		const e = entry();
		const result = separated();
		await saveToTarget(target(e), result);
		expect(result.stored).toEqual({ folder: e.id, frames: FRAMES, channels: 2, files: e.stems.map((s) => s.files) });
		const { files, sizes: bytes } = await sizes(e.id);
		expect([...files.keys()].sort()).toEqual([...e.stems.flatMap((s) => s.files), SAVED_MARKER].sort());
		// the samples on disk are the samples in memory
		const back = new Float32Array(await files.get(e.stems[1].files[0])!.arrayBuffer());
		expect(back).toEqual(result.stems[1].channels[0]);
		// the page closed before completing the record: the next visit completes it from the marker
		const recovered = recoverSaved(e, await files.get(SAVED_MARKER)!.text(), bytes, 123);
		expect(recovered).toMatchObject({ status: 'complete', recovered: true, frames: FRAMES, savedAt: 123, notes: result.notes, preview: result.preview, analysis: result.analysis, retention: '7d' });
		expect(recovered!.stems.every((s) => s.complete && s.frames === FRAMES)).toBe(true);
	});

	it('a full disk leaves the result without `stored` (the page saves it itself or says why) and no marker', async () => {
		fakeOpfs(FRAMES * 4 - 1); // not even one channel fits
		const e = entry();
		const result = separated();
		await saveToTarget(target(e), result);
		expect(result.stored).toBeUndefined();
		expect((await folderFiles(e.id)).has(SAVED_MARKER)).toBe(false);
		expect(result.stems[0].channels[0]).toHaveLength(FRAMES); // still in memory
	});

	it('files laid out for other stems are refused before anything is marked saved', async () => {
		fakeOpfs();
		const e = entry();
		await expect(copyToFiles({ ...target(e), files: [e.stems[0].files] }, separated())).rejects.toThrow(/laid out for 1×2/);
	});
});

describe('recovering a job whose page closed while saving', () => {
	async function savedJob() {
		fakeOpfs();
		const e = entry();
		await saveToTarget(target(e), separated());
		const { files, sizes: bytes } = await sizes(e.id);
		return { e, marker: await files.get(SAVED_MARKER)!.text(), bytes };
	}

	it('nothing half-written is shown as complete: a short file, a damaged or foreign marker give nothing', async () => {
		const { e, marker, bytes } = await savedJob();
		const short = new Map(bytes).set(e.stems[1].files[1], FRAMES * 4 - 4);
		expect(recoverSaved(e, marker, short, 1)).toBeNull();
		const missing = new Map(bytes);
		missing.delete(e.stems[0].files[0]);
		expect(recoverSaved(e, marker, missing, 1)).toBeNull();
		expect(recoverSaved(e, marker.slice(0, -3), bytes, 1)).toBeNull(); // cut off mid-write
		expect(recoverSaved(e, JSON.stringify({ ...JSON.parse(marker), stems: 3 }), bytes, 1)).toBeNull();
		expect(recoverSaved(e, JSON.stringify({ ...JSON.parse(marker), channels: 1 }), bytes, 1)).toBeNull();
		expect(recoverSaved(e, JSON.stringify({ ...JSON.parse(marker), frames: -1 }), bytes, 1)).toBeNull();
		expect(recoverSaved(e, 'null', bytes, 1)).toBeNull();
	});

	it('the cleanup plan completes it whole (and drops the marker); without one it is interrupted as before', async () => {
		const { e, marker, bytes } = await savedJob();
		const recovered = new Map([[e.id, recoverSaved(e, marker, bytes, 5)!]]);
		const folder = { name: e.id, files: [...bytes.keys()] };
		const plan = planCleanup([e], [folder], '7d', 10, new Set(['tab']), recovered);
		expect(plan.deleteEntries).toEqual([]);
		expect(plan.rewrite).toHaveLength(1);
		expect(plan.rewrite[0]).toMatchObject({ id: e.id, status: 'complete', recovered: true, interrupted: false });
		expect(plan.deleteFiles).toEqual([{ folder: e.id, file: SAVED_MARKER }]);
		// the same record with no marker: nothing was finished, so nothing is kept
		expect(planCleanup([e], [folder], '7d', 10, new Set(['tab'])).deleteEntries).toEqual([e.id]);
		// a page still writing it is never touched
		expect(planCleanup([{ ...e, writer: 'page-open' }], [folder], '7d', 10, new Set(['page-open']), recovered).rewrite).toEqual([]);
	});
});

describe('separateIntoLibrary', () => {
	function fakeLibrary() {
		const calls: string[] = [];
		const library = {
			supported: true,
			begin: async (input: { frames: number; stemNames: string[] }) => (calls.push('begin'), entry()),
			finish: async () => (calls.push('finish'), null),
			discard: async (id: string) => void calls.push(`discard ${id}`)
		};
		return { library: library as unknown as Library, calls };
	}
	const job = { fileName: 'song.wav', manifest: fakeManifest({ stems: STEMS, stft: { nFft: 2048, hopLength: 512, window: 'hann', center: true, padMode: 'reflect' }, chunk: { frames: 256, samples: 255 * 512 } }), sampleRate: RATE, frames: FRAMES, inputChannels: 2, licensed: true };

	it('a short song goes to the worker as a copy job into a record begun first; the page completes the record later (save)', async () => {
		fakeOpfs();
		const { library, calls } = fakeLibrary();
		const targets: (StemTarget | undefined)[] = [];
		const result = await separateIntoLibrary(library, job, async (t) => {
			targets.push(t);
			const r = separated();
			await saveToTarget(t!, r);
			return r;
		});
		expect(targets[0]).toMatchObject({ folder: 'job-1', mode: 'copy' });
		expect(result.stored?.folder).toBe('job-1');
		expect(result.stems[0].channels[0]).toHaveLength(FRAMES);
		expect(calls).toEqual(['begin']); // not finished here: the job is 'saving' until library.save completes it
	});

	it('when the worker could not write them, the begun record is dropped and the page gets the samples to save itself', async () => {
		fakeOpfs(10);
		const { library, calls } = fakeLibrary();
		const result = await separateIntoLibrary(library, job, async (t) => {
			const r = separated();
			await saveToTarget(t!, r);
			return r;
		});
		expect(result.stored).toBeUndefined();
		expect(calls).toEqual(['begin', 'discard job-1']);
	});

	it('a long song is streamed to disk', async () => {
		fakeOpfs();
		vi.stubGlobal('localStorage', { getItem: (k: string) => (k === IN_MEMORY_OVERRIDE_KEY ? '0' : null) });
		const { library } = fakeLibrary();
		const targets: (StemTarget | undefined)[] = [];
		await separateIntoLibrary(library, job, async (t) => (targets.push(t), { ...separated(), stems: [], stored: { folder: 'job-1', frames: FRAMES, channels: 2, files: entry().stems.map((s) => s.files) } }));
		expect(targets[0]?.mode).toBe('stream');
	});
});

describe('the job queue: separating → saving → done', () => {
	const file = (name: string) => new File([new Uint8Array(4)], name);
	const decode = async () => ({ sampleRate: RATE, channels: [new Float32Array(8)] });

	it('is "saving" until the result is in the library, and "done" only then', async () => {
		let finishSaving!: () => void;
		const saving = new Promise<void>((resolve) => (finishSaving = resolve));
		const inLibrary: string[] = [];
		const queue = new JobQueue({
			decode,
			separate: async () => separated(),
			cancel: async () => undefined,
			onFinished: async (job) => {
				await saving;
				inLibrary.push(job.fileName);
			}
		});
		queue.add([file('a.wav')]);
		await vi.waitFor(() => expect(queue.jobs[0].status).toBe('saving'));
		expect(queue.jobs[0].result).not.toBeNull();
		expect(queue.busy).toBe(true);
		await new Promise((r) => setTimeout(r, 20));
		expect(queue.jobs[0].status).toBe('saving'); // still not done while the stems are being written
		finishSaving();
		await vi.waitFor(() => expect(queue.jobs[0].status).toBe('done'));
		expect(inLibrary).toEqual(['a.wav']);
		expect(queue.busy).toBe(false);
	});

	it('a save that fails still ends in "done" with the result kept, and says it was not saved', async () => {
		const queue = new JobQueue({
			decode,
			separate: async () => separated(),
			cancel: async () => undefined,
			onFinished: async () => {
				throw new Error('the disk is full');
			}
		});
		queue.add([file('a.wav'), file('b.wav')]);
		await vi.waitFor(() => expect(queue.jobs.map((j) => j.status)).toEqual(['done', 'done']));
		expect(queue.jobs[0].error).toMatch(/could not be saved to your library \(the disk is full\)\. Its stems stay here/);
		expect(queue.jobs[0].result?.stems).toHaveLength(2);
	});

	it('leaving the page is questioned while a job is queued, separating or saving, and not otherwise', () => {
		const target = new EventTarget();
		let busy = true;
		const remove = warnBeforeUnload(target, () => busy);
		const leave = () => {
			const e = new Event('beforeunload', { cancelable: true });
			target.dispatchEvent(e);
			return e.defaultPrevented;
		};
		expect(leave()).toBe(true);
		busy = false;
		expect(leave()).toBe(false);
		busy = true;
		remove();
		expect(leave()).toBe(false);
	});
});

describe('records', () => {
	it('a record is complete only once every stem is', () => {
		const e = entry();
		expect(() => completed(withStemProgress(e, 0, FRAMES, true), 1)).toThrow(/unfinished/);
	});
});
