import { describe, expect, it } from 'vitest';
import { toModelChannels, toOutputChannels } from '../../src/lib/dsp/channels';

const ch = (...v: number[]) => new Float32Array(v);

describe('channel conforming', () => {
	it('passes stereo through', () => {
		const input = [ch(1), ch(2)];
		expect(toModelChannels(input, 2)).toEqual({ channels: input, note: null });
	});

	it('turns mono into dual mono and the stems back into mono', () => {
		const { channels, note } = toModelChannels([ch(0.5, -0.5)], 2);
		expect(channels.map((c) => Array.from(c))).toEqual([[0.5, -0.5], [0.5, -0.5]]);
		expect(note).toMatch(/Mono/);
		expect(Array.from(toOutputChannels([ch(1, 0), ch(0, 1)], 1)[0])).toEqual([0.5, 0.5]);
	});

	it('downmixes 5.1 per ITU-R BS.775 without the LFE', () => {
		// L R C LFE Ls Rs, each channel a distinct impulse position
		const input = [ch(1, 0, 0, 0, 0, 0), ch(0, 1, 0, 0, 0, 0), ch(0, 0, 1, 0, 0, 0), ch(0, 0, 0, 1, 0, 0), ch(0, 0, 0, 0, 1, 0), ch(0, 0, 0, 0, 0, 1)];
		const { channels, note } = toModelChannels(input, 2);
		const h = Math.SQRT1_2;
		expect(Array.from(channels[0])).toEqual(Array.from(ch(1, 0, h, 0, h, 0)));
		expect(Array.from(channels[1])).toEqual(Array.from(ch(0, 1, h, 0, 0, h)));
		expect(note).toMatch(/5\.1/);
	});

	it('downmixes unknown layouts by alternating channels, keeping level', () => {
		const input = Array.from({ length: 10 }, () => ch(1));
		const { channels, note } = toModelChannels(input, 2);
		expect(channels[0][0]).toBeCloseTo(1);
		expect(channels[1][0]).toBeCloseTo(1);
		expect(note).toMatch(/10-channel/);
	});

	it('mixes to mono for a mono model', () => {
		expect(Array.from(toModelChannels([ch(1), ch(0)], 1).channels[0])).toEqual([0.5]);
	});
});
