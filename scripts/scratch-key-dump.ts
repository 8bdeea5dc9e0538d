// scratch (not committed): per-frame pitch-class energies of spectral peaks, full and bass
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseWav } from '../src/lib/dsp/wav';
import { forEachMixFrame } from '../src/lib/analysis/frames';
import { loadSimdFft } from '../src/lib/dsp/simd-fft';
await loadSimdFft();
const dir = process.argv[2];
const out = process.argv[3];
const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8'));
const songs = [];
for (const l of labels) {
	const a = parseWav(new Uint8Array(readFileSync(join(dir, l.file))));
	const factor = Math.max(1, Math.round(a.sampleRate / 11025));
	const rate = a.sampleRate / factor;
	const nFft = 8192;
	const lo = Math.ceil((55 * nFft) / rate);
	const hi = Math.min(nFft / 2 - 1, Math.floor((2000 * nFft) / rate));
	const bassTop = Math.floor((220 * nFft) / rate);
	const pc = new Int8Array(hi + 1);
	for (let k = lo; k <= hi; k++) {
		const midi = 69 + 12 * Math.log2((k * rate) / nFft / 440);
		pc[k] = ((Math.round(midi) % 12) + 12) % 12;
	}
	const full: number[][] = [], bass: number[][] = [];
	forEachMixFrame(a.channels, factor, nFft, 2048, (mag) => {
		const f = new Array(12).fill(0), b = new Array(12).fill(0);
		let loudest = 0;
		for (let k = lo; k <= hi; k++) if (mag[k] > loudest) loudest = mag[k];
		const floor = loudest * 1e-3;
		for (let k = lo; k <= hi; k++) {
			const m = mag[k];
			if (m <= floor || m <= mag[k - 1] || m < mag[k + 1]) continue;
			f[pc[k]] += m * m;
			if (k <= bassTop) b[pc[k]] += m * m;
		}
		full.push(f); bass.push(b);
	});
	songs.push({ ...l, frameRate: rate / 2048, full, bass });
}
writeFileSync(out, JSON.stringify(songs));
