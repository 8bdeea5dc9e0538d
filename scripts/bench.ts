/**
 * Speed benchmarks, reported as ratios (audio seconds processed per wall-clock second, so
 * "12.0x" means twelve times faster than real time) on this machine, in Node with the
 * same TypeScript DSP and onnxruntime-web WASM build the browser uses.
 * usage: npm run bench [-- seconds [model-id]]  (BENCH_SKIP_IMPORT=1: without the viperx import part)
 */
import * as ort from 'onnxruntime-web';
import { decodeFlac } from '../src/lib/dsp/flac/decode';
import { encodeFlac } from '../src/lib/dsp/flac/encode';
import { resample } from '../src/lib/dsp/resample';
import { istft, stft } from '../src/lib/dsp/stft';
import { ortSessionFactory } from '../src/lib/separation/ort-session';
import { separateAudio } from '../src/lib/separation/pipeline';
import { benchViperx } from './lib/bench-roformer';
import { loadManifest, modelBytes } from './lib/model-files';

const seconds = Number(process.argv[2] ?? 20);
const rate = 44100;
const n = seconds * rate;
const signal = new Float32Array(n);
for (let i = 0; i < n; i++) signal[i] = Math.sin(i * 0.05) * 0.3 + Math.sin(i * 0.0031) * 0.2;

async function time<T>(fn: () => T | Promise<T>): Promise<number> {
	const t = performance.now();
	await fn();
	return (performance.now() - t) / 1000;
}

function report(name: string, audioSeconds: number, wall: number) {
	console.log(`${name.padEnd(44)} ${(audioSeconds / wall).toFixed(1).padStart(8)}x realtime  (${wall.toFixed(2)} s for ${audioSeconds} s)`);
}

const manifest = loadManifest(process.argv[3]);
const params = manifest.stft;

console.log(`Stemsafe benchmarks: ${seconds} s of stereo audio, Node ${process.version}, model ${manifest.id}`);
const spec = stft(signal, params);
report('STFT (n_fft 2048, hop 441), one channel', seconds, await time(() => stft(signal, params)));
const frames = spec.length / ((params.nFft / 2 + 1) * 2);
report('iSTFT, one channel', seconds, await time(() => istft(spec, frames, n, params)));
report('resample 48 kHz -> 44.1 kHz, one channel', seconds, await time(() => resample(signal, 48000, 44100)));
const stereo = { sampleRate: rate, channels: [signal, signal.map((x, i) => 0.7 * x + 0.1 * Math.sin(i * 0.013))] };
let flac = new Uint8Array(0);
report('FLAC encode, 16-bit stereo', seconds, await time(() => (flac = encodeFlac(stereo, { bitDepth: 16 }))));
report('FLAC decode, 16-bit stereo', seconds, await time(() => decodeFlac(flac)));

ort.env.wasm.numThreads = 1;
const session = await ortSessionFactory(ort, modelBytes(manifest))('wasm');
const run = (input: Float32Array, dims: number[]) => session.run(input, dims);
const audio = { sampleRate: rate, channels: [signal, signal.slice()] };
report('full separation, WASM (1 thread), stereo', seconds, await time(() => separateAudio(audio, manifest, run)));
await session.release();

// Checkpoint import at public-model size: ONNX build time and WASM speed of the viperx 1297 architecture
// (random weights; slow: minutes). BENCH_SKIP_IMPORT=1 skips it.
if (!process.env.BENCH_SKIP_IMPORT) await benchViperx(ort);
