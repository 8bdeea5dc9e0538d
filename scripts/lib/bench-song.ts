/**
 * A song-like test signal with its stems, for benchmarks that depend on the signal (the true-peak
 * measurement skips what cannot be a peak, so steady tones are its worst case and music is not):
 * drums (kick, snare, hats with decays), bass notes, chord stabs and a vibrato lead, each with
 * attacks and decays, at 120 BPM, stereo; the stems sum to the mix.
 */
import type { AudioData } from '../../src/lib/dsp/audio';

export interface BenchSong {
	mix: AudioData;
	stems: { name: string; channels: Float32Array[] }[];
}

export function benchSong(seconds: number, sampleRate = 44100): BenchSong {
	const n = Math.round(seconds * sampleRate);
	const stem = () => [new Float32Array(n), new Float32Array(n)];
	const [vocals, drums, bass, other] = [stem(), stem(), stem(), stem()];
	let seed = 4242;
	const rnd = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
	const beat = 0.5;
	const roots = [55, 73.42, 61.74, 49];
	for (let i = 0; i < n; i++) {
		const t = i / sampleRate;
		const b = t % beat;
		const bar = Math.floor(t / (4 * beat));
		const beatInBar = Math.floor(t / beat) % 4;
		const kick = beatInBar % 2 === 0 ? 0.5 * Math.exp(-b * 25) * Math.sin(2 * Math.PI * (50 + 80 * Math.exp(-b * 40)) * b) : 0;
		const snare = beatInBar % 2 === 1 ? 0.3 * Math.exp(-b * 18) * rnd() : 0;
		const h = t % (beat / 2);
		const hat = 0.08 * Math.exp(-h * 120) * rnd();
		drums[0][i] = kick + snare + hat;
		drums[1][i] = kick + 0.8 * snare - hat;
		const root = roots[bar % 4];
		const bassNote = 0.25 * Math.exp(-b * 3) * Math.tanh(2 * Math.sin(2 * Math.PI * root * t));
		bass[0][i] = bass[1][i] = bassNote;
		const stab = Math.exp(-(t % (2 * beat)) * 2);
		const chord = [2, 2.5, 3].reduce((s, m) => s + 0.06 * stab * Math.sin(2 * Math.PI * root * 4 * m * t), 0);
		other[0][i] = chord;
		other[1][i] = 0.7 * chord;
		const phrase = t % (8 * beat) < 6 * beat ? 1 : 0;
		const lead = 0.15 * phrase * Math.sin(2 * Math.PI * (root * 8 + 4 * Math.sin(2 * Math.PI * 5 * t)) * t);
		vocals[0][i] = 0.9 * lead;
		vocals[1][i] = lead;
	}
	const mix = [0, 1].map((c) => Float32Array.from({ length: n }, (_, i) => vocals[c][i] + drums[c][i] + bass[c][i] + other[c][i]));
	return {
		mix: { sampleRate, channels: mix },
		stems: [
			{ name: 'vocals', channels: vocals },
			{ name: 'drums', channels: drums },
			{ name: 'bass', channels: bass },
			{ name: 'other', channels: other }
		]
	};
}
