/**
 * Tempo and key accuracy on a labelled set (tools/make_analysis_set.py writes one):
 * tempo Accuracy1 (within 4 % of the label) and Accuracy2 (within 4 % of the label or of 2x, 3x,
 * 1/2, 1/3 of it), and the MIREX weighted key score, next to simple baselines. On songs whose
 * labels carry beats, downbeats and chords (rendered songs): the beat and downbeat F-measure
 * (70 ms window, mean over songs) and the MIREX major/minor weighted chord overlap (seconds
 * right over seconds of maj/min/N reference, summed over songs), next to baselines.
 * usage: npm run eval:analysis -- DIR
 *   DIR: a labelled set (labels.json + WAV files, tools/make_analysis_set.py), or the real
 *   multitracks of ../shared/eval-real (songs.json + <song>/mixture.flac): their tempo labels come
 *   from tools/labels/eval-real-tempo.json (human beat annotations); they have no key labels.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav } from '../src/lib/dsp/wav';
import { decodeFlac } from '../src/lib/dsp/flac/decode';
import { keyProfiles, keyFromProfiles, mirexKeyScore, type KeyProfiles } from '../src/lib/analysis/key';
import { estimateTempo, onsetEnvelope } from '../src/lib/analysis/tempo';
import { beatFMeasure } from '../src/lib/analysis/beats';
import { chordLabel, chordOverlap, type ChordSegment } from '../src/lib/analysis/chords';
import { analyzeGrid } from '../src/lib/analysis/grid';
import { loadSimdFft } from '../src/lib/dsp/simd-fft';

interface Label {
	file: string;
	source: string;
	bpm: number;
	/** null: the key is not known (real recordings) */
	tonic: number | null;
	mode: 'major' | 'minor' | null;
	/** rendered songs: seconds of every beat and bar's first beat, chord segments [start, end, Harte label] */
	beats?: number[];
	downbeats?: number[];
	chords?: [number, number, string][];
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: npm run eval:analysis -- DIR (see tools/make_analysis_set.py)');
// the spectra on the FFT the app's worker uses (the TypeScript FFT where the WASM SIMD one fails to load)
const simd = await loadSimdFft();
console.error(`spectra on the ${simd ? 'WASM SIMD' : 'TypeScript'} FFT`);
const realSet = existsSync(join(dir, 'songs.json'));
const labels: Label[] = realSet ? realLabels() : (JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Label[]);
// how the set was written (tools/make_analysis_set.py): a set rendered by uncommitted tools cannot be reproduced
if (existsSync(join(dir, 'provenance.json'))) console.error(`set written by: ${readFileSync(join(dir, 'provenance.json'), 'utf8').replace(/\s+/g, ' ')}`);
else if (!realSet) console.error('set written by: unknown (no provenance.json: written before make_analysis_set.py recorded it)');

/** ../shared/eval-real: every song with a tempo label, read from its mixture.flac. */
function realLabels(): Label[] {
	const tempo = JSON.parse(readFileSync(join('tools', 'labels', 'eval-real-tempo.json'), 'utf8')) as { songs: Record<string, { bpm: number }> };
	const songs = JSON.parse(readFileSync(join(dir, 'songs.json'), 'utf8')) as { song: string }[];
	return songs
		.filter((s) => tempo.songs[s.song])
		.map((s) => ({ file: join(s.song, 'mixture.flac'), source: 'eval-real', bpm: tempo.songs[s.song].bpm, tonic: null, mode: null }));
}

function readAudio(file: string) {
	const bytes = new Uint8Array(readFileSync(join(dir, file)));
	return file.endsWith('.flac') ? decodeFlac(bytes) : parseWav(bytes);
}

const within = (est: number, ref: number) => Math.abs(est - ref) <= 0.04 * ref;
const acc1 = (est: number, ref: number) => within(est, ref);
const acc2 = (est: number, ref: number) => [1, 2, 3, 1 / 2, 1 / 3].some((m) => within(est, ref * m));

/** Baseline: the largest onset autocorrelation peak in 50–220 BPM, no comb, no prior. */
function rawAcfTempo({ env, frameRate }: { env: Float32Array; frameRate: number }): number {
	let best = 0;
	let bestLag = 0;
	for (let lag = Math.round((60 * frameRate) / 220); lag <= Math.round((60 * frameRate) / 50); lag++) {
		let s = 0;
		for (let t = lag; t < env.length; t++) s += env[t] * env[t - lag];
		s /= env.length - lag;
		if (s > best) (best = s), (bestLag = lag);
	}
	return (60 * frameRate) / bestLag;
}

type Row = { name: string; tempo: (l: Label, a: { channels: Float32Array[]; sampleRate: number }) => number; key: (l: Label, c: KeyProfiles) => { tonic: number; mode: string } };
const stemsafeTempo: Row['tempo'] = (_, a) => estimateTempo(a.channels, a.sampleRate)?.bpm ?? 0;
const methods: Row[] = [
	{
		name: 'stemsafe (comb + prior; diatonic collection from 110 Hz + tonic by bass, opening and chords)',
		tempo: stemsafeTempo,
		key: (_, c) => keyFromProfiles(c) ?? { tonic: -1, mode: '' }
	},
	{
		name: 'without the chords (same tempo)',
		tempo: stemsafeTempo,
		key: (_, c) => keyFromProfiles(c, { chordWeight: 0 }) ?? { tonic: -1, mode: '' }
	},
	{
		name: 'without the opening (same tempo)',
		tempo: stemsafeTempo,
		key: (_, c) => keyFromProfiles(c, { openingWeight: 0 }) ?? { tonic: -1, mode: '' }
	},
	{
		name: 'baseline: raw autocorrelation peak; strongest pitch class as major',
		tempo: (_, a) => rawAcfTempo(onsetEnvelope(a.channels, a.sampleRate)),
		key: (_, c) => ({ tonic: Array.from(c.full).indexOf(Math.max(...c.full)), mode: 'major' })
	},
	{ name: 'baseline: always 120 BPM; always C major', tempo: () => 120, key: () => ({ tonic: 0, mode: 'major' }) }
];

const sources = [...new Set(labels.map((l) => l.source)), 'all'];
/**
 * Songs where Stemsafe also named the relative key (a close major/minor vote), and which of the two
 * was right; and, for comparison, how often the relative key was right on the other songs.
 */
const close = { named: 0, firstRight: 0, alternativeRight: 0, others: 0, othersRelativeRight: 0 };
const totals = new Map<string, { a1: number; a2: number; key: number; n: number; keyed: number }>();
/** Beat grid and chords, per method: sums of F-measures and song counts, chord seconds right and evaluated. */
const gridMethods = ['stemsafe (DP beats, chroma-change downbeats, Viterbi triads)', 'baseline: steady grid at the estimated tempo from 0 s; the estimated key\'s tonic triad throughout'];
const gridTotals = gridMethods.map(() => ({ beatF: 0, downF: 0, songs: 0, chordRight: 0, chordTotal: 0 }));
for (const label of labels) {
	const audio = readAudio(label.file);
	const c = keyProfiles(audio.channels, audio.sampleRate);
	if (label.beats && label.downbeats && label.chords) {
		const duration = audio.channels[0].length / audio.sampleRate;
		const ours = analyzeGrid(audio.channels, audio.sampleRate);
		const reference = label.chords.map(([start, end, l]) => ({ start, end, label: l }));
		const steady = ours.tempo ? Array.from({ length: Math.floor((duration * ours.tempo.bpm) / 60) }, (_, i) => (i * 60) / ours.tempo!.bpm) : [];
		const key = keyFromProfiles(c);
		const tonicTriad: ChordSegment[] = key ? [{ start: 0, end: duration, label: chordLabel(key.tonic + (key.mode === 'minor' ? 12 : 0)) }] : [];
		const rows = [
			{ beats: ours.grid?.beats ?? [], downbeats: ours.grid?.downbeats ?? [], chords: ours.chords ?? [] },
			{ beats: steady, downbeats: steady.filter((_, i) => i % 4 === 0), chords: tonicTriad }
		];
		const line = rows.map((r, m) => {
			const t = gridTotals[m];
			const f = beatFMeasure(r.beats, label.beats!);
			const d = beatFMeasure(r.downbeats, label.downbeats!);
			const o = chordOverlap(r.chords, reference);
			t.beatF += f;
			t.downF += d;
			t.songs++;
			t.chordRight += o.correct;
			t.chordTotal += o.total;
			return `beat F ${f.toFixed(2)} downbeat F ${d.toFixed(2)} chords ${o.total > 0 ? (o.correct / o.total).toFixed(2) : '-'}`;
		});
		console.error(`${label.file}: ${line.join(' | ')}`);
	}
	const stemsafeKey = keyFromProfiles(c);
	if (stemsafeKey && label.tonic !== null) {
		const right = (k: { tonic: number; mode: string }) => k.tonic === label.tonic && k.mode === label.mode;
		const relative = stemsafeKey.mode === 'major' ? { tonic: (stemsafeKey.tonic + 9) % 12, mode: 'minor' } : { tonic: (stemsafeKey.tonic + 3) % 12, mode: 'major' };
		if (stemsafeKey.alternative) {
			close.named++;
			close.firstRight += right(stemsafeKey) ? 1 : 0;
			close.alternativeRight += right(relative) ? 1 : 0;
		} else {
			close.others++;
			close.othersRelativeRight += right(relative) ? 1 : 0;
		}
	}
	const line: string[] = [];
	const tempi = new Map<Row['tempo'], number>(); // a tempo method shared by two rows runs once
	for (const m of methods) {
		const bpm = tempi.get(m.tempo) ?? m.tempo(label, audio);
		tempi.set(m.tempo, bpm);
		const key = m.key(label, c);
		for (const src of [label.source, 'all']) {
			const k = `${m.name}|${src}`;
			const t = totals.get(k) ?? { a1: 0, a2: 0, key: 0, n: 0, keyed: 0 };
			t.a1 += acc1(bpm, label.bpm) ? 1 : 0;
			t.a2 += acc2(bpm, label.bpm) ? 1 : 0;
			if (label.tonic !== null && label.mode !== null) {
				t.key += key.tonic >= 0 ? mirexKeyScore(key, { tonic: label.tonic, mode: label.mode }) : 0;
				t.keyed++;
			}
			t.n++;
			totals.set(k, t);
		}
		line.push(`${bpm.toFixed(1)} BPM ${key.tonic}/${key.mode}`);
	}
	console.error(`${label.file}: truth ${label.bpm.toFixed(1)} BPM ${label.tonic}/${label.mode} | ${line.join(' | ')}`);
}

const pct = (x: number, n: number) => `${((100 * x) / n).toFixed(1)} %`;
console.log('| method | set | songs | tempo Accuracy1 | tempo Accuracy2 | MIREX key score |');
console.log('|---|---|---:|---:|---:|---:|');
for (const m of methods) {
	for (const src of sources) {
		const t = totals.get(`${m.name}|${src}`);
		if (t) console.log(`| ${m.name} | ${src} | ${t.n} | ${pct(t.a1, t.n)} | ${pct(t.a2, t.n)} | ${t.keyed ? pct(t.key, t.keyed) : 'no key labels'} |`);
	}
}
if (close.named + close.others > 0)
	console.log(
		`\nStemsafe named the relative key too (a close major/minor vote) for ${close.named} of ${close.named + close.others} songs: ` +
			`its first choice was right for ${close.firstRight}, the relative key for ${close.alternativeRight}, neither for ${close.named - close.firstRight - close.alternativeRight}. ` +
			`On the other ${close.others} songs the relative key was right for ${close.othersRelativeRight}.`
	);
if (gridTotals[0].songs > 0) {
	console.log(`\nBeat grid and chords on the ${gridTotals[0].songs} songs with beat and chord labels:\n`);
	console.log('| method | songs | beat F-measure (70 ms) | downbeat F-measure (70 ms) | MIREX maj/min chord overlap |');
	console.log('|---|---:|---:|---:|---:|');
	gridMethods.forEach((name, m) => {
		const t = gridTotals[m];
		console.log(`| ${name} | ${t.songs} | ${((100 * t.beatF) / t.songs).toFixed(1)} % | ${((100 * t.downF) / t.songs).toFixed(1)} % | ${t.chordTotal > 0 ? pct(t.chordRight, t.chordTotal) : 'no chord labels'} |`);
	});
}
