/**
 * Separation quality on the held-out songs, through the same TypeScript pipeline the
 * browser runs (src/lib/separation/pipeline.ts + onnxruntime-web WASM), compared with two
 * oracle-free baselines: the mixture itself as every stem's estimate, and the classical
 * separator in src/lib/dsp/classical.ts.
 *
 * Metric: uSDR per stem (src/lib/dsp/sdr.ts), averaged over songs; "mean" is the average
 * over the stems. Make the synthetic songs first: /usr/bin/python3 tools/make_testset.py
 *
 * A test set is a folder of song folders, each holding `mixture` and `vocals`, `drums`, `bass`,
 * `other` as .wav or .flac (e.g. ../shared/eval-real). A stem whose reference is silent in a
 * song (all samples below -90 dBFS, or listed under `silent_stems` in the set's songs.json) is
 * not scored for that song: uSDR of a silent reference is undefined.
 *
 * usage: npm run eval -- [--testset .eval/testset] [--model ID] [--dir DIR] [--songs N] [--write]
 *                        [--set ID] [--describe TEXT] [--source TEXT] [--json FILE]
 *   --dir: where the model's manifest and graph are (default static/models; a training run's
 *   candidates are elsewhere, see tools/eval_run.py). --json FILE writes the summary as JSON.
 *   --write stores the result in the model manifest (static/models/ID.json): the synthetic
 *   held-out set as "quality", any other set (--set, default: the folder's name; "synthetic"
 *   when its songs are named song-*) as "quality.byTestSet[ID]". --describe and --source
 *   say what the songs are and where they come from (licence), for the manifest.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { AudioData } from '../src/lib/dsp/audio';
import { classicalSeparate } from '../src/lib/dsp/classical';
import { decodeFlac } from '../src/lib/dsp/flac/decode';
import { usdr } from '../src/lib/dsp/sdr';
import { parseWav } from '../src/lib/dsp/wav';
import { ortSessionFactory } from '../src/lib/separation/ort-session';
import { PRIMARY_TEST_SET } from '../src/lib/separation/manifest';
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
const dir = option('dir', modelsDir)!;
const manifest = loadManifest(option('model'), dir);
const hasMixture = (dir: string) => ['wav', 'flac'].some((ext) => existsSync(join(testset, dir, `mixture.${ext}`)));
const songs = readdirSync(testset)
	.filter((d) => statSync(join(testset, d)).isDirectory() && hasMixture(d))
	.sort()
	.slice(0, Number(option('songs', '1000')));
if (songs.length === 0) {
	console.error(`no song folders (holding mixture.wav or mixture.flac) in ${testset}`);
	process.exit(2);
}
const synthetic = songs.every((s) => s.startsWith('song-'));
const setId = option('set', synthetic ? PRIMARY_TEST_SET : basename(resolve(testset)))!;

/** songs.json of the set, if any: [{ song, silent_stems }] */
const listedSilent = new Map<string, string[]>();
if (existsSync(join(testset, 'songs.json'))) {
	for (const e of JSON.parse(readFileSync(join(testset, 'songs.json'), 'utf8')) as { song: string; silent_stems?: string[] }[]) {
		listedSilent.set(e.song, e.silent_stems ?? []);
	}
}

function readAudio(dir: string, name: string): AudioData {
	const wav = join(dir, `${name}.wav`);
	if (existsSync(wav)) return parseWav(new Uint8Array(readFileSync(wav)));
	const flac = decodeFlac(new Uint8Array(readFileSync(join(dir, `${name}.flac`))));
	if (flac.truncated || flac.md5 === 'mismatch') throw new Error(`${dir}/${name}.flac: ${flac.notes.join(' ')}`);
	return flac;
}

/** Below -90 dBFS RMS: nothing to separate. */
function isSilent(channels: Float32Array[]): boolean {
	let energy = 0;
	let n = 0;
	for (const c of channels) {
		for (let i = 0; i < c.length; i++) energy += c[i] * c[i];
		n += c.length;
	}
	return energy <= n * 1e-9;
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
/** Model uSDR per song and stem (a skipped stem is absent). */
const perSong: Record<string, Record<string, number>> = {};

ort.env.wasm.numThreads = 1;
const session = await ortSessionFactory(ort, modelBytes(manifest, dir))('wasm');
const run = (input: Float32Array, dims: number[]) => session.run(input, dims);
const started = performance.now();
let audioSeconds = 0;
for (const song of songs) {
	const dir = join(testset, song);
	const mix = readAudio(dir, 'mixture');
	const refs: Record<string, Float32Array[]> = {};
	for (const s of REFERENCE_STEMS) refs[s] = readAudio(dir, s).channels;
	audioSeconds += mix.channels[0].length / mix.sampleRate;

	const result = await separateAudio(mix, manifest, run);
	const classical = classicalSeparate(mix);
	perSong[song] = {};
	const skipped: string[] = [];
	for (const name of manifest.stems) {
		const ref = referenceFor(name, refs, manifest.stems);
		if (listedSilent.get(song)?.includes(name) || isSilent(ref)) {
			skipped.push(name);
			continue;
		}
		const score = usdr(ref, result.stems.find((s) => s.name === name)!.channels);
		perSong[song][name] = score;
		record('model', name, score);
		record('mixture', name, usdr(ref, mix.channels));
		// a model stem the classical method has no name for (e.g. "instrumental") is the sum of the rest
		record('classical', name, usdr(ref, referenceFor(name, classical, manifest.stems)));
	}
	const line = Object.entries(perSong[song]).map(([s, v]) => `${s} ${v.toFixed(2)}`).join(', ');
	console.log(`${song}: ${line}${skipped.length ? ` (silent reference, not scored: ${skipped.join(', ')})` : ''}`);
}
await session.release();
const wall = (performance.now() - started) / 1000;

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const scoredStems = manifest.stems.filter((s) => methods.model[s]?.length);
function summary(scores: Scores) {
	const perStem = Object.fromEntries(scoredStems.map((s) => [s, Number(mean(scores[s]).toFixed(2))]));
	return { perStem, mean: Number(mean(Object.values(perStem)).toFixed(2)) };
}
const rows = {
	[`${manifest.id} (this model)`]: summary(methods.model),
	'mixture as estimate': summary(methods.mixture),
	'classical (HPSS + crossover + centre)': summary(methods.classical)
};
const songsPerStem = Object.fromEntries(scoredStems.map((s) => [s, methods.model[s].length]));
const partial = scoredStems.filter((s) => songsPerStem[s] < songs.length);

if (!synthetic) {
	console.log(`\nper song, ${manifest.id}, uSDR in dB:\n`);
	console.log(`| song | ${scoredStems.join(' | ')} | mean |`);
	console.log(`|---|${scoredStems.map(() => '---:').join('|')}|---:|`);
	for (const song of songs) {
		const v = perSong[song];
		const cells = scoredStems.map((s) => (v[s] === undefined ? '—' : v[s].toFixed(2)));
		console.log(`| ${song} | ${cells.join(' | ')} | ${mean(Object.values(v)).toFixed(2)} |`);
	}
}
const what = synthetic ? 'held-out songs' : `songs of ${setId}`;
const counts = partial.length ? `; ${partial.map((s) => `${s} scored on ${songsPerStem[s]}`).join(', ')} (silent references skipped)` : '';
console.log(`\nuSDR in dB, mean over ${songs.length} ${what} (${audioSeconds.toFixed(0)} s of audio; ${wall.toFixed(0)} s wall${counts}):\n`);
console.log(`| method | ${scoredStems.join(' | ')} | mean |`);
console.log(`|---|${scoredStems.map(() => '---:').join('|')}|---:|`);
for (const [name, r] of Object.entries(rows)) {
	console.log(`| ${name} | ${scoredStems.map((s) => r.perStem[s].toFixed(2)).join(' | ')} | ${r.mean.toFixed(2)} |`);
}

if (option('json')) {
	writeFileSync(option('json')!, JSON.stringify({ set: setId, songs: songs.length, audioSeconds, wall, perSong, rows }, null, 2) + '\n');
}

if (process.argv.includes('--write')) {
	const path = join(dir, `${manifest.id}.json`);
	const doc = JSON.parse(readFileSync(path, 'utf8'));
	const measured = {
		metric: 'uSDR (dB), mean over songs; higher is better',
		testSet: synthetic
			? `${songs.length} held-out synthetic songs of ${(audioSeconds / songs.length).toFixed(0)} s (tools/make_testset.py, seeds from 9000000; never used in training)`
			: option('describe', `${songs.length} songs of ${setId}, ${audioSeconds.toFixed(0)} s in all`)!,
		measuredWith: 'scripts/eval.ts: the browser pipeline in Node, onnxruntime-web WASM',
		...(option('source') ? { source: option('source') } : {}),
		songs: songs.length,
		...(partial.length ? { songsPerStem } : {}),
		model: rows[`${manifest.id} (this model)`],
		baselines: { mixture: rows['mixture as estimate'], classical: rows['classical (HPSS + crossover + centre)'] }
	};
	if (setId === PRIMARY_TEST_SET) {
		doc.quality = { ...measured, ...(doc.quality?.byTestSet ? { byTestSet: doc.quality.byTestSet } : {}) };
	} else {
		doc.quality ??= {};
		doc.quality.byTestSet = { ...doc.quality.byTestSet, [setId]: measured };
	}
	writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
	console.log(`\nwrote quality (${setId}) into ${path}`);
}
