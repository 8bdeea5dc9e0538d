/**
 * Batches: the order of queued songs (moving, cancelling), the batch's progress line and time
 * left, the summary at the end, and the queue that runs them (JobQueue with fake decode and
 * separation); the folder walk that turns a dropped folder into songs.
 */
import { describe, expect, it, vi } from 'vitest';
import { batchProgress, batchSummary, canMove, moveQueued, nextQueued, progressLine, summaryHeadline, type BatchJob, type BatchStatus } from '../../src/lib/separation/batch';
import { JobQueue } from '../../src/lib/separation/jobs.svelte';
import type { SeparationResult } from '../../src/lib/separation/pipeline';
import { AudioFormatError } from '../../src/lib/dsp/audio';
import { CancelledError } from '../../src/lib/separation/progress';
import { collectFromNodes, comparePaths, droppedNodes, entryNode, fromRelativePaths, handleNode, isAudioName, type FsNode } from '../../src/lib/input/folders';

function job(id: string, status: BatchStatus, extra: Partial<BatchJob> = {}): BatchJob {
	return { id, fileName: `${id}.wav`, status, progress: 0, etaSeconds: null, error: null, seconds: null, elapsedSeconds: null, startedAt: null, ...extra };
}
const ids = (jobs: readonly BatchJob[]) => jobs.map((j) => j.id);

describe('ordering queued songs', () => {
	const list = [job('done', 'done'), job('run', 'separating'), job('a', 'queued'), job('x', 'cancelled'), job('b', 'queued'), job('c', 'queued')];

	it('moves a queued song past the nearest queued one, leaving the others in place', () => {
		expect(ids(moveQueued(list, 'b', -1))).toEqual(['done', 'run', 'b', 'x', 'a', 'c']);
		expect(ids(moveQueued(list, 'a', 1))).toEqual(['done', 'run', 'b', 'x', 'a', 'c']);
		expect(ids(moveQueued(list, 'b', 1))).toEqual(['done', 'run', 'a', 'x', 'c', 'b']);
	});

	it('does nothing at the ends of the queue or for songs that are not waiting', () => {
		expect(moveQueued(list, 'a', -1)).toBe(list); // never ahead of the running song
		expect(moveQueued(list, 'c', 1)).toBe(list);
		expect(moveQueued(list, 'run', 1)).toBe(list);
		expect(moveQueued(list, 'done', 1)).toBe(list);
		expect(moveQueued(list, 'nope', 1)).toBe(list);
		expect([canMove(list, 'a', -1), canMove(list, 'a', 1), canMove(list, 'c', 1), canMove(list, 'run', 1), canMove(list, 'x', -1)]).toEqual([false, true, false, false, false]);
	});

	it('the next song is the first queued one in the new order', () => {
		expect(nextQueued(moveQueued(list, 'c', -1).slice())?.id).toBe('a');
		expect(nextQueued(moveQueued(moveQueued(list, 'b', -1), 'c', -1))?.id).toBe('b');
		expect(nextQueued([job('d', 'done'), job('e', 'error')])).toBeUndefined();
	});
});

describe('the batch progress line', () => {
	const now = 100_000;

	it('has no time left to show before the first song has measured its speed', () => {
		const p = batchProgress([job('a', 'decoding', { startedAt: now - 2000 }), job('b', 'queued'), job('c', 'queued')], now);
		expect(p).toMatchObject({ total: 3, settled: 0, current: 1, etaSeconds: null, basis: null });
		expect(p.fraction).toBe(0);
		expect(progressLine(p, String)).toBe('Song 1 of 3 · time left: measuring speed on the first song');
	});

	it('before any song has finished, costs each waiting song like the running one (and says it is a first estimate)', () => {
		// 10 s in, 30 s left by its own chunks: 40 s a song, two more waiting
		const p = batchProgress([job('a', 'separating', { startedAt: now - 10_000, progress: 0.25, etaSeconds: 30 }), job('b', 'queued'), job('c', 'queued')], now);
		expect(p.etaSeconds).toBeCloseTo(30 + 2 * 40);
		expect(p.basis).toBe('early');
		expect(p.fraction).toBeCloseTo(0.25 / 3);
		expect(progressLine(p, (s) => `${s}s`)).toBe('Song 1 of 3 · about 110s left (a first estimate, from the song now running)');
	});

	it('costs waiting songs by the average of the finished ones (failed and cancelled songs do not count)', () => {
		const jobs = [
			job('a', 'done', { elapsedSeconds: 50 }),
			job('bad', 'error', { elapsedSeconds: 0.2, error: 'not audio' }),
			job('b', 'done', { elapsedSeconds: 70 }),
			job('x', 'cancelled'),
			job('c', 'separating', { startedAt: now - 5000, progress: 0.5, etaSeconds: 12 }),
			job('d', 'queued'),
			job('e', 'queued')
		];
		const p = batchProgress(jobs, now);
		expect(p).toMatchObject({ total: 6, settled: 3, current: 4, basis: 'measured' });
		expect(p.etaSeconds).toBeCloseTo(12 + 2 * 60);
		expect(p.fraction).toBeCloseTo(3.5 / 6);
	});

	it('while a song is still being read, its time left is the average less what it has run', () => {
		const p = batchProgress([job('a', 'done', { elapsedSeconds: 60 }), job('b', 'decoding', { startedAt: now - 15_000 }), job('c', 'queued')], now);
		expect(p.etaSeconds).toBeCloseTo(45 + 60);
		// and the last song alone: its own estimate
		expect(batchProgress([job('a', 'done', { elapsedSeconds: 60 }), job('b', 'separating', { startedAt: now, etaSeconds: 7, progress: 0.9 })], now).etaSeconds).toBe(7);
	});

	it('a finished batch is complete with nothing left', () => {
		const p = batchProgress([job('a', 'done', { elapsedSeconds: 3 }), job('b', 'error', { error: 'x' }), job('c', 'cancelled')], now);
		expect(p).toMatchObject({ total: 2, settled: 2, fraction: 1, etaSeconds: 0, current: null });
		expect(progressLine(p, String)).toBe('2 of 2 songs finished');
	});
});

describe('the summary', () => {
	it('lists what succeeded, what failed with its reason, and what was cancelled', () => {
		const s = batchSummary([
			job('one', 'done'),
			job('notes', 'error', { error: 'This file is not audio that can be read.' }),
			job('two', 'done', { error: 'This result could not be saved to your library (full).' }),
			job('three', 'cancelled')
		]);
		expect(s).toEqual({
			succeeded: ['one.wav', 'two.wav'],
			failed: [{ fileName: 'notes.wav', reason: 'This file is not audio that can be read.' }],
			cancelled: ['three.wav'],
			unsaved: ['two.wav'],
			complete: true
		});
		expect(summaryHeadline(s)).toBe('2 of 4 songs separated, 1 failed, 1 cancelled');
		expect(summaryHeadline(batchSummary([job('a', 'done')]))).toBe('1 of 1 song separated');
	});

	it('is not complete while a song waits or runs', () => {
		expect(batchSummary([job('a', 'done'), job('b', 'queued')]).complete).toBe(false);
		expect(batchSummary([job('a', 'saving')]).complete).toBe(false);
	});
});

describe('the queue runs a batch in the order the user leaves it', () => {
	const RATE = 8000;
	const file = (name: string) => new File([new Uint8Array(4)], name);
	const result = (): SeparationResult => ({ sampleRate: RATE, stems: [{ name: 'a', channels: [new Float32Array(8)] }], notes: [] }) as unknown as SeparationResult;

	function harness() {
		const order: string[] = [];
		const gates = new Map<string, () => void>();
		const queue: JobQueue = new JobQueue({
			decode: async (f) => {
				if (f.name.endsWith('.txt')) throw new AudioFormatError('This file is not audio that can be read.');
				return { sampleRate: RATE, channels: [new Float32Array(RATE)] };
			},
			separate: (id) => {
				order.push(queue.jobs.find((j) => j.id === id)!.fileName);
				return new Promise((resolve) => gates.set(id, () => resolve(result())));
			},
			cancel: async () => undefined
		});
		const finish = async (name: string) => {
			await vi.waitFor(() => expect(gates.has(queue.jobs.find((j) => j.fileName === name)!.id)).toBe(true));
			gates.get(queue.jobs.find((j) => j.fileName === name)!.id)!();
		};
		return { queue, order, finish };
	}

	it('moved and cancelled songs: runs the new order, skips the cancelled, summarises the batch', async () => {
		const { queue, order, finish } = harness();
		queue.add([file('a.wav'), file('notes.txt'), file('b.wav'), file('c.wav')], ['Skipped 1 file that is not audio: cover.jpg.']);
		await vi.waitFor(() => expect(queue.jobs[0].status).toBe('separating'));
		const [, notes, b, c] = queue.jobs;
		queue.move(b.id, -1); // b before notes.txt
		queue.cancel(c.id);
		expect(queue.jobs.map((j) => j.fileName)).toEqual(['a.wav', 'b.wav', 'notes.txt', 'c.wav']);
		expect(queue.batch.map((j) => j.status)).toEqual(['separating', 'queued', 'queued', 'cancelled']);
		expect(queue.batchNotes).toEqual(['Skipped 1 file that is not audio: cover.jpg.']);
		await finish('a.wav');
		await finish('b.wav');
		await vi.waitFor(() => expect(queue.busy).toBe(false));
		expect(order).toEqual(['a.wav', 'b.wav']);
		expect(queue.jobs.find((j) => j.id === notes.id)?.status).toBe('error');
		const s = batchSummary(queue.batch);
		expect(s.succeeded).toEqual(['a.wav', 'b.wav']);
		expect(s.failed).toEqual([{ fileName: 'notes.txt', reason: expect.stringContaining('not audio') }]);
		expect(s.cancelled).toEqual(['c.wav']);
		expect(queue.jobs.every((j) => j.status !== 'done' || (j.elapsedSeconds !== null && j.startedAt !== null))).toBe(true);
	});

	it('songs added while the batch runs join it; songs added to an idle queue start a new one', async () => {
		const { queue, finish } = harness();
		queue.add([file('a.wav')]);
		await vi.waitFor(() => expect(queue.jobs[0].status).toBe('separating'));
		queue.add([file('b.wav')]);
		expect(queue.batch.map((j) => j.fileName)).toEqual(['a.wav', 'b.wav']);
		await finish('a.wav');
		await finish('b.wav');
		await vi.waitFor(() => expect(queue.busy).toBe(false));
		queue.add([file('c.wav')], ['a note']);
		expect(queue.batch.map((j) => j.fileName)).toEqual(['c.wav']);
		expect(queue.batchNotes).toEqual(['a note']);
		queue.remove(queue.batch[0].id);
		expect(queue.batch).toEqual([]);
	});

	it('"cancel the rest" cancels every waiting song and none that runs', async () => {
		const { queue, finish } = harness();
		queue.add([file('a.wav'), file('b.wav'), file('c.wav')]);
		await vi.waitFor(() => expect(queue.jobs[0].status).toBe('separating'));
		queue.cancelQueued();
		expect(queue.jobs.map((j) => j.status)).toEqual(['separating', 'cancelled', 'cancelled']);
		queue.move(queue.jobs[2].id, -1); // a cancelled song does not move
		expect(queue.jobs.map((j) => j.fileName)).toEqual(['a.wav', 'b.wav', 'c.wav']);
		await finish('a.wav');
		await vi.waitFor(() => expect(queue.busy).toBe(false));
		expect(summaryHeadline(batchSummary(queue.batch))).toBe('1 of 3 songs separated, 2 cancelled');
	});

	it('a song cancelled while it runs ends cancelled, not failed', async () => {
		const queue = new JobQueue({
			decode: async () => ({ sampleRate: RATE, channels: [new Float32Array(8)] }),
			separate: async () => {
				throw new CancelledError();
			},
			cancel: async () => undefined
		});
		queue.add([file('a.wav')]);
		await vi.waitFor(() => expect(queue.jobs[0].status).toBe('cancelled'));
	});
});

describe('songs from a folder', () => {
	const f = (name: string): FsNode => ({ kind: 'file', name, file: async () => new File([name], name) });
	const dir = (name: string, children: FsNode[]): FsNode => ({ kind: 'directory', name, children: async () => children });

	it('recognises audio by extension', () => {
		expect(['a.WAV', 'b.flac', 'c.mp3', 'd.m4a', 'e.opus', 'f.aiff'].every(isAudioName)).toBe(true);
		expect(['cover.jpg', 'notes.txt', 'README', '.hidden.wav', 'wav'].some(isAudioName)).toBe(false);
	});

	it('takes the audio files of a folder tree in album order and notes the rest', async () => {
		const album = dir('Album', [f('10 - Ten.flac'), f('cover.jpg'), f('2 - Two.mp3'), dir('Bonus', [f('1 - Demo.wav'), f('lyrics.txt')]), f('1 - One.wav')]);
		const { files, notes } = await collectFromNodes([album, f('single.ogg')]);
		expect(files.map((x) => x.name)).toEqual(['1 - One.wav', '2 - Two.mp3', '10 - Ten.flac', '1 - Demo.wav', 'single.ogg']);
		expect(notes).toEqual(['Skipped 2 files that are not audio: Album/cover.jpg, Album/Bonus/lyrics.txt.']);
		expect(comparePaths('A/2.wav', 'A/10.wav')).toBeLessThan(0);
		expect(comparePaths('A/B/1.wav', 'A/z.wav')).toBeGreaterThan(0); // a folder's own files first
	});

	it('stops at the depth, file and entry limits, and says so', async () => {
		let deep: FsNode = f('deep.wav');
		for (let i = 5; i >= 1; i--) deep = dir(`level${i}`, [deep]);
		const deepResult = await collectFromNodes([deep], { maxDepth: 3, maxFiles: 10, maxEntries: 100 });
		expect(deepResult.files).toEqual([]);
		expect(deepResult.notes).toEqual(['1 folder more than 3 levels down was not opened.']);

		const many = dir('many', Array.from({ length: 30 }, (_, i) => f(`${i + 1}.wav`)));
		const capped = await collectFromNodes([many], { maxDepth: 3, maxFiles: 10, maxEntries: 1000 });
		expect(capped.files.map((x) => x.name)).toEqual(['1.wav', '2.wav', '3.wav', '4.wav', '5.wav', '6.wav', '7.wav', '8.wav', '9.wav', '10.wav']);
		expect(capped.notes).toEqual(['Took the first 10 of 30 songs; drop the rest in another batch.']);

		const visited = await collectFromNodes([many], { maxDepth: 3, maxFiles: 100, maxEntries: 5 });
		expect(visited.files).toHaveLength(4); // the folder itself and four files
		expect(visited.notes[0]).toMatch(/^Stopped looking after 5 files and folders/);
	});

	it('a folder that cannot be read is noted, the rest still comes', async () => {
		const broken: FsNode = {
			kind: 'directory',
			name: 'locked',
			children: async () => {
				throw new Error('permission denied');
			}
		};
		const { files, notes } = await collectFromNodes([broken, f('ok.wav')]);
		expect(files.map((x) => x.name)).toEqual(['ok.wav']);
		expect(notes).toEqual(['The folder “locked” could not be read (permission denied).']);
	});

	it('reads webkitGetAsEntry folders through every readEntries batch', async () => {
		const fileEntry = (name: string) => ({ isFile: true, isDirectory: false, name, file: (ok: (f: File) => void) => ok(new File([name], name)) });
		const batches = [[fileEntry('b.wav'), fileEntry('a.wav')], [fileEntry('c.txt')], []];
		const dirEntry = {
			isFile: false,
			isDirectory: true,
			name: 'CD',
			createReader: () => ({ readEntries: (ok: (e: unknown[]) => void) => ok(batches.shift() ?? []) })
		};
		const { files, notes } = await collectFromNodes([entryNode(dirEntry)]);
		expect(files.map((x) => x.name)).toEqual(['a.wav', 'b.wav']);
		expect(notes).toEqual(['Skipped 1 file that is not audio: CD/c.txt.']);
	});

	it('reads File System Access handles (getAsFileSystemHandle) through their async listing', async () => {
		const fileHandle = (name: string) => ({ kind: 'file' as const, name, getFile: async () => new File([name], name) });
		const dirHandle = (name: string, children: object[]) => ({
			kind: 'directory' as const,
			name,
			async *values() {
				yield* children;
			}
		});
		const tree = dirHandle('EP', [fileHandle('2.mp3'), dirHandle('art', [fileHandle('front.png')]), fileHandle('1.mp3')]);
		const { files, notes } = await collectFromNodes([handleNode(tree)]);
		expect(files.map((x) => x.name)).toEqual(['1.mp3', '2.mp3']);
		expect(notes).toEqual(['Skipped 1 file that is not audio: EP/art/front.png.']);
	});

	it('a drop without folders keeps the plain files; with one, prefers handles and falls back to entries', async () => {
		const fileItem = { kind: 'file', webkitGetAsEntry: () => ({ isFile: true, isDirectory: false, name: 'a.wav' }) };
		expect(droppedNodes([fileItem, { kind: 'string' }])).toBeNull();
		expect(droppedNodes(null)).toBeNull();
		const dirEntry = { isFile: false, isDirectory: true, name: 'Album', createReader: () => ({ readEntries: (ok: (e: unknown[]) => void) => ok([]) }) };
		let asked = 0;
		const dirItem = {
			kind: 'file',
			webkitGetAsEntry: () => dirEntry,
			getAsFileSystemHandle: () => (asked++, Promise.resolve({ kind: 'directory' as const, name: 'Album (handle)', values: async function* () {} }))
		};
		const nodes = await droppedNodes([dirItem, fileItem])!;
		expect(asked).toBe(1);
		expect(nodes.map((n) => [n.kind, n.name])).toEqual([
			['directory', 'Album (handle)'],
			['file', 'a.wav']
		]);
	});

	it('a folder chosen with the picker: by relative path, with the same limits', () => {
		const picked = (path: string) => Object.assign(new File([path], path.split('/').pop()!), { webkitRelativePath: path });
		const { files, notes } = fromRelativePaths([picked('Live/3.wav'), picked('Live/1.flac'), picked('Live/set.pdf'), picked('Live/a/b/c/d.wav')], { maxDepth: 2, maxFiles: 10, maxEntries: 100 });
		expect(files.map((x) => x.name)).toEqual(['1.flac', '3.wav']);
		expect(notes).toEqual(['Skipped 1 file that is not audio: Live/set.pdf.', '1 file more than 2 folders down was left out.']);
	});
});
