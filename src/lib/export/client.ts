/**
 * The page's side of the export worker (workers/export.worker.ts): one worker, started on the
 * first export. Arguments must be plain data (take Svelte state through $state.snapshot). A worker
 * that dies fails the export in flight (WorkerCrashedError) and the next export starts a new one.
 */
import * as Comlink from 'comlink';
import type { AudioData } from '../dsp/audio';
import type { LoudnessTarget } from '../dsp/loudness/normalize';
import type { AudioFileFormat } from './files';
import type { RenderedMix } from '../mixdown/render';
import type { ExportApi } from '../workers/export.worker';
import { GuardedWorker } from '../runtime/worker-guard';

let guarded: GuardedWorker<ExportApi> | null = null;

export function exportWorker(): Comlink.Remote<ExportApi> {
	guarded ??= new GuardedWorker<ExportApi>(() => new Worker(new URL('../workers/export.worker.ts', import.meta.url), { type: 'module' }), 'the export engine');
	return guarded.api;
}

/**
 * renderMix in the worker. The mix's sample buffers are handed over (transferred), so `mix` must
 * be a fresh one (mixStems makes one) and is unusable afterwards.
 */
export function renderMixInWorker(mix: AudioData, format: AudioFileFormat, target: LoudnessTarget | null, onPass?: (pass: number) => void): Promise<RenderedMix> {
	const buffers = [...new Set(mix.channels.map((c) => c.buffer))];
	return exportWorker().render(Comlink.transfer(mix, buffers), format, target, onPass ? Comlink.proxy(onPass) : undefined);
}
