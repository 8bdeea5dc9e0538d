/**
 * One model-speed measurement in a fresh process (onnxruntime-web fixes its thread count at
 * its first session, so each configuration needs its own process). Separates `seconds` of a
 * stereo test signal with the browser's pipeline and prints one JSON line:
 * { engine, threads, audioSeconds, wallSeconds, modelSeconds, runs, repeats }.
 * modelSeconds: the same number of network runs, timed alone (timing the runs inside the
 * pipeline would count DSP as model: a WASM run holds the calling thread, and the pipeline's
 * STFT/iSTFT run on that thread between and around the runs).
 * The pipeline and the runs alone are timed in turn BENCH_REPEATS times (default 3) and the
 * fastest of each is kept: this machine's speed drifts by several % between runs, as much as
 * the share outside the model being measured.
 * usage: node scripts/run-ts.mjs scripts/bench-model.ts web|node THREADS SECONDS [model-id]
 */
import { checkFinite } from '../src/lib/separation/ort-session';
import { separateAudio } from '../src/lib/separation/pipeline';
import { loadManifest, modelBytes } from './lib/model-files';

const [engine, threadArg, secondsArg, modelId] = process.argv.slice(2);
const threads = Number(threadArg);
const seconds = Number(secondsArg);
const manifest = loadManifest(modelId);
const rate = manifest.sampleRate;
const n = Math.round(seconds * rate);
const left = new Float32Array(n);
const right = new Float32Array(n);
for (let i = 0; i < n; i++) {
	left[i] = Math.sin(i * 0.05) * 0.3 + Math.sin(i * 0.0031) * 0.2;
	right[i] = Math.sin(i * 0.07) * 0.25 + Math.sin(i * 0.0023) * 0.2;
}

const ort = engine === 'node' ? await import('onnxruntime-node') : await import('onnxruntime-web');
if (engine !== 'node') (ort as typeof import('onnxruntime-web')).env.wasm.numThreads = threads;
const session = await ort.InferenceSession.create(modelBytes(manifest), {
	executionProviders: [engine === 'node' ? 'cpu' : 'wasm'],
	graphOptimizationLevel: 'all',
	...(engine === 'node' ? { intraOpNumThreads: threads, interOpNumThreads: 1 } : {})
});
const run = async (input: Float32Array, dims: number[]) =>
	(await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, dims) }))[session.outputNames[0]].data as Float32Array;
const F = manifest.stft.nFft / 2 + 1;
const dims = [1, 2, F, manifest.chunk.frames, 2];
const chunkInput = () => Float32Array.from({ length: 2 * F * manifest.chunk.frames * 2 }, (_, i) => Math.sin(i * 0.001));
await run(chunkInput(), dims); // one warm-up chunk, so session initialisation is not counted

const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
let runs = 0;
let wallSeconds = Infinity;
let modelSeconds = Infinity;
const input = chunkInput();
for (let r = 0; r < repeats; r++) {
	runs = 0;
	const t = performance.now();
	await separateAudio({ sampleRate: rate, channels: [left, right] }, manifest, async (chunk, d) => {
		runs++;
		const out = await run(chunk, d);
		checkFinite(out); // the app checks every output too
		return out;
	});
	wallSeconds = Math.min(wallSeconds, (performance.now() - t) / 1000);
	const m = performance.now();
	for (let i = 0; i < runs; i++) await run(input, dims);
	modelSeconds = Math.min(modelSeconds, (performance.now() - m) / 1000);
	// each pair on stderr (shown by npm run bench): how far this machine drifts between timings
	console.error(`  ${engine} ${threads} thread(s), repeat ${r + 1}/${repeats}: pipeline ${((m - t) / 1000).toFixed(2)} s, runs alone ${((performance.now() - m) / 1000).toFixed(2)} s`);
}
await session.release();
console.log(JSON.stringify({ engine, threads, audioSeconds: seconds, wallSeconds, modelSeconds, runs, repeats }));
process.exit(0);
