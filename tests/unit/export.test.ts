import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { decodeFlac } from '../../src/lib/dsp/flac/decode';
import { parseWav } from '../../src/lib/dsp/wav';
import { AUDIO_FORMATS, encodeAudio, extensionOf, mixFileName, stemFileName, stemsZip, zipFileName } from '../../src/lib/export/files';
import { mixStems, presetById, selectionName } from '../../src/lib/mixdown/mix';
import { noise } from './signals';

const names = ['vocals', 'drums', 'bass', 'other'];
const result = {
	sampleRate: 48000,
	notes: [],
	stems: names.map((name, s) => ({ name, channels: [noise(4800, s + 1, 0.2), noise(4800, s + 21, 0.2)] }))
};

describe('file names', () => {
	it('carry song, stem and model, and the format extension', () => {
		expect(stemFileName('My Song.mp3', 'vocals')).toBe('My Song - vocals.wav');
		expect(stemFileName('My Song.mp3', 'vocals', { model: 'bsr-4stem-synth', format: 'flac24' })).toBe('My Song - vocals (bsr-4stem-synth).flac');
		expect(stemFileName('a/b:c?.wav', 'instrumental', { model: 'x/y', format: 'float32' })).toBe('a_b_c_ - instrumental (x_y).wav');
		expect(stemFileName('.wav', 'bass')).toBe('audio - bass.wav');
		expect(zipFileName('Song.flac', { model: 'm1' })).toBe('Song - stems wav24 (m1).zip');
		expect(zipFileName('Song.flac', { model: 'm1', format: 'flac16' })).toBe('Song - stems flac16 (m1).zip');
		// every format its own zip name
		const zips = AUDIO_FORMATS.map((f) => zipFileName('Song.wav', { model: 'm1', format: f.value }));
		expect(new Set(zips).size).toBe(AUDIO_FORMATS.length);
		expect(extensionOf('flac16')).toBe('flac');
	});

	it('a normalised mix is named for its target, apart from the plain mix', () => {
		expect(mixFileName('Song.mp3', 'instrumental', { model: 'm1' })).toBe('Song - instrumental (m1).wav');
		expect(mixFileName('Song.mp3', 'instrumental', { model: 'm1', lufs: -14 })).toBe('Song - instrumental -14 LUFS (m1).wav');
		expect(mixFileName('Song.mp3', 'a cappella', { format: 'flac24', lufs: -16.5 })).toBe('Song - a cappella -16.5 LUFS.flac');
	});
});

describe('encodeAudio', () => {
	const audio = { sampleRate: 48000, channels: result.stems[0].channels };
	it('writes FLAC 16 and 24-bit that decode back within the quantisation step', () => {
		for (const [format, bits] of [['flac16', 16], ['flac24', 24]] as const) {
			const back = decodeFlac(encodeAudio(audio, format));
			expect(back.sampleRate).toBe(48000);
			expect(back.bitsPerSample).toBe(bits);
			let worst = 0;
			for (let c = 0; c < 2; c++) for (let i = 0; i < 4800; i++) worst = Math.max(worst, Math.abs(back.channels[c][i] - audio.channels[c][i]));
			expect(worst).toBeLessThanOrEqual((bits === 16 ? 1.5 : 0.5) / 2 ** (bits - 1) + 1e-9);
		}
	});
	it('writes WAV 32-bit float exactly', () => {
		const back = parseWav(encodeAudio(audio, 'float32'));
		expect(Array.from(back.channels[1])).toEqual(Array.from(audio.channels[1]));
	});
});

describe('stem zip and preset mix', () => {
	it('zips every stem as FLAC with model in the names', () => {
		const files = unzipSync(stemsZip('Song.wav', result, 'flac24', { model: 'm' }));
		expect(Object.keys(files).sort()).toEqual(names.map((n) => `Song - ${n} (m).flac`).sort());
		expect(decodeFlac(files['Song - drums (m).flac']).channels[0]).toHaveLength(4800);
	});
	it('an instrumental export at set volumes is the sum of the other stems at those volumes', () => {
		const sel = presetById('instrumental').select(names)!;
		const volumes = [1, 0.7, 1.2, 0.5];
		const file = encodeAudio(mixStems(result.stems, sel, volumes, 48000), 'float32');
		const mix = parseWav(file);
		let err = 0;
		for (let c = 0; c < 2; c++) {
			for (let i = 0; i < 4800; i++) {
				const want = 0.7 * result.stems[1].channels[c][i] + 1.2 * result.stems[2].channels[c][i] + 0.5 * result.stems[3].channels[c][i];
				err = Math.max(err, Math.abs(mix.channels[c][i] - want));
			}
		}
		expect(err).toBeLessThan(1e-6);
		expect(stemFileName('Song.wav', selectionName(names, sel), { model: 'm', format: 'float32' })).toBe('Song - instrumental (m).wav');
	});
});
