/**
 * The page's side of the export worker (workers/export.worker.ts): one worker, started on the
 * first export. Arguments must be plain data (take Svelte state through $state.snapshot). A worker
 * that dies fails the export in flight (WorkerCrashedError) and the next export starts a new one.
 */
import * as Comlink from 'comlink';
import type { AudioData } from '../dsp/audio';
import type { AudioFileFormat } from './files';
import type { AudioTags } from '../encode/tags';
import type { SeparationResult, StoredStems } from '../separation/pipeline';
import { midiFileName, midiPart, midiTempo } from '../transcription/stem-midi';
import type { RenderedMix, renderMix } from '../mixdown/render';
import type { ExportApi } from '../workers/export.worker';
import type { PracticeSettings } from '../stretch/settings';
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
export function renderMixInWorker(...[mix, format, target, onPass, ...rest]: Parameters<typeof renderMix>): Promise<RenderedMix> {
	const buffers = [...new Set(mix.channels.map((c) => c.buffer))];
	return exportWorker().render(Comlink.transfer(mix, buffers), format, target, onPass ? Comlink.proxy(onPass) : undefined, ...rest);
}

/** A stem in memory encoded in the worker (MP3 and Opus are encoded there, never on the page), at the practice settings if given; the samples are copied. */
export function encodeInWorker(audio: AudioData, format: AudioFileFormat, tags?: AudioTags, practice?: PracticeSettings): Promise<Uint8Array> {
	return exportWorker().encodeFile(audio, format, tags, practice);
}

/** What the page hands the worker to transcribe a stem: its file on disk, or its samples (copied). */
export type MidiSource = { stored: StoredStems; stem: number } | { channels: Float32Array[] };

/**
 * The MIDI files of a result's bass and vocal stems (transcribed in the worker, one after the
 * other), named for the song, stem and model, for a zip or a download.
 */
export async function stemMidiFiles(
	songName: string,
	result: Pick<SeparationResult, 'stems' | 'sampleRate' | 'analysis'>,
	source: (stem: number) => MidiSource,
	model?: string
): Promise<{ name: string; bytes: Uint8Array; notes: number }[]> {
	const out: { name: string; bytes: Uint8Array; notes: number }[] = [];
	for (const [i, stem] of result.stems.entries()) {
		const kind = midiPart(stem.name);
		if (!kind) continue;
		const made = await exportWorker().midiFile(source(i), result.sampleRate, kind, midiTempo(result), `${songName} - ${stem.name}`);
		out.push({ name: midiFileName(songName, stem.name, model), ...made });
	}
	return out;
}
