/**
 * The processing queue: files are decoded (the page decodes them in a worker of their own,
 * input/decode-client.ts) and separated one at a time in the worker. A failing file only
 * marks its own job; finished results stay where they are.
 */
import type { AudioData } from '../dsp/audio';
import { AudioFormatError } from '../dsp/audio';
import type { SeparationResult } from './pipeline';
import { explainError } from '../runtime/errors';
import { CancelledError, progressText, type Progress } from './progress';

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
	private running = false;
	private readonly files = new Map<string, File>();

	constructor(private readonly deps: QueueDeps) {}

	/** Queues the files; returns their jobs (in order). */
	add(files: Iterable<File>): Job[] {
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
				elapsedSeconds: null
			};
			this.files.set(job.id, file);
			return job;
		});
		this.jobs = [...this.jobs, ...added];
		void this.pump();
		return added;
	}

	cancel(id: string): void {
		const job = this.jobs.find((j) => j.id === id);
		if (!job) return;
		if (job.status === 'queued') this.update(id, { status: 'cancelled' });
		else if (job.status === 'decoding' || job.status === 'separating') void this.deps.cancel(id);
	}

	/** Whether a job is waiting, running or saving: closing or reloading the page now would lose it. */
	get busy(): boolean {
		return this.jobs.some((j) => UNFINISHED.includes(j.status));
	}

	remove(id: string): void {
		this.cancel(id);
		this.files.delete(id);
		this.jobs = this.jobs.filter((j) => j.id !== id);
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
		return this.jobs.find((j) => j.status === 'queued');
	}

	private async process(job: Job): Promise<void> {
		const file = this.files.get(job.id);
		if (!file) return;
		const started = performance.now();
		try {
			this.update(job.id, { status: 'decoding' });
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
