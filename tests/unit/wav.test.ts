import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../src/lib/dsp/audio';
import { encodeWav, parseWav } from '../../src/lib/dsp/wav';
import { maxAbsDiff } from './golden';
import { noise, sine } from './signals';

const audio = { sampleRate: 48000, channels: [sine(440, 48000, 1000), noise(1000, 3)] };

describe('WAV writer and reader', () => {
	it('round-trips 32-bit float exactly', () => {
		const back = parseWav(encodeWav(audio, { format: 'float32' }));
		expect(back.sampleRate).toBe(48000);
		expect(back.channels).toHaveLength(2);
		expect(maxAbsDiff(back.channels[1], audio.channels[1])).toBe(0);
	});

	it('round-trips 24-bit within half an LSB', () => {
		const back = parseWav(encodeWav(audio, { format: 'pcm24' }));
		expect(maxAbsDiff(back.channels[0], audio.channels[0])).toBeLessThanOrEqual(0.5 / 8388608 + 1e-9);
	});

	it('round-trips 16-bit without dither within half an LSB, with TPDF dither within 1.5 LSB', () => {
		const plain = parseWav(encodeWav(audio, { format: 'pcm16', dither: false }));
		expect(maxAbsDiff(plain.channels[0], audio.channels[0])).toBeLessThanOrEqual(0.5 / 32768 + 1e-9);
		const dithered = parseWav(encodeWav(audio, { format: 'pcm16' }));
		const err = maxAbsDiff(dithered.channels[0], audio.channels[0]);
		expect(err).toBeGreaterThan(0.5 / 32768);
		expect(err).toBeLessThanOrEqual(1.5 / 32768 + 1e-9);
	});

	it('writes a canonical header', () => {
		const bytes = encodeWav({ sampleRate: 44100, channels: [new Float32Array(10)] }, { format: 'pcm24' });
		const v = new DataView(bytes.buffer);
		expect(bytes.length).toBe(44 + 30);
		expect(v.getUint32(4, true)).toBe(36 + 30);
		expect(v.getUint16(20, true)).toBe(1);
		expect(v.getUint32(28, true)).toBe(44100 * 3);
		expect(v.getUint16(34, true)).toBe(24);
	});

	it('clips out-of-range samples instead of wrapping', () => {
		const loud = { sampleRate: 8000, channels: [new Float32Array([1.5, -1.5, 1])] };
		const back = parseWav(encodeWav(loud, { format: 'pcm16', dither: false }));
		expect(Array.from(back.channels[0])).toEqual([32767 / 32768, -1, 32767 / 32768]);
	});
});

function wavHeader(opts: { tag: number; channels: number; rate: number; bits: number; dataBytes: number; extensible?: boolean }) {
	const fmtSize = opts.extensible ? 40 : 16;
	const bytes = new Uint8Array(20 + fmtSize + 8 + opts.dataBytes);
	const v = new DataView(bytes.buffer);
	const id = (o: number, s: string) => [...s].forEach((c, i) => (bytes[o + i] = c.charCodeAt(0)));
	id(0, 'RIFF');
	v.setUint32(4, bytes.length - 8, true);
	id(8, 'WAVE');
	id(12, 'fmt ');
	v.setUint32(16, fmtSize, true);
	v.setUint16(20, opts.extensible ? 0xfffe : opts.tag, true);
	v.setUint16(22, opts.channels, true);
	v.setUint32(24, opts.rate, true);
	const align = (opts.channels * opts.bits) / 8;
	v.setUint32(28, opts.rate * align, true);
	v.setUint16(32, align, true);
	v.setUint16(34, opts.bits, true);
	if (opts.extensible) v.setUint16(20 + 24, opts.tag, true); // SubFormat GUID starts with the tag
	id(20 + fmtSize, 'data');
	v.setUint32(24 + fmtSize, opts.dataBytes, true);
	return { bytes, view: v, data: 28 + fmtSize };
}

describe('WAV reader formats', () => {
	it('reads unsigned 8-bit', () => {
		const { bytes, data } = wavHeader({ tag: 1, channels: 1, rate: 8000, bits: 8, dataBytes: 3 });
		bytes.set([0, 128, 255], data);
		expect(Array.from(parseWav(bytes).channels[0])).toEqual([-1, 0, 127 / 128]);
	});

	it('reads WAVE_FORMAT_EXTENSIBLE 24-bit, 6 channels', () => {
		const { bytes, view, data } = wavHeader({ tag: 1, channels: 6, rate: 96000, bits: 24, dataBytes: 18, extensible: true });
		for (let c = 0; c < 6; c++) {
			const q = (c - 3) * 1000000;
			view.setUint8(data + c * 3, q & 0xff);
			view.setUint8(data + c * 3 + 1, (q >> 8) & 0xff);
			view.setInt8(data + c * 3 + 2, q >> 16);
		}
		const a = parseWav(bytes);
		expect(a.sampleRate).toBe(96000);
		expect(a.channels.map((c) => c[0] * 8388608)).toEqual([-3e6, -2e6, -1e6, 0, 1e6, 2e6]);
	});

	it('reads 64-bit float', () => {
		const { bytes, view, data } = wavHeader({ tag: 3, channels: 1, rate: 22050, bits: 64, dataBytes: 16 });
		view.setFloat64(data, 0.25, true);
		view.setFloat64(data + 8, -0.75, true);
		expect(Array.from(parseWav(bytes).channels[0])).toEqual([0.25, -0.75]);
	});

	it('keeps the audio of a file whose data chunk claims more than it holds', () => {
		const { bytes, view, data } = wavHeader({ tag: 1, channels: 1, rate: 8000, bits: 16, dataBytes: 4 });
		view.setUint32(data - 4, 1_000_000, true);
		expect(parseWav(bytes).channels[0]).toHaveLength(2);
	});

	it.each([
		['compressed (ADPCM)', () => wavHeader({ tag: 2, channels: 1, rate: 8000, bits: 4, dataBytes: 4 }).bytes, /encoded as Microsoft ADPCM.*Convert it/],
		['empty data chunk', () => wavHeader({ tag: 1, channels: 1, rate: 8000, bits: 16, dataBytes: 0 }).bytes, /no audio samples/],
		['zero channels', () => wavHeader({ tag: 1, channels: 0, rate: 8000, bits: 16, dataBytes: 4 }).bytes, /zero channels/],
		['absurd sample rate', () => wavHeader({ tag: 1, channels: 1, rate: 1, bits: 16, dataBytes: 4 }).bytes, /sample rate of 1 Hz/],
		['12-bit container', () => wavHeader({ tag: 1, channels: 1, rate: 8000, bits: 12, dataBytes: 4 }).bytes, /not supported|no audio/],
		['header only', () => wavHeader({ tag: 1, channels: 1, rate: 8000, bits: 16, dataBytes: 0 }).bytes.slice(0, 30), /damaged/],
		['not a WAV', () => new Uint8Array(64), /not a WAV/]
	])('gives a clear error for %s', (_, make, message) => {
		expect(() => parseWav(make())).toThrow(AudioFormatError);
		expect(() => parseWav(make())).toThrow(message);
	});
});
