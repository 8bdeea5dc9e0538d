import { describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../src/lib/dsp/audio';
import { parseAiff, readExtended } from '../../src/lib/dsp/aiff';
import { decodeAudioFile, sniffContainer } from '../../src/lib/dsp/decode';

/** 80-bit extended big-endian encoding of a positive integer rate. */
function extended(rate: number): Uint8Array {
	const out = new Uint8Array(10);
	const v = new DataView(out.buffer);
	const e = Math.floor(Math.log2(rate));
	v.setUint16(0, 16383 + e);
	const mant = BigInt(rate) << BigInt(63 - e);
	v.setUint32(2, Number(mant >> 32n));
	v.setUint32(6, Number(mant & 0xffffffffn));
	return out;
}

function aiff(opts: { aifc?: string; channels: number; bits: number; rate: number; samples: number[]; write: (v: DataView, o: number, x: number) => void; bytesPer: number }) {
	const frames = opts.samples.length / opts.channels;
	const commSize = opts.aifc ? 22 + 2 : 18;
	const ssndSize = 8 + opts.samples.length * opts.bytesPer;
	const total = 12 + 8 + commSize + 8 + ssndSize;
	const bytes = new Uint8Array(total);
	const v = new DataView(bytes.buffer);
	const id = (o: number, s: string) => [...s].forEach((c, i) => (bytes[o + i] = c.charCodeAt(0)));
	id(0, 'FORM');
	v.setUint32(4, total - 8);
	id(8, opts.aifc ? 'AIFC' : 'AIFF');
	id(12, 'COMM');
	v.setUint32(16, commSize);
	v.setUint16(20, opts.channels);
	v.setUint32(22, frames);
	v.setUint16(26, opts.bits);
	bytes.set(extended(opts.rate), 28);
	if (opts.aifc) id(38, opts.aifc);
	const s = 20 + commSize;
	id(s, 'SSND');
	v.setUint32(s + 4, ssndSize);
	opts.samples.forEach((x, i) => opts.write(v, s + 16 + i * opts.bytesPer, x));
	return bytes;
}

describe('AIFF reader', () => {
	it('decodes the 80-bit sample rate', () => {
		for (const rate of [8000, 44100, 48000, 88200, 192000]) {
			expect(readExtended(new DataView(extended(rate).buffer), 0)).toBe(rate);
		}
	});

	it('reads big-endian 16-bit stereo AIFF', () => {
		const bytes = aiff({ channels: 2, bits: 16, rate: 44100, samples: [16384, -16384, 0, 32767], bytesPer: 2, write: (v, o, x) => v.setInt16(o, x) });
		expect(sniffContainer(bytes)).toBe('aiff');
		const a = parseAiff(bytes);
		expect(a.sampleRate).toBe(44100);
		expect(Array.from(a.channels[0])).toEqual([0.5, 0]);
		expect(Array.from(a.channels[1])).toEqual([-0.5, 32767 / 32768]);
	});

	it("reads AIFF-C 'sowt' (little-endian) and 'fl32'", () => {
		const sowt = aiff({ aifc: 'sowt', channels: 1, bits: 16, rate: 48000, samples: [8192], bytesPer: 2, write: (v, o, x) => v.setInt16(o, x, true) });
		expect(parseAiff(sowt).channels[0][0]).toBe(0.25);
		const fl32 = aiff({ aifc: 'fl32', channels: 1, bits: 32, rate: 48000, samples: [-0.125], bytesPer: 4, write: (v, o, x) => v.setFloat32(o, x) });
		expect(parseAiff(fl32).channels[0][0]).toBe(-0.125);
	});

	it('reads 24-bit big-endian', () => {
		const bytes = aiff({ channels: 1, bits: 24, rate: 96000, samples: [-4194304], bytesPer: 3, write: (v, o, x) => { v.setInt8(o, x >> 16); v.setUint8(o + 1, (x >> 8) & 255); v.setUint8(o + 2, x & 255); } });
		expect(parseAiff(bytes).channels[0][0]).toBe(-0.5);
	});

	it('refuses compressed AIFF-C with a clear message', () => {
		const bytes = aiff({ aifc: 'ima4', channels: 1, bits: 16, rate: 44100, samples: [0], bytesPer: 2, write: () => {} });
		expect(() => parseAiff(bytes)).toThrow(/IMA 4:1 ADPCM.*Convert it/);
	});
});

describe('decodeAudioFile', () => {
	const failing = async () => {
		throw new Error('EncodingError: Unable to decode audio data');
	};
	it('refuses an empty file', async () => {
		await expect(decodeAudioFile(new ArrayBuffer(0), failing)).rejects.toThrow(/empty/);
	});
	it('turns a platform decode failure into a user message', async () => {
		await expect(decodeAudioFile(new Uint8Array([1, 2, 3, 4]).buffer, failing)).rejects.toThrow(AudioFormatError);
		await expect(decodeAudioFile(new Uint8Array([1, 2, 3, 4]).buffer, failing)).rejects.toThrow(/couldn't be decoded/);
	});
	it('uses the platform decoder for other formats and validates its output', async () => {
		const ok = async () => ({ sampleRate: 44100, channels: [new Float32Array([0, 0.5, -0.5, 0])] });
		expect((await decodeAudioFile(new Uint8Array([0x49, 0x44, 0x33, 0]).buffer, ok)).sampleRate).toBe(44100);
		const silent = async () => ({ sampleRate: 44100, channels: [new Float32Array(0)] });
		await expect(decodeAudioFile(new Uint8Array([0x49, 0x44, 0x33, 0]).buffer, silent)).rejects.toThrow(/no audio samples/);
	});
});
