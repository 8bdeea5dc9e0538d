/**
 * Speed benchmarks, reported as ratios (audio seconds processed per wall-clock second, so
 * "12.0x" means twelve times faster than real time) on this machine, in Node with the
 * same TypeScript DSP and onnxruntime-web WASM build the browser uses.
 * usage: npm run bench [-- seconds [model-id]]  (BENCH_SKIP_IMPORT=1: without the viperx import part)
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-web';
import { decodeFlac } from '../src/lib/dsp/flac/decode';
import { encodeFlac } from '../src/lib/dsp/flac/encode';
import { resample } from '../src/lib/dsp/resample';
import { istft, stft } from '../src/lib/dsp/stft';
import { analyzeSong } from '../src/lib/analysis/report';
import { loadSimdFft, setSimdFftEnabled, simdFftActive } from '../src/lib/dsp/simd-fft';
import { checkFinite } from '../src/lib/separation/ort-session';
import { separateAudio } from '../src/lib/separation/pipeline';
import type { RunModel } from '../src/lib/separation/separate';
import { normalizedReader, planNormalization, type RegionReader } from '../src/lib/dsp/loudness/normalize';
import { stretchAudio } from '../src/lib/stretch/offline';
import { benchViperx } from './lib/bench-roformer';
import { benchSong } from './lib/bench-song';
import { loadManifest } from './lib/model-files';

interface ModelRun {
	engine: string;
	threads: number;
	audioSeconds: number;
	wallSeconds: number;
	modelSeconds: number;
	runs: number;
	repeats: number;
}

const seconds = Number(process.argv[2] ?? 20);
const rate = 44100;
const n = seconds * rate;
const signal = new Float32Array(n);
for (let i = 0; i < n; i++) signal[i] = Math.sin(i * 0.05) * 0.3 + Math.sin(i * 0.0031) * 0.2;

/** Seconds of the fastest of `runs` calls after a warm-up call (the machine's load varies). */
async function time<T>(fn: () => T | Promise<T>, runs = 5): Promise<number> {
	await fn();
	let best = Infinity;
	for (let r = 0; r < runs; r++) {
		const t = performance.now();
		await fn();
		best = Math.min(best, performance.now() - t);
	}
	return best / 1000;
}

function report(name: string, audioSeconds: number, wall: number) {
	console.log(`${name.padEnd(44)} ${(audioSeconds / wall).toFixed(1).padStart(8)}x realtime  (${wall.toFixed(2)} s for ${audioSeconds} s)`);
}

const manifest = loadManifest(process.argv[3]);
const params = manifest.stft;

console.log(`Stemsafe benchmarks: ${seconds} s of stereo audio, Node ${process.version}, model ${manifest.id}`);
// STFT and iSTFT on the WASM SIMD FFT the app uses, and on the TypeScript FFT it falls back to
const simd = await loadSimdFft();
for (const on of simd ? [true, false] : [false]) {
	setSimdFftEnabled(on);
	const fftName = on ? 'SIMD FFT' : 'TS FFT';
	const spec = stft(signal, params); // each timed call writes into this one (allocation is not the STFT's cost)
	report(`STFT (n_fft ${params.nFft}, hop ${params.hopLength}), one channel, ${fftName}`, seconds, await time(() => stft(signal, params, spec)));
	const frames = spec.length / ((params.nFft / 2 + 1) * 2);
	const out = new Float32Array(n);
	report(`iSTFT, one channel, ${fftName}`, seconds, await time(() => istft(spec, frames, n, params, out)));
}
setSimdFftEnabled(true);
report('resample 48 kHz -> 44.1 kHz, one channel', seconds, await time(() => resample(signal, 48000, 44100)));
const stereo = { sampleRate: rate, channels: [signal, signal.map((x, i) => 0.7 * x + 0.1 * Math.sin(i * 0.013))] };
let flac = new Uint8Array(0);
report('FLAC encode, 16-bit stereo', seconds, await time(() => (flac = encodeFlac(stereo, { bitDepth: 16 }))));
report('FLAC decode, 16-bit stereo', seconds, await time(() => decodeFlac(flac)));

// Model speed: each configuration in its own process (ORT fixes its thread count per process).
const threads = Math.max(2, Math.min(availableParallelism(), 16));
function measure(engine: 'web' | 'node', n: number): ModelRun {
	const out = execFileSync(process.execPath, ['scripts/run-ts.mjs', 'scripts/bench-model.ts', engine, String(n), String(seconds), manifest.id], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit']
	});
	return JSON.parse(out.trim().split('\n').at(-1)!) as ModelRun;
}
const web1 = measure('web', 1);
const webN = measure('web', threads);
const nodeN = measure('node', threads);
report('full separation, WASM 1 thread, stereo', seconds, web1.wallSeconds);
report(`full separation, WASM ${threads} threads, stereo`, seconds, webN.wallSeconds);
report(`full separation, onnxruntime-node ${threads} threads`, seconds, nodeN.wallSeconds);
const ratio = (name: string, value: number, target: string) =>
	console.log(`${name.padEnd(44)} ${value.toFixed(3).padStart(8)}   (target ${target})`);
console.log('\nratios');
ratio(`WASM vs onnxruntime-node, model time, ${threads} threads`, webN.modelSeconds / nodeN.modelSeconds, '<= 1.3x');
ratio(`speed-up from ${threads} WASM threads`, web1.wallSeconds / webN.wallSeconds, '> 1');
ratio('share of time outside the model (WASM)', 1 - webN.modelSeconds / webN.wallSeconds, '< 0.05');
ratio(`realtime factor, default model, ${threads} threads`, seconds / webN.wallSeconds, '>= 3x');
// What the time outside the model is: the pipeline's own work (resampling none here, STFT, iSTFT,
// overlap-add, output checks), measured with an instant model that returns a fixed spectrum.
// A WASM run holds the thread that calls it, so that work adds to the runs rather than overlapping them.
const stems = manifest.stems.length - (manifest.residualStem ? 1 : 0);
const F = params.nFft / 2 + 1;
const fixed = Float32Array.from({ length: stems * 2 * F * manifest.chunk.frames * 2 }, (_, i) => Math.sin(i * 0.001));
const instant: RunModel = async () => {
	checkFinite(fixed);
	return fixed;
};
const pipelineSeconds = await time(() => separateAudio(stereo, manifest, instant), 3);
console.log(`  the pipeline with an instant model: ${pipelineSeconds.toFixed(2)} s for ${seconds} s (${simdFftActive() ? 'WASM SIMD FFT' : 'TypeScript FFT'}), ${webN.runs} runs`);
if (simdFftActive()) {
	setSimdFftEnabled(false);
	const tsSeconds = await time(() => separateAudio(stereo, manifest, instant), 3);
	setSimdFftEnabled(true);
	console.log(`  the same on the TypeScript FFT (the fallback): ${tsSeconds.toFixed(2)} s`);
}
ratio("  pipeline's own work / wall (WASM)", pipelineSeconds / webN.wallSeconds, 'for information');

// Analysis after separation (mix loudness, tempo, key; each stem's loudness and true peak) as a
// share of the separation it follows: on a song-like signal (drums, bass, chords, a lead: the target
// figure), and on steady tones, which defeat the true-peak measurement's skipping (the worst case).
const song = benchSong(seconds);
const songSeconds = await time(() => analyzeSong(song.mix, song.stems), 3);
report('analysis (song-like mix + 4 stems)', seconds, songSeconds);
const stemSignals = [0.5, 0.3, 0.15, 0.05].map((g, k) => ({
	name: `stem${k}`,
	channels: stereo.channels.map((c) => c.map((x, i) => g * x * (1 + 0.2 * Math.sin(i * 0.0001 * (k + 1)))))
}));
const tonesSeconds = await time(() => analyzeSong(stereo, stemSignals), 3);
report('analysis (steady tones: worst case)', seconds, tonesSeconds);
ratio('analysis time / separation time (WASM)', songSeconds / webN.wallSeconds, '< 0.05');
ratio('  the same on steady tones (worst case)', tonesSeconds / webN.wallSeconds, 'for information');

// Loudness-normalised export of a mix kept on disk (−14 LUFS, −1 dBTP), read region by region: a
// measuring pass, one pass per trial gain, and the pass that is written.
const mixFrames = song.mix.channels[0].length;
const mixRead: RegionReader = async (a, b) => song.mix.channels.map((c) => c.subarray(a, b));
let passes = 0;
const normSeconds = await time(async () => {
	passes = 0;
	const plan = await planNormalization(mixRead, mixFrames, song.mix.channels.length, song.mix.sampleRate, { integrated: -14 }, () => passes++);
	const read = normalizedReader(mixRead, mixFrames, song.mix.sampleRate, plan.gainDb, { integrated: -14 });
	for (let s = 0; s < mixFrames; s += 1 << 18) await read(s, Math.min(mixFrames, s + (1 << 18)));
}, 1);
report(`normalised export from regions (${passes} passes + write)`, seconds, normSeconds);

// Practice speed and pitch (Signalsmith Stretch, its WASM build, stretch/offline.ts) on the four stems of
// the song-like signal at 80 % speed and +2 semitones. Realtime factor = seconds of output (what plays:
// the song at 80 % lasts 1.25 times as long) per wall-clock second. Live playback runs one engine with a
// channel per stem channel (8), as the AudioWorklet node does; exports stretch stem by stem (stereo each).
const practice = { speed: 0.8, semitones: 2 };
const played = seconds / practice.speed;
const liveSeconds = await time(() => stretchAudio(song.stems.flatMap((s) => s.channels), rate, practice), 1);
report('practice stretch, 4 stems live (8 channels)', played, liveSeconds);
const exportSeconds = await time(async () => {
	for (const s of song.stems) await stretchAudio(s.channels, rate, practice);
}, 1);
report('practice stretch, 4 stems export (stem by stem)', played, exportSeconds);

// Checkpoint import at public-model size: ONNX build time and WASM speed of the viperx 1297 architecture
// (random weights; slow: minutes; one WASM thread). BENCH_SKIP_IMPORT=1 skips it.
ort.env.wasm.numThreads = 1;
if (!process.env.BENCH_SKIP_IMPORT) await benchViperx(ort);
