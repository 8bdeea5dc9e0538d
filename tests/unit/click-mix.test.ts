import { describe, expect, it } from 'vitest';
import { clickEvents } from '../../src/lib/click/click';
import { parseWav } from '../../src/lib/dsp/wav';
import { renderMix } from '../../src/lib/mixdown/render';
import { soundStarts } from './signals';

const RATE = 44100;
const beats = [0.5, 1, 1.5, 2, 2.5];
const click = { events: clickEvents({ beats, downbeats: [0.5, 2.5] }), volume: 1 };

const onsets = (x: Float32Array) => soundStarts(x, RATE, { gap: 0.1 });

describe('the click in a custom mix (export worker: renderMix)', () => {
	it('is added after the stretch, at the practice speed: every click on its beat / speed, not transposed', async () => {
		const silent = { sampleRate: RATE, channels: [new Float32Array(3 * RATE), new Float32Array(3 * RATE)] };
		const made = await renderMix(silent, 'float32', null, undefined, undefined, { speed: 0.8, semitones: 5 }, click);
		expect(made.ok).toBe(true);
		if (!made.ok) return;
		const mix = parseWav(made.bytes);
		expect(mix.channels[0].length).toBe(Math.round((3 * RATE) / 0.8));
		for (const ch of mix.channels) expect(onsets(ch).map((i) => i - 1)).toEqual(beats.map((t) => Math.round((t * RATE) / 0.8)));
		// the click's own pitch (1760 Hz on the downbeat): zero crossings in its first 20 ms
		const at = Math.round((0.5 * RATE) / 0.8);
		const x = mix.channels[0].subarray(at, at + Math.round(0.02 * RATE));
		let crossings = 0;
		for (let i = 1; i < x.length; i++) if (x[i - 1] < 0 !== x[i] < 0) crossings++;
		expect(crossings / 2 / 0.02).toBeGreaterThan(1700);
		expect(crossings / 2 / 0.02).toBeLessThan(1820);
	});
	it('as recorded: every click on its beat', async () => {
		const silent = { sampleRate: RATE, channels: [new Float32Array(3 * RATE)] };
		const made = await renderMix(silent, 'float32', null, undefined, undefined, undefined, click);
		if (!made.ok) throw new Error(made.error);
		expect(onsets(parseWav(made.bytes).channels[0]).map((i) => i - 1)).toEqual(beats.map((t) => Math.round(t * RATE)));
	});
});
