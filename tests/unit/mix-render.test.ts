import { describe, expect, it } from 'vitest';
import { decodeFlac } from '../../src/lib/dsp/flac/decode';
import { measureLoudness } from '../../src/lib/dsp/loudness/loudness';
import { normalizeLoudness } from '../../src/lib/dsp/loudness/normalize';
import { parseWav } from '../../src/lib/dsp/wav';
import { encodeAudio } from '../../src/lib/export/files';
import { renderMix } from '../../src/lib/mixdown/render';

const RATE = 44100;

/** 6 s: a pad and percussive hits, louder on the left. */
function mix() {
	const n = RATE * 6;
	const l = new Float32Array(n);
	const r = new Float32Array(n);
	for (let i = 0; i < n; i++) {
		const t = i / RATE;
		const hit = Math.exp(-(t % 0.5) * 40) * 0.9 * Math.sin(2 * Math.PI * 60 * (t % 0.5));
		const pad = 0.05 * Math.sin(2 * Math.PI * 220 * t);
		l[i] = hit + pad;
		r[i] = 0.8 * hit + pad;
	}
	return { sampleRate: RATE, channels: [l, r] };
}

describe('a custom mix rendered to a file (the export worker\'s work)', () => {
	it('normalised: the file meets the target and the ceiling, has normalizeLoudness\'s samples, and says what it measured', async () => {
		const passes: number[] = [];
		const target = { integrated: -14, truePeakCeiling: -1 };
		const r = await renderMix(mix(), 'float32', target, (p) => passes.push(p));
		if (!r.ok) throw new Error(r.error);
		const file = parseWav(r.bytes);
		const m = measureLoudness(file.channels, RATE);
		expect(Math.abs(m.integrated + 14)).toBeLessThanOrEqual(0.5);
		expect(m.truePeak).toBeLessThanOrEqual(-1);
		expect(r.normalized?.integrated).toBeCloseTo(m.integrated, 1);
		expect(file.channels).toEqual(normalizeLoudness(mix().channels, RATE, target).channels);
		expect(r.peak).toBeCloseTo(Math.max(...file.channels.map((c) => c.reduce((a, v) => Math.max(a, Math.abs(v)), 0))), 6);
		expect(passes[0]).toBe(1);
	});

	it('without a target: encodeAudio\'s bytes, nothing measured; FLAC too', async () => {
		const r = await renderMix(mix(), 'pcm24', null);
		if (!r.ok) throw new Error(r.error);
		expect(Buffer.from(r.bytes).equals(Buffer.from(encodeAudio(mix(), 'pcm24')))).toBe(true);
		expect(r.normalized).toBeNull();
		const flac = await renderMix(mix(), 'flac24', null);
		if (!flac.ok) throw new Error(flac.error);
		expect(decodeFlac(flac.bytes).md5).toBe('ok');
	});

	it('says why when it cannot normalise (silence) or write (FLAC at a rate it cannot store)', async () => {
		const silent = { sampleRate: RATE, channels: [new Float32Array(RATE * 2)] };
		expect(await renderMix(silent, 'pcm24', { integrated: -14 })).toEqual({ ok: false, error: expect.stringMatching(/^Not normalised: .*silent/) });
		const odd = { sampleRate: 700_000, channels: [new Float32Array(1000)] };
		expect(await renderMix(odd, 'flac16', null)).toEqual({ ok: false, error: expect.stringMatching(/^Not written: .*700000 Hz/) });
	});
});
