/** The page's side of the mix-export worker: one worker, started on the first export. */
import * as Comlink from 'comlink';
import type { AudioData } from '../dsp/audio';
import type { LoudnessTarget } from '../dsp/loudness/normalize';
import type { AudioFileFormat } from '../export';
import type { MixExportApi } from '../workers/mix-export.worker';
import type { RenderedMix } from './render';

let api: Comlink.Remote<MixExportApi> | null = null;

/**
 * renderMix in the worker. The mix's sample buffers are handed over (transferred), so `mix` must
 * be a fresh one (mixStems makes one) and is unusable afterwards; `target` must be plain data.
 */
export function renderMixInWorker(mix: AudioData, format: AudioFileFormat, target: LoudnessTarget | null, onPass?: (pass: number) => void): Promise<RenderedMix> {
	api ??= Comlink.wrap<MixExportApi>(new Worker(new URL('../workers/mix-export.worker.ts', import.meta.url), { type: 'module' }));
	const buffers = [...new Set(mix.channels.map((c) => c.buffer))];
	return api.render(Comlink.transfer(mix, buffers), format, target, onPass ? Comlink.proxy(onPass) : undefined);
}
