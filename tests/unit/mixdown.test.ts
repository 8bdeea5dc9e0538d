import { describe, expect, it } from 'vitest';
import { PRESETS, mixStems, peakLevel, presetById, selectionName } from '../../src/lib/mixdown/mix';
import { noise } from './signals';

const names = ['vocals', 'drums', 'bass', 'other'];
const stems = names.map((name, s) => ({ name, channels: [noise(500, s + 1), noise(500, s + 11)] }));

describe('presets', () => {
	it('select the expected stems', () => {
		expect(presetById('instrumental').select(names)).toEqual([false, true, true, true]);
		expect(presetById('drumless').select(names)).toEqual([true, false, true, true]);
		expect(presetById('bassless').select(names)).toEqual([true, true, false, true]);
		expect(presetById('acappella').select(names)).toEqual([true, false, false, false]);
	});
	it('do not apply to a model without that stem', () => {
		expect(presetById('drumless').select(['vocals', 'instrumental'])).toBeNull();
		expect(presetById('instrumental').select(['vocals', 'instrumental'])).toEqual([false, true]);
		expect(PRESETS.map((p) => p.select(['vocals']) !== null)).toEqual([false, false, false, true]);
	});
	it('name selections for files', () => {
		expect(selectionName(names, [false, true, true, true])).toBe('instrumental');
		expect(selectionName(names, [true, false, false, false])).toBe('a cappella');
		expect(selectionName(names, [true, true, true, true])).toBe('full mix');
		expect(selectionName(names, [false, true, false, true])).toBe('drums+other');
	});
});

describe('mixStems', () => {
	it('sums the selected stems with their volumes, sample by sample', () => {
		const volumes = [1, 0.5, 1.25, 0.8];
		const mix = mixStems(stems, [false, true, true, true], volumes, 48000);
		expect(mix.sampleRate).toBe(48000);
		expect(mix.channels).toHaveLength(2);
		for (let c = 0; c < 2; c++) {
			for (let i = 0; i < 500; i++) {
				const want = 0.5 * stems[1].channels[c][i] + 1.25 * stems[2].channels[c][i] + 0.8 * stems[3].channels[c][i];
				expect(mix.channels[c][i]).toBeCloseTo(want, 6);
			}
		}
	});
	it('gives the input back from all stems at unit volume, and silence from none', () => {
		const all = mixStems(stems, [true, true, true, true], [1, 1, 1, 1], 44100);
		expect(all.channels[1][123]).toBeCloseTo(stems.reduce((s, x) => s + x.channels[1][123], 0), 6);
		expect(peakLevel(mixStems(stems, [false, false, false, false], [1, 1, 1, 1], 44100))).toBe(0);
	});
	it('refuses mismatched selections', () => {
		expect(() => mixStems(stems, [true], [1], 44100)).toThrow();
	});
});
