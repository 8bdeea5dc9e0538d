/**
 * A batch of songs in the queue (jobs.svelte.ts): the order of the songs still waiting, one
 * progress line for the whole batch with the time left, and what came of each song at the end.
 * Pure functions over the jobs' plain fields, so the queue and the page share them and the
 * tests run them in Node.
 */

export type BatchStatus = 'queued' | 'decoding' | 'separating' | 'saving' | 'done' | 'error' | 'cancelled';

/** What these functions read of a job (jobs.svelte.ts's Job has all of it). */
export interface BatchJob {
	id: string;
	fileName: string;
	status: BatchStatus;
	/** 0..1 of the running separation. */
	progress: number;
	/** The running separation's own estimate (from its chunks' speed), or null before it has one. */
	etaSeconds: number | null;
	error: string | null;
	/** The song's length in seconds, once decoded. */
	seconds: number | null;
	/** How long the song took, from reading the file to its stems (set when done). */
	elapsedSeconds: number | null;
	/** performance.now() when the song started, while it runs. */
	startedAt?: number | null;
}

const RUNNING: readonly BatchStatus[] = ['decoding', 'separating', 'saving'];

export function isRunning(status: BatchStatus): boolean {
	return RUNNING.includes(status);
}

/**
 * The job that a queued `id` trades places with when moved up (-1) or down (+1): the nearest
 * queued job that way (running and finished songs keep their places), or -1 when there is none.
 */
function swapPartner(jobs: readonly BatchJob[], from: number, direction: -1 | 1): number {
	for (let i = from + direction; i >= 0 && i < jobs.length; i += direction) if (jobs[i].status === 'queued') return i;
	return -1;
}

/** Whether the queued song `id` can move up (-1) or down (+1) in the queue. */
export function canMove(jobs: readonly BatchJob[], id: string, direction: -1 | 1): boolean {
	const from = jobs.findIndex((j) => j.id === id);
	return from >= 0 && jobs[from].status === 'queued' && swapPartner(jobs, from, direction) >= 0;
}

/**
 * The list with the queued song `id` moved one place up (-1) or down (+1) among the queued songs
 * (the next song to run is the first queued one). Anything else returns the same list.
 */
export function moveQueued<T extends BatchJob>(jobs: readonly T[], id: string, direction: -1 | 1): readonly T[] {
	const from = jobs.findIndex((j) => j.id === id);
	if (from < 0 || jobs[from].status !== 'queued') return jobs;
	const to = swapPartner(jobs, from, direction);
	if (to < 0) return jobs;
	const out = jobs.slice();
	[out[from], out[to]] = [out[to], out[from]];
	return out;
}

/** The song the queue runs next: the first queued one in the list's order. */
export function nextQueued<T extends BatchJob>(jobs: readonly T[]): T | undefined {
	return jobs.find((j) => j.status === 'queued');
}

export interface BatchProgress {
	/** Songs in the batch that are still to run or have run (cancelled ones left out). */
	total: number;
	/** Songs finished, successfully or not. */
	settled: number;
	/** 0..1: settled songs plus the running song's share. */
	fraction: number;
	/** Seconds left for the whole batch, or null while there is nothing to measure it by. */
	etaSeconds: number | null;
	/**
	 * How the time left is known: 'measured' when every song still to come is costed from songs
	 * that finished in this batch (and the running one from its own speed), 'early' when it rests
	 * on the running song alone, null when there is no estimate yet.
	 */
	basis: 'measured' | 'early' | null;
	/** 1-based number of the song running now, or null. */
	current: number | null;
}

/**
 * One progress line for a batch. The time left is the running song's own estimate plus, for each
 * song still waiting, the average time the batch's finished songs took (failed songs take
 * seconds, so only successful ones count). A waiting song's length is unknown until it is read,
 * so before any song has finished the running song's expected total stands in for each waiting
 * one ('early'), and before the running song has measured its speed there is no estimate (null).
 */
export function batchProgress(jobs: readonly BatchJob[], now: number): BatchProgress {
	const counted = jobs.filter((j) => j.status !== 'cancelled');
	const settled = counted.filter((j) => j.status === 'done' || j.status === 'error').length;
	const running = counted.find((j) => isRunning(j.status)) ?? null;
	const waiting = counted.filter((j) => j.status === 'queued').length;
	const timed = counted.filter((j) => j.status === 'done' && j.elapsedSeconds !== null && j.elapsedSeconds > 0);
	const perSong = timed.length ? timed.reduce((s, j) => s + (j.elapsedSeconds as number), 0) / timed.length : null;

	const share = running ? (running.status === 'saving' ? 1 : running.status === 'separating' ? clamp01(running.progress) : 0) : 0;
	const fraction = counted.length ? (settled + share) / counted.length : 1;

	// the running song: its own estimate; saving takes a moment; still reading: as long as an average song
	let runningLeft: number | null = 0;
	let runningTotal: number | null = null;
	if (running) {
		const elapsed = running.startedAt != null ? Math.max(0, (now - running.startedAt) / 1000) : null;
		if (running.status === 'saving') runningLeft = 0;
		else if (running.status === 'separating' && running.etaSeconds !== null) runningLeft = running.etaSeconds;
		else runningLeft = perSong === null ? null : Math.max(0, perSong - (elapsed ?? 0));
		if (runningLeft !== null && elapsed !== null) runningTotal = elapsed + runningLeft;
	}

	let etaSeconds: number | null;
	let basis: BatchProgress['basis'];
	if (!running && !waiting) {
		etaSeconds = 0;
		basis = 'measured';
	} else if (runningLeft === null) {
		etaSeconds = null;
		basis = null;
	} else if (waiting === 0) {
		etaSeconds = runningLeft;
		basis = 'measured';
	} else if (perSong !== null) {
		etaSeconds = runningLeft + waiting * perSong;
		basis = 'measured';
	} else if (runningTotal !== null && runningTotal > 0) {
		etaSeconds = runningLeft + waiting * runningTotal;
		basis = 'early';
	} else {
		etaSeconds = null;
		basis = null;
	}
	const current = running ? settled + 1 : null;
	return { total: counted.length, settled, fraction, etaSeconds, basis, current };
}

function clamp01(x: number): number {
	return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

export interface BatchSummary {
	/** Songs with stems, in the batch's order. */
	succeeded: string[];
	/** Songs that failed, each with the reason the user was given. */
	failed: { fileName: string; reason: string }[];
	cancelled: string[];
	/** Songs whose stems are here but could not be saved to the library (their card says why). */
	unsaved: string[];
	/** Whether every song of the batch has settled. */
	complete: boolean;
}

/** What came of each song in a batch. */
export function batchSummary(jobs: readonly BatchJob[]): BatchSummary {
	const summary: BatchSummary = { succeeded: [], failed: [], cancelled: [], unsaved: [], complete: true };
	for (const job of jobs) {
		if (job.status === 'done') {
			summary.succeeded.push(job.fileName);
			if (job.error) summary.unsaved.push(job.fileName);
		} else if (job.status === 'error') summary.failed.push({ fileName: job.fileName, reason: job.error ?? 'It could not be separated.' });
		else if (job.status === 'cancelled') summary.cancelled.push(job.fileName);
		else summary.complete = false;
	}
	return summary;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "3 of 4 songs separated, 1 failed" (and cancelled ones), for the summary's heading. */
export function summaryHeadline(s: BatchSummary): string {
	const total = s.succeeded.length + s.failed.length + s.cancelled.length;
	const parts = [`${s.succeeded.length} of ${plural(total, 'song')} separated`];
	if (s.failed.length) parts.push(`${s.failed.length} failed`);
	if (s.cancelled.length) parts.push(`${s.cancelled.length} cancelled`);
	return parts.join(', ');
}

/** "Song 2 of 5 · about 3:10 left" — the batch's progress line in words. */
export function progressLine(p: BatchProgress, formatSeconds: (s: number) => string): string {
	const where = p.current !== null ? `Song ${p.current} of ${p.total}` : `${p.settled} of ${p.total} songs finished`;
	if (p.etaSeconds === null) return `${where} · time left: measuring speed on the first song`;
	if (p.current === null) return where;
	return `${where} · about ${formatSeconds(p.etaSeconds)} left${p.basis === 'early' ? ' (a first estimate, from the song now running)' : ''}`;
}
