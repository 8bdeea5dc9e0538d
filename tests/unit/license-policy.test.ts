import { describe, expect, it } from 'vitest';
import { PREVIEW_SECONDS, applyPlan } from '../../src/lib/license/policy';

function audio(seconds: number, sampleRate = 44100, channels = 2) {
	const n = Math.round(seconds * sampleRate);
	return {
		sampleRate,
		channels: Array.from({ length: channels }, (_, c) => {
			const ch = new Float32Array(n);
			for (let i = 0; i < n; i++) ch[i] = c + i / n;
			return ch;
		})
	};
}

describe('preview policy', () => {
	it('cuts a long song to the first 60 s on the free plan, at any sample rate', () => {
		for (const rate of [44100, 48000, 22050]) {
			const song = audio(65, rate);
			const planned = applyPlan(song, false);
			expect(planned.trimmed).toBe(true);
			expect(planned.audio.channels.map((c) => c.length)).toEqual([PREVIEW_SECONDS * rate, PREVIEW_SECONDS * rate]);
			expect(planned.audio.channels[1][0]).toBe(song.channels[1][0]); // the start, not some other part
			expect(planned.audio.channels[0][PREVIEW_SECONDS * rate - 1]).toBe(song.channels[0][PREVIEW_SECONDS * rate - 1]);
			expect(planned.originalSeconds).toBeCloseTo(65, 6);
			expect(planned.note).toMatch(/first 60 s of this 65 s song/);
		}
	});

	it('leaves songs up to 60 s and licensed songs whole', () => {
		const short = audio(59.5);
		expect(applyPlan(short, false)).toMatchObject({ trimmed: false, note: null });
		expect(applyPlan(short, false).audio).toBe(short);
		expect(applyPlan(audio(60), false).trimmed).toBe(false);
		const long = audio(61);
		const full = applyPlan(long, true);
		expect(full.trimmed).toBe(false);
		expect(full.audio).toBe(long);
	});
});
