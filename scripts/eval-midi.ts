/**
 * Note transcription accuracy of the MIDI export (src/lib/transcription) on rendered songs whose
 * notes are known: note F-measure, mir_eval style (onset within 50 ms, pitch within 50 cents,
 * offsets ignored; src/lib/transcription/score.ts), for the bass and the lead vocal,
 *   * clean     — on the rendered stems themselves;
 *   * separated — on the stems the bundled model separates from the songs' mixes, through the
 *                 browser's pipeline in Node (separateAudio + onnxruntime-web WASM, as scripts/eval.ts);
 *                 kept in <set>/separated-<weights' hash>/ so that scoring again skips the separation.
 * The set (generated, git-ignored) is rendered when missing, with the notes recovered from the renderer:
 *   nice -n 19 /usr/bin/python3 tools/make_transcription_set.py --out .transcription --songs 24
 *
 * usage: npm run eval:midi -- [--set .transcription] [--from K] [--songs N] [--clean-only] [--model ID] [--json FILE] [--verbose]
 *   (--from K: skip the first K songs, e.g. the ones the note settings were tuned on)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import type { AudioData } from '../src/lib/dsp/audio';
import { encodeWav, parseWav } from '../src/lib/dsp/wav';
import { ortSessionFactory } from '../src/lib/separation/ort-session';
import { separateAudio } from '../src/lib/separation/pipeline';
import { transcribe, type PartKind } from '../src/lib/transcription/notes';
import { noteScore, pooled, type NoteScore } from '../src/lib/transcription/score';
import { loadManifest, modelBytes } from './lib/model-files';

function option(name: string, fallback?: string): string | undefined {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 ? process.argv[i + 1] : fallback;
}

interface Song {
	name: string;
	seed: number;
	bpm: number;
	vocalPath: string;
	bass: [number, number, number, number][];
	vocals: [number, number, number, number][];
	/** When a note that began before the file ends (0: none); sets made before this field have none. */
	bassHeld?: number;
	vocalsHeld?: number;
}

const set = option('set', '.transcription')!;
const SET_SONGS = 24;
const complete = () => existsSync(join(set, 'labels.json')) && JSON.parse(readFileSync(join(set, 'labels.json'), 'utf8')).complete === true;
if (!complete()) {
	// the set is generated data (not in git): render it, as the docs say, with the training tools' renderer
	const args = ['tools/make_transcription_set.py', '--out', set, '--songs', String(SET_SONGS)];
	console.log(`no complete labelled set at ${set}: rendering it (nice -n 19 /usr/bin/python3 ${args.join(' ')}; several minutes)`);
	const made = spawnSync('nice', ['-n', '19', '/usr/bin/python3', ...args], { stdio: 'inherit' });
	if (made.status !== 0 || !complete()) {
		console.error(`could not render the set (exit ${made.status ?? made.signal}); see tools/make_transcription_set.py`);
		process.exit(2);
	}
}
const from = Number(option('from', '0'));
const songs = (JSON.parse(readFileSync(join(set, 'labels.json'), 'utf8')).songs as Song[]).slice(from, from + Number(option('songs', '1000')));
const verbose = process.argv.includes('--verbose');
const PARTS: PartKind[] = ['bass', 'vocals'];
const read = (file: string): AudioData => parseWav(new Uint8Array(readFileSync(join(set, file))));

const scores: Record<string, NoteScore[]> = {};
const add = (key: string, s: NoteScore) => (scores[key] ??= []).push(s);

function scoreSong(song: Song, part: PartKind, audio: AudioData, condition: string): NoteScore {
	// the file begins inside a note: its start is scored neither way (the note's onset is not in the file)
	const held = song[`${part}Held`] ?? 0;
	const estimated = transcribe(audio.channels, audio.sampleRate, part).filter((n) => n.onset >= held);
	const reference = song[part].filter(([onset]) => onset >= held).map(([onset, , midi]) => ({ onset, midi }));
	const s = noteScore(reference, estimated);
	add(`${condition} ${part}`, s);
	if (verbose) {
		console.log(`  ${condition} ${part}: F ${s.f.toFixed(3)} (P ${s.precision.toFixed(2)} R ${s.recall.toFixed(2)}; ${s.reference} notes, ${s.estimated} found)`);
	}
	return s;
}

const started = performance.now();
for (const song of songs) {
	const line = PARTS.map((p) => `${p} ${scoreSong(song, p, read(`${song.name}-${p}.wav`), 'clean').f.toFixed(3)}`).join(', ');
	console.log(`${song.name} (seed ${song.seed}, ${song.vocalPath}): clean ${line}`);
}

let modelId: string | null = null;
if (!process.argv.includes('--clean-only')) {
	const manifest = loadManifest(option('model'));
	modelId = manifest.id;
	ort.env.wasm.numThreads = 1;
	// the separated stems are kept (by the model's weights' hash) so that scoring again is quick
	const cache = join(set, `separated-${manifest.sha256.slice(0, 16)}`);
	mkdirSync(cache, { recursive: true });
	let session: Awaited<ReturnType<ReturnType<typeof ortSessionFactory>>> | null = null;
	for (const song of songs) {
		const cached = (p: PartKind) => join(cache, `${song.name}-${p}.wav`);
		if (!PARTS.every((p) => existsSync(cached(p)))) {
			session ??= await ortSessionFactory(ort, modelBytes(manifest))('wasm');
			const s = session;
			const result = await separateAudio(read(`${song.name}-mix.wav`), manifest, (input, dims) => s.run(input, dims));
			for (const p of PARTS) {
				const stem = result.stems.find((x) => x.name === p);
				if (!stem) throw new Error(`${manifest.id} has no ${p} stem`);
				writeFileSync(cached(p), encodeWav({ sampleRate: result.sampleRate, channels: stem.channels }, { format: 'float32' }));
			}
		}
		const line = PARTS.map((p) => `${p} ${scoreSong(song, p, parseWav(new Uint8Array(readFileSync(cached(p)))), 'separated').f.toFixed(3)}`);
		console.log(`${song.name}: separated by ${manifest.id}: ${line.join(', ')}`);
	}
	await session?.release();
}

const wall = (performance.now() - started) / 1000;
const rows = Object.entries(scores).map(([key, list]) => {
	const { micro, meanF } = pooled(list);
	return { key, songs: list.length, meanF, ...micro };
});
console.log(`\nNote F-measure (onset ±50 ms, pitch ±50 cents, offsets ignored), ${songs.length} songs (${songs[0]?.name ?? '-'} to ${songs.at(-1)?.name ?? '-'}) of ${set}, ${wall.toFixed(0)} s:\n`);
console.log('| stems | part | mean F over songs | F (all notes) | precision | recall | notes |');
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const r of rows) {
	const [condition, part] = r.key.split(' ');
	const stems = condition === 'clean' ? 'clean (rendered)' : `separated (${modelId})`;
	console.log(`| ${stems} | ${part} | ${r.meanF.toFixed(3)} | ${r.f.toFixed(3)} | ${r.precision.toFixed(3)} | ${r.recall.toFixed(3)} | ${r.reference} |`);
}
if (option('json')) writeFileSync(option('json')!, JSON.stringify({ set, songs: songs.length, model: modelId, rows }, null, 2) + '\n');
