/**
 * Separation quality on the held-out songs, through the same TypeScript pipeline the
 * browser runs (src/lib/separation/pipeline.ts + onnxruntime-web WASM), compared with two
 * oracle-free baselines: the mixture itself as every stem's estimate, and the classical
 * separator in src/lib/dsp/classical.ts.
 *
 * Metric: uSDR per stem (src/lib/dsp/sdr.ts), averaged over songs; "mean" is the average
 * over the stems. Make the songs first: /usr/bin/python3 tools/make_testset.py
 *
 * usage: npm run eval -- [--testset .eval/testset] [--model ID] [--songs N] [--write]
 *   --write stores the result as the model manifest's "quality" (static/models/ID.json).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { AudioData } from '../src/lib/dsp/audio';
import { classicalSeparate } from '../src/lib/dsp/classical';
import { usdr } from '../src/lib/dsp/sdr';
import { parseWav } from '../src/lib/dsp/wav';
import { ortSessionFactory } from '../src/lib/separation/ort-session';
import { separateAudio } from '../src/lib/separation/pipeline';
import { loadManifest, modelBytes, modelsDir } from './lib/model-files';

const REFERENCE_STEMS = ['vocals', 'drums', 'bass', 'other'];

function option(name: string, fallback?: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? process.argv[i + 1] : fallback;
}

const testset = option('testset', '.eval/testset')!;
if (!existsSync(testset)) {
	console.error(`no test set at ${testset}: run /usr/bin/python3 tools/make_testset.py ${testset}`);
	process.exit(2);
}
const manifest = loadManifest(option('model'));
const songs = readdirSync(testset)
	.filter((d) => d.startsWith('song-'))
	.sort()
	.slice(0, Number(option('songs', '1000')));

function readWav(path: string): AudioData {
	return parseWav(new Uint8Array(readFileSync(path)));
}

/** Stems named as the model names them: a stem of `stems`, or the sum of the stems the model's
 * other stems do not cover (a model's "instrumental" is drums + bass + other). */
function referenceFor(name: string, stems: Record<string, Float32Array[]>, modelStems: string[]): Float32Array[] {
	if (stems[name]) return stems[name];
	const covered = modelStems.filter((s) => s !== name && stems[s]);
	const rest = REFERENCE_STEMS.filter((s) => !covered.includes(s));
	return stems.vocals.map((_, c) => {
		const out = new Float32Array(stems.vocals[c].length);
		for (const s of rest) for (let i = 0; i < out.length; i++) out[i] += stems[s][c][i];
		return out;
	});
}

type Scores = Record<string, number[]>;
const methods: Record<string, Scores> = { model: {}, mixture: {}, classical: {} };
function record(method: string, stem: string, value: number) {
	(methods[method][stem] ??= []).push(value);
}

ort.env.wasm.numThreads = 1;
const session = await ortSessionFactory(ort, modelBytes(manifest))('wasm');
const run = (input: Float32Array, dims: number[]) => session.run(input, dims);
const started = performance.now();
let audioSeconds = 0;
for (const song of songs) {
	const mix = readWav(join(testset, song, 'mixture.wav'));
	const refs: Record<string, Float32Array[]> = {};
	for (const s of REFERENCE_STEMS) refs[s] = readWav(join(testset, song, `${s}.wav`)).channels;
	audioSeconds += mix.channels[0].length / mix.sampleRate;

	const result = await separateAudio(mix, manifest, run);
	const classical = classicalSeparate(mix);
	for (const name of manifest.stems) {
		const ref = referenceFor(name, refs, manifest.stems);
		record('model', name, usdr(ref, result.stems.find((s) => s.name === name)!.channels));
		record('mixture', name, usdr(ref, mix.channels));
		// a model stem the classical method has no name for (e.g. "instrumental") is the sum of the rest
		record('classical', name, usdr(ref, referenceFor(name, classical, manifest.stems)));
	}
	const line = manifest.stems.map((s) => `${s} ${methods.model[s].at(-1)!.toFixed(2)}`).join(', ');
	console.log(`${song}: ${line}`);
}
await session.release();
const wall = (performance.now() - started) / 1000;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function summary(scores: Scores) {
	const perStem = Object.fromEntries(manifest.stems.map((s) => [s, Number(mean(scores[s]).toFixed(2))]));
	return { perStem, mean: Number(mean(Object.values(perStem)).toFixed(2)) };
}
const rows = {
	[`${manifest.id} (this model)`]: summary(methods.model),
	'mixture as estimate': summary(methods.mixture),
	'classical (HPSS + crossover + centre)': summary(methods.classical)
};
console.log(`\nuSDR in dB, mean over ${songs.length} held-out songs (${audioSeconds.toFixed(0)} s of audio; ${wall.toFixed(0)} s wall):\n`);
console.log(`| method | ${manifest.stems.join(' | ')} | mean |`);
console.log(`|---|${manifest.stems.map(() => '---:').join('|')}|---:|`);
for (const [name, r] of Object.entries(rows)) {
	console.log(`| ${name} | ${manifest.stems.map((s) => r.perStem[s].toFixed(2)).join(' | ')} | ${r.mean.toFixed(2)} |`);
}

if (process.argv.includes('--write')) {
	const path = join(modelsDir, `${manifest.id}.json`);
	const doc = JSON.parse(readFileSync(path, 'utf8'));
	doc.quality = {
		metric: 'uSDR (dB), mean over songs; higher is better',
		testSet: `${songs.length} held-out synthetic songs of ${(audioSeconds / songs.length).toFixed(0)} s (tools/make_testset.py, seeds from 9000000; never used in training)`,
		measuredWith: 'scripts/eval.ts: the browser pipeline in Node, onnxruntime-web WASM',
		model: rows[`${manifest.id} (this model)`],
		baselines: { mixture: rows['mixture as estimate'], classical: rows['classical (HPSS + crossover + centre)'] }
	};
	writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
	console.log(`\nwrote quality into ${path}`);
}
