/**
 * Tempo and key accuracy on a labelled set (tools/make_analysis_set.py writes one):
 * tempo Accuracy1 (within 4 % of the label) and Accuracy2 (within 4 % of the label or of 2x, 3x,
 * 1/2, 1/3 of it), and the MIREX weighted key score, next to simple baselines.
 * usage: npm run eval:analysis -- DIR
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav } from '../src/lib/dsp/wav';
import { chroma, keyFromChroma, mirexKeyScore } from '../src/lib/analysis/key';
import { estimateTempo, onsetEnvelope } from '../src/lib/analysis/tempo';

interface Label {
	file: string;
	source: string;
	bpm: number;
	tonic: number;
	mode: 'major' | 'minor';
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: npm run eval:analysis -- DIR (see tools/make_analysis_set.py)');
const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Label[];

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

type Row = { name: string; tempo: (l: Label, a: { channels: Float32Array[]; sampleRate: number }) => number; key: (l: Label, c: Float64Array) => { tonic: number; mode: string } };
const methods: Row[] = [
	{
		name: 'stemsafe (comb + prior; Temperley profiles)',
		tempo: (_, a) => estimateTempo(a.channels, a.sampleRate)?.bpm ?? 0,
		key: (_, c) => keyFromChroma(c) ?? { tonic: -1, mode: '' }
	},
	{
		name: 'baseline: raw autocorrelation peak; strongest pitch class as major',
		tempo: (_, a) => rawAcfTempo(onsetEnvelope(a.channels, a.sampleRate)),
		key: (_, c) => ({ tonic: Array.from(c).indexOf(Math.max(...c)), mode: 'major' })
	},
	{ name: 'baseline: always 120 BPM; always C major', tempo: () => 120, key: () => ({ tonic: 0, mode: 'major' }) }
];

const sources = [...new Set(labels.map((l) => l.source)), 'all'];
const totals = new Map<string, { a1: number; a2: number; key: number; n: number }>();
for (const label of labels) {
	const audio = parseWav(new Uint8Array(readFileSync(join(dir, label.file))));
	const c = chroma(audio.channels, audio.sampleRate);
	const line: string[] = [];
	for (const m of methods) {
		const bpm = m.tempo(label, audio);
		const key = m.key(label, c);
		for (const src of [label.source, 'all']) {
			const k = `${m.name}|${src}`;
			const t = totals.get(k) ?? { a1: 0, a2: 0, key: 0, n: 0 };
			t.a1 += acc1(bpm, label.bpm) ? 1 : 0;
			t.a2 += acc2(bpm, label.bpm) ? 1 : 0;
			t.key += key.tonic >= 0 ? mirexKeyScore(key, label) : 0;
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
		if (t) console.log(`| ${m.name} | ${src} | ${t.n} | ${pct(t.a1, t.n)} | ${pct(t.a2, t.n)} | ${pct(t.key, t.n)} |`);
	}
}
