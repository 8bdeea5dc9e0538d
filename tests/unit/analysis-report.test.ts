import { describe, expect, it } from 'vitest';
import { analysisJson, analyzeSong } from '../../src/lib/analysis/report';

const RATE = 44100;
const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

/** I–IV–V–I in G major (G3 root), 2 s a chord, harmonic tones with a bass an octave below. */
function cadenceInG(): Float32Array {
	const chords = [
		[0, 4, 7],
		[5, 9, 12],
		[7, 11, 14],
		[0, 4, 7]
	];
	const per = 2 * RATE;
	const x = new Float32Array(chords.length * per);
	chords.forEach((chord, c) => {
		for (const note of [...chord.map((n) => 55 + n), 43 + chord[0]]) {
			const f = hz(note);
			for (let i = 0; i < per; i++) {
				let v = 0;
				for (let h = 1; h <= 4; h++) v += Math.sin((2 * Math.PI * f * h * i) / RATE) / h;
				x[c * per + i] += 0.05 * v * Math.exp((-0.8 * i) / RATE);
			}
		}
	});
	return x;
}

describe('analysis report', () => {
	it('measures the mix and each stem and writes them, key in Camelot notation too, as JSON', () => {
		const mix = cadenceInG();
		const quiet = mix.map((v) => v * 0.1);
		const a = analyzeSong({ sampleRate: RATE, channels: [mix, mix] }, [
			{ name: 'other', channels: [mix, mix] },
			{ name: 'vocals', channels: [quiet, quiet] }
		]);
		expect(a.key?.name).toBe('G major');
		const json = JSON.parse(analysisJson(a, { song: 'cadence' }));
		expect(json.song).toBe('cadence');
		expect(json.key).toBe('G major');
		expect(json.keyCamelot).toBe('9B');
		// a clear cadence: no relative key named
		expect(json.keyAlternative).toBeNull();
		expect(json.keyAlternativeCamelot).toBeNull();
		expect(json.stems.vocals.integratedLufs).toBeCloseTo(json.stems.other.integratedLufs - 20, 1);
		expect(json.mix.integratedLufs).toBeCloseTo(json.stems.other.integratedLufs, 5);
	});
	it('writes the relative key, with its Camelot code, when the key was a close call', () => {
		const mix = cadenceInG();
		const a = analyzeSong({ sampleRate: RATE, channels: [mix] }, []);
		const closeCall = { ...a, key: { ...a.key!, alternative: { tonic: 4, mode: 'minor' as const, name: 'E minor' } } };
		const json = JSON.parse(analysisJson(closeCall));
		expect(json.key).toBe('G major');
		expect(json.keyAlternative).toBe('E minor');
		expect(json.keyAlternativeCamelot).toBe('9A');
	});
});
