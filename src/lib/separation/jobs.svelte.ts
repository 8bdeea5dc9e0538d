/**
 * The processing queue: files are decoded (the page decodes them in a worker of their own,
 * input/decode-client.ts) and separated one at a time in the worker. A failing file only
 * marks its own job; finished results stay where they are. Songs added while others are still
 * waiting or running join their batch (batch.ts: order, progress, summary); songs added to an idle
 * queue start a new one. Queued songs can be moved and cancelled until they start.
 */
import type { AudioData } from '../dsp/audio';
import { AudioFormatError } from '../dsp/audio';
import type { SeparationResult } from './pipeline';
import { explainError } from '../runtime/errors';
import { CancelledError, progressText, type Progress } from './progress';
import { moveQueued, nextQueued } from './batch';

/**
 * queued → decoding → separating → saving → done, or error / cancelled. 'saving' lasts until the
 * result is in the on-device library (onFinished has settled): 'done' means saved, or that saving
 * failed and `error` says so (the result stays on the page either way).
 */
export type JobStatus = 'queued' | 'decoding' | 'separating' | 'saving' | 'done' | 'error' | 'cancelled';

/** The states in which leaving the page would lose the job (or what it is writing). */
const UNFINISHED: readonly JobStatus[] = ['queued', 'decoding', 'separating', 'saving'];

export interface Job {
	id: string;
	fileName: string;
	status: JobStatus;
	progress: number;
	etaSeconds: number | null;
	error: string | null;
	/** The engine's own words behind `error`, shown on request. */
	errorDetails: string | null;
	/** What the progress bar is doing, e.g. measuring speed on the first chunk. */
	progressNote: string;
	notes: string[];
	result: SeparationResult | null;
	seconds: number | null;
	elapsedSeconds: number | null;
	/** performance.now() when the song started (reading its file), null until then. */
	startedAt: number | null;
}

export interface QueueDeps {
	decode: (file: File) => Promise<AudioData>;
	separate: (jobId: string, audio: AudioData, onProgress: (p: Progress) => void) => Promise<SeparationResult>;
	cancel: (jobId: string) => Promise<void>;
	/**
	 * Called once a job's result is ready, with the file it came from, to save it to the
	 * on-device library: the job is 'saving' until the promise it returns settles.
	 */
	onFinished?: (job: Job, result: SeparationResult, file: File) => void | Promise<unknown>;
}

let counter = 0;

export class JobQueue {
	jobs = $state.raw<Job[]>([]);
	/** The current batch's jobs (ids): those added since the queue was last idle. */
	batchIds = $state.raw<string[]>([]);
	/** Lines about the batch's input, e.g. files a dropped folder held that are not audio. */
	batchNotes = $state.raw<string[]>([]);
	private running = false;
	private readonly files = new Map<string, File>();

	constructor(private readonly deps: QueueDeps) {}

	/** Queues the files (with notes on what their folder held besides); returns their jobs (in order). */
	add(files: Iterable<File>, notes: readonly string[] = []): Job[] {
		const added = Array.from(files, (file) => {
			const job: Job = {
				id: `job-${Date.now().toString(36)}-${++counter}`,
				fileName: file.name,
				status: 'queued',
				progress: 0,
				etaSeconds: null,
				error: null,
				errorDetails: null,
				progressNote: '',
				notes: [],
				result: null,
				seconds: null,
				elapsedSeconds: null,
				startedAt: null
			};
			this.files.set(job.id, file);
			return job;
		});
		const fresh = !this.busy;
		this.batchIds = [...(fresh ? [] : this.batchIds), ...added.map((j) => j.id)];
		this.batchNotes = [...(fresh ? [] : this.batchNotes), ...notes];
		this.jobs = [...this.jobs, ...added];
		void this.pump();
		return added;
	}

	cancel(id: string): void {
		const job = this.jobs.find((j) => j.id === id);
		if (!job) return;
		if (job.status === 'queued') {
			this.update(id, { status: 'cancelled' });
			this.files.delete(id);
		} else if (job.status === 'decoding' || job.status === 'separating') void this.deps.cancel(id);
	}

	/** Cancels every song of the queue that has not started yet. */
	cancelQueued(): void {
		for (const j of this.jobs) if (j.status === 'queued') this.files.delete(j.id);
		this.jobs = this.jobs.map((j) => (j.status === 'queued' ? { ...j, status: 'cancelled' as const } : j));
	}

	/** Moves a queued song one place earlier (-1) or later (+1) among the queued songs. */
	move(id: string, direction: -1 | 1): void {
		const moved = moveQueued(this.jobs, id, direction);
		if (moved !== this.jobs) this.jobs = [...moved];
	}

	/** The current batch's jobs, in the list's order. */
	get batch(): Job[] {
		const ids = new Set(this.batchIds);
		return this.jobs.filter((j) => ids.has(j.id));
	}

	/** Whether a job is waiting, running or saving: closing or reloading the page now would lose it. */
	get busy(): boolean {
		return this.jobs.some((j) => UNFINISHED.includes(j.status));
	}

	remove(id: string): void {
		this.cancel(id);
		this.files.delete(id);
		this.jobs = this.jobs.filter((j) => j.id !== id);
		this.batchIds = this.batchIds.filter((b) => b !== id);
	}

	private update(id: string, patch: Partial<Job>): void {
		this.jobs = this.jobs.map((j) => (j.id === id ? { ...j, ...patch } : j));
	}

	private async pump(): Promise<void> {
		if (this.running) return;
		this.running = true;
		try {
			for (let job = this.nextQueued(); job; job = this.nextQueued()) await this.process(job);
		} finally {
			this.running = false;
		}
	}

	private nextQueued(): Job | undefined {
		return nextQueued(this.jobs);
	}

	private async process(job: Job): Promise<void> {
		const file = this.files.get(job.id);
		if (!file) return;
		const started = performance.now();
		try {
			this.update(job.id, { status: 'decoding', startedAt: started });
			const audio = await this.deps.decode(file);
			const seconds = audio.channels[0].length / audio.sampleRate;
			this.update(job.id, { status: 'separating', seconds, notes: audio.notes ?? [] });
			const result = await this.deps.separate(job.id, audio, (p) =>
				this.update(job.id, { progress: p.fraction, etaSeconds: p.etaSeconds, progressNote: progressText(p) })
			);
			this.update(job.id, {
				status: this.deps.onFinished ? 'saving' : 'done',
				progress: 1,
				etaSeconds: 0,
				result,
				notes: [...(audio.notes ?? []), ...result.notes],
				elapsedSeconds: (performance.now() - started) / 1000
			});
			if (this.deps.onFinished) {
				try {
					await this.deps.onFinished(job, result, file);
				} catch (e) {
					this.update(job.id, {
						error: `This result could not be saved to your library (${e instanceof Error ? e.message : String(e)}). Its stems stay here until you close the tab.`
					});
				}
				this.update(job.id, { status: 'done' });
			}
		} catch (e) {
			if (e instanceof CancelledError || (e instanceof Error && e.name === 'CancelledError')) {
				this.update(job.id, { status: 'cancelled' });
			} else {
				const known = e instanceof AudioFormatError || (e instanceof Error && e.name === 'AudioFormatError');
				const { message, details } = explainError(e, known);
				this.update(job.id, { status: 'error', error: message, errorDetails: details });
			}
		} finally {
			this.files.delete(job.id);
		}
	}
}
