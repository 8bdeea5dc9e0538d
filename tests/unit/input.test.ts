import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AudioFormatError, type AudioData } from '../../src/lib/dsp/audio';
import { parseAiff } from '../../src/lib/dsp/aiff';
import { MAX_FILE_BYTES, decodeAudioFile, decodeUserFile, type PlatformDecoder } from '../../src/lib/dsp/decode';
import { encodeWav, parseWav } from '../../src/lib/dsp/wav';
import { probeCompressed } from '../../src/lib/input/probe';
import { sine } from './signals';

const tone = (seconds: number, rate = 44100): AudioData => ({ sampleRate: rate, channels: [sine(440, rate, Math.round(seconds * rate)), sine(220, rate, Math.round(seconds * rate))] });
const never: PlatformDecoder = async () => {
	throw new Error('platform decoder must not be called');
};

describe('input size is checked before reading', () => {
	it('refuses a file over the limit without reading it', async () => {
		let read = false;
		const huge = {
			size: MAX_FILE_BYTES + 100 * 1024 ** 2,
			arrayBuffer: async () => {
				read = true;
				throw new DOMException('The requested file could not be read, typically due to permission problems', 'NotReadableError');
			}
		};
		await expect(decodeUserFile(huge, never)).rejects.toThrow(/2\.1 GiB; Stemsafe accepts files up to 2 GiB/);
		expect(read).toBe(false);
	});
	it('turns a read failure into a message for the user', async () => {
		const broken = { size: 10, arrayBuffer: async () => Promise.reject(new DOMException('x', 'NotReadableError')) };
		await expect(decodeUserFile(broken, never)).rejects.toThrow(/could not be read/);
	});
	it('reads and decodes a normal file', async () => {
		const bytes = encodeWav(tone(0.1), { format: 'float32' });
		const audio = await decodeUserFile({ size: bytes.length, arrayBuffer: async () => bytes.buffer as ArrayBuffer }, never);
		expect(audio.channels[0]).toHaveLength(4410);
		expect(audio.notes).toBeUndefined();
	});
});

describe('truncated WAV/AIFF', () => {
	it('says how much of a truncated WAV was read and that it is separated', async () => {
		const full = encodeWav(tone(45, 8000), { format: 'pcm16', dither: false });
		const cut = full.slice(0, 44 + Math.round(12.3 * 8000) * 4);
		expect(parseWav(cut).declaredFrames).toBe(45 * 8000);
		const audio = await decodeAudioFile(cut.buffer as ArrayBuffer, never);
		expect(audio.channels[0]).toHaveLength(Math.round(12.3 * 8000));
		expect(audio.notes).toEqual(['The file is truncated: 12.3 s of 45.0 s could be read; separating what was read.']);
	});
	it('does not call a streaming WAV (size 0xFFFFFFFF) truncated', async () => {
		const bytes = encodeWav(tone(1, 8000), { format: 'pcm16' });
		new DataView(bytes.buffer).setUint32(40, 0xffffffff, true);
		const audio = await decodeAudioFile(bytes.buffer as ArrayBuffer, never);
		expect(audio.channels[0]).toHaveLength(8000);
		expect(audio.notes).toBeUndefined();
	});
	it('says how much of a truncated AIFF was read', async () => {
		const frames = 80000; // 10 s at 8 kHz, mono 16-bit
		const bytes = new Uint8Array(12 + 26 + 16 + frames * 2);
		const v = new DataView(bytes.buffer);
		const id = (o: number, s: string) => [...s].forEach((c, i) => (bytes[o + i] = c.charCodeAt(0)));
		id(0, 'FORM');
		v.setUint32(4, bytes.length - 8);
		id(8, 'AIFF');
		id(12, 'COMM');
		v.setUint32(16, 18);
		v.setUint16(20, 1);
		v.setUint32(22, frames);
		v.setUint16(26, 16);
		v.setUint16(28, 16383 + 12); // 8000 = 2^12 * 1.953125
		v.setUint32(30, 0xfa000000);
		id(38, 'SSND');
		v.setUint32(42, 8 + frames * 2);
		for (let i = 0; i < frames; i++) v.setInt16(54 + i * 2, Math.round(8000 * Math.sin(i / 5)));
		const cut = bytes.slice(0, 54 + 2.5 * 8000 * 2);
		expect(parseAiff(cut).sampleRate).toBe(8000);
		const audio = await decodeAudioFile(cut.buffer as ArrayBuffer, never);
		expect(audio.notes?.[0]).toBe('The file is truncated: 2.5 s of 10.0 s could be read; separating what was read.');
	});
});

describe('silent and short input', () => {
	it('refuses a silent file with a notice instead of separating it', async () => {
		const silent = encodeWav({ sampleRate: 44100, channels: [new Float32Array(44100 * 3), new Float32Array(44100 * 3)] }, { format: 'pcm16', dither: false });
		await expect(decodeAudioFile(silent.buffer as ArrayBuffer, never)).rejects.toThrow(AudioFormatError);
		await expect(decodeAudioFile(silent.buffer as ArrayBuffer, never)).rejects.toThrow('The file is silent (3.0 s with no sound above −96 dBFS), so there is nothing to separate.');
	});
	it('accepts a quiet but not silent file and a 5 ms clip', async () => {
		const quiet = tone(1);
		quiet.channels.forEach((c) => c.forEach((x, i) => (c[i] = x * 1e-3)));
		await expect(decodeAudioFile(encodeWav(quiet, { format: 'float32' }).buffer as ArrayBuffer, never)).resolves.toBeTruthy();
		const clip = await decodeAudioFile(encodeWav(tone(0.005), { format: 'float32' }).buffer as ArrayBuffer, never);
		expect(clip.channels[0]).toHaveLength(221);
	});
});

describe('compressed inputs keep their sample rate', () => {
	const oggOpus = () => {
		const b = new Uint8Array(27 + 1 + 19);
		b.set([...'OggS'].map((c) => c.charCodeAt(0)));
		b[26] = 1;
		b[27] = 19;
		b.set([...'OpusHead'].map((c) => c.charCodeAt(0)), 28);
		new DataView(b.buffer).setUint32(28 + 12, 44100, true); // input rate is informational: Opus decodes at 48k
		return b;
	};
	it('asks the platform decoder for 48 kHz for Ogg Opus, and adds no note when it delivers it', async () => {
		const rates: (number | null)[] = [];
		const platform: PlatformDecoder = async (_, rate) => (rates.push(rate), tone(0.1, rate ?? 44100));
		const audio = await decodeAudioFile(oggOpus().buffer, platform);
		expect(rates).toEqual([48000]);
		expect(audio.sampleRate).toBe(48000);
		expect(audio.notes).toBeUndefined();
	});
	it('says so when the rate is unknown and the decoder resampled', async () => {
		const audio = await decodeAudioFile(new Uint8Array(64).fill(7).buffer, async () => tone(0.1, 44100));
		expect(audio.notes?.[0]).toMatch(/resampled it to 44100 Hz/);
	});
	it('reads rates from MP3, ADTS AAC, FLAC, Vorbis, M4A and WebM headers', () => {
		// MP3: ID3v2 tag of 5 bytes, then an MPEG-1 Layer III frame header at 48 kHz
		const mp3 = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5, 0xff, 0xfb, 0x94, 0x64, 0, 0]);
		expect(probeCompressed(mp3)).toEqual({ codec: 'MP3', sampleRate: 48000 });
		// MPEG-2 Layer III at 22.05 kHz
		expect(probeCompressed(new Uint8Array([0xff, 0xf3, 0x80, 0xc4, 0, 0]))).toEqual({ codec: 'MP3', sampleRate: 22050 });
		// ADTS AAC-LC, sampling index 3 (48 kHz); index 6 (24 kHz) may be HE-AAC: not stated
		expect(probeCompressed(new Uint8Array([0xff, 0xf1, 0x4c, 0x80, 0, 0, 0]))).toEqual({ codec: 'AAC', sampleRate: 48000 });
		expect(probeCompressed(new Uint8Array([0xff, 0xf1, 0x58, 0x80, 0, 0, 0]))).toEqual({ codec: 'AAC', sampleRate: null });
		// FLAC STREAMINFO at 96 kHz
		const flac = new Uint8Array(4 + 4 + 34);
		flac.set([0x66, 0x4c, 0x61, 0x43]);
		flac[18] = (96000 >> 12) & 0xff;
		flac[19] = (96000 >> 4) & 0xff;
		flac[20] = (96000 & 0xf) << 4;
		expect(probeCompressed(flac)).toEqual({ codec: 'FLAC', sampleRate: 96000 });
		// Ogg Vorbis identification header at 32 kHz
		const vorbis = new Uint8Array(28 + 30);
		vorbis.set([0x4f, 0x67, 0x67, 0x53]);
		vorbis[26] = 1;
		vorbis[28] = 1;
		vorbis.set([...'vorbis'].map((c) => c.charCodeAt(0)), 29);
		new DataView(vorbis.buffer).setUint32(28 + 12, 32000, true);
		expect(probeCompressed(vorbis)).toEqual({ codec: 'Vorbis', sampleRate: 32000 });
		expect(probeCompressed(m4a('alac', 96000))).toEqual({ codec: 'Apple Lossless (ALAC)', sampleRate: 96000 });
		expect(probeCompressed(m4a('mp4a', 48000))).toEqual({ codec: 'AAC', sampleRate: 48000 });
		const webm = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 0, 0, ...[...'..A_OPUS..'].map((c) => c.charCodeAt(0))]);
		expect(probeCompressed(webm)).toEqual({ codec: 'Opus', sampleRate: 48000 });
	});
});

/** A minimal MP4: ftyp + moov/trak/mdia/{hdlr soun, minf/stbl/stsd/<codec> entry}. */
function m4a(codec: string, rate: number): Uint8Array {
	const box = (type: string, ...parts: Uint8Array[]) => {
		const len = 8 + parts.reduce((s, p) => s + p.length, 0);
		const out = new Uint8Array(len);
		new DataView(out.buffer).setUint32(0, len);
		out.set([...type].map((c) => c.charCodeAt(0)), 4);
		let o = 8;
		for (const p of parts) (out.set(p, o), (o += p.length));
		return out;
	};
	const hdlr = new Uint8Array(24);
	hdlr.set([...'soun'].map((c) => c.charCodeAt(0)), 8);
	const entry = new Uint8Array(28);
	new DataView(entry.buffer).setUint16(16, 2);
	new DataView(entry.buffer).setUint32(24, rate * 65536);
	const stsdHead = new Uint8Array(8);
	stsdHead[7] = 1;
	const stsd = box('stsd', stsdHead, box(codec, entry));
	const mdhd = new Uint8Array(24);
	new DataView(mdhd.buffer).setUint32(12, rate);
	const moov = box('moov', box('trak', box('mdia', box('mdhd', mdhd), box('hdlr', hdlr), box('minf', box('stbl', stsd)))));
	const ftyp = box('ftyp', new Uint8Array([...'M4A '].map((c) => c.charCodeAt(0))));
	const all = new Uint8Array(ftyp.length + moov.length);
	all.set(ftyp);
	all.set(moov, ftyp.length);
	return all;
}

describe('undecodable codecs are named, with what to do', () => {
	const failing: PlatformDecoder = async () => {
		throw new DOMException('Unable to decode audio data', 'EncodingError');
	};
	it('ALAC in .m4a', async () => {
		await expect(decodeAudioFile(m4a('alac', 44100).buffer as ArrayBuffer, failing)).rejects.toThrow(/Apple Lossless \(ALAC\).*Convert it to WAV or FLAC/);
	});
	it('µ-law and A-law WAV', async () => {
		for (const [tag, name] of [[7, 'µ-law'], [6, 'A-law']] as const) {
			const bytes = encodeWav(tone(0.01, 8000), { format: 'pcm16' });
			const v = new DataView(bytes.buffer);
			v.setUint16(20, tag, true);
			await expect(decodeAudioFile(bytes.buffer as ArrayBuffer, failing)).rejects.toThrow(new RegExp(`${name} \\(G\\.711\\).*Convert it to 16- or 24-bit PCM WAV or to FLAC`));
		}
	});
	it('a known container whose codec the browser refuses', async () => {
		await expect(decodeAudioFile(new Uint8Array([0xff, 0xfb, 0x94, 0x64, 0, 0]).buffer, failing)).rejects.toThrow(/This MP3 file couldn't be decoded.*Convert it to WAV or FLAC/);
	});
});

describe('probes on files written by ffmpeg (tests/fixtures/audio/make_compressed_fixtures.sh)', () => {
	const read = (name: string) => new Uint8Array(readFileSync(new URL(`../fixtures/audio/${name}`, import.meta.url)));
	it.each([
		['tone-48k.opus', { codec: 'Opus', sampleRate: 48000 }],
		['tone-32k.mp3', { codec: 'MP3', sampleRate: 32000 }],
		['tone-alac.m4a', { codec: 'Apple Lossless (ALAC)', sampleRate: 44100 }]
	])('%s', (name, want) => {
		expect(probeCompressed(read(name))).toEqual(want);
	});
});
