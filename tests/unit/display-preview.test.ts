import { describe, expect, it } from 'vitest';
import { previewLabel, previewSpan, separatedLine } from '../../src/lib/display/preview';
import { applyPlan, PREVIEW_SECONDS } from '../../src/lib/license/policy';

describe('preview wording', () => {
	it('names the separated part and the song in the same m:ss words everywhere', () => {
		const p = { separatedSeconds: 60, songSeconds: 120 };
		expect(previewSpan(p)).toBe('the first 1:00 of 2:00');
		expect(previewLabel(p)).toBe('Free preview: the first 1:00 of 2:00 was separated');
		expect(separatedLine(120, 40.31, p)).toBe('1:00 of 2:00 separated in 40.3 s (free preview)');
	});

	it('a whole song says its own length', () => {
		expect(separatedLine(120, 40.31)).toBe('2:00 of audio separated in 40.3 s');
		expect(separatedLine(0.25, 1)).toBe('0.25 s of audio separated in 1.0 s');
		expect(separatedLine(null, null)).toBe('– of audio separated');
	});

	it('follows what the plan cut (the preview length is the policy’s)', () => {
		const rate = 8000;
		const audio = { sampleRate: rate, channels: [new Float32Array(rate * 130)] };
		const plan = applyPlan(audio, false);
		const p = { separatedSeconds: plan.audio.channels[0].length / rate, songSeconds: plan.originalSeconds };
		expect(p.separatedSeconds).toBe(PREVIEW_SECONDS);
		expect(previewLabel(p)).toBe(`Free preview: the first 1:00 of 2:10 was separated`);
	});
});
