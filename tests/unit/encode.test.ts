import { describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { MPEGDecoder } from 'mpg123-decoder';
import { ENCODER_DELAY, FRAME_SAMPLES, crc16Lame, encodeMp3, mp3Frames, mp3Rate } from '../../src/lib/encode/mp3';
import { OggWriter, oggCrc, oggOpusFile, oggPackets, opusPacketSamples, readOggPages } from '../../src/lib/encode/ogg';
import { id3Key, id3v2, tagFields, vorbisComments, type AudioTags } from '../../src/lib/encode/tags';
import { AUDIO_FORMATS, FORMAT_TAGS, encodeAudio, encodeAudioFile, extensionOf, fileTags, mimeOf, stemFileName, stemsZip, zipFileName } from '../../src/lib/export/files';

const TAGS: AudioTags = { song: 'My Song', stem: 'bass', model: 'bsr-4stem', bpm: 123.456, key: 'A minor', encoder: 'test' };

/** A click burst at `onset` in silence, per channel. */
function burst(frames: number, onset: number, channels = 2): Float32Array[] {
	return Array.from({ length: channels }, () => {
		const x = new Float32Array(frames);
		for (let i = onset; i < Math.min(frames, onset + 300); i++) x[i] = 0.8 * Math.sin(i * 0.35) * Math.exp(-(i - onset) / 150);
		return x;
	});
}

const firstAbove = (x: Float32Array, level: number) => x.findIndex((v) => Math.abs(v) > level);

async function decodeMp3(bytes: Uint8Array) {
	const decoder = new MPEGDecoder({ enableGapless: true });
	await decoder.ready;
	try {
		return decoder.decode(bytes);
	} finally {
		decoder.free();
	}
}

/** The ID3v2.4 frames of a tag (id -> text; TXXX as "TXXX:description"). */
function readId3(bytes: Uint8Array): Map<string, string> {
	expect(new TextDecoder().decode(bytes.subarray(0, 3))).toBe('ID3');
	expect(bytes[3]).toBe(4);
	const size = (bytes[6] << 21) | (bytes[7] << 14) | (bytes[8] << 7) | bytes[9];
	const out = new Map<string, string>();
	let at = 10;
	while (at < 10 + size) {
		const id = new TextDecoder().decode(bytes.subarray(at, at + 4));
		const len = (bytes[at + 4] << 21) | (bytes[at + 5] << 14) | (bytes[at + 6] << 7) | bytes[at + 7];
		const body = bytes.subarray(at + 10, at + 10 + len);
		expect(body[0]).toBe(3); // UTF-8
		const text = new TextDecoder().decode(body.subarray(1));
		if (id === 'TXXX') {
			const [d, v] = text.split('\u0000');
			out.set(`TXXX:${d}`, v);
		} else out.set(id, text);
		at += 10 + len;
	}
	return out;
}

describe('MP3 (LAME in WebAssembly) with a LAME tag', () => {
	for (const mode of ['cbr320', 'v0'] as const) {
		it(`${mode}: decodes to the input's length with the onset on the same sample (gapless)`, async () => {
			for (const [frames, onset] of [
				[44100, 14700],
				[100_003, 33_333],
				[5000, 1234]
			]) {
				const channels = burst(frames, onset);
				const bytes = await encodeMp3((a, b) => channels.map((c) => c.subarray(a, b)), frames, 2, 44100, { mode }, 4096);
				const decoded = await decodeMp3(bytes);
				expect(decoded.errors).toEqual([]);
				expect(decoded.sampleRate).toBe(44100);
				expect(decoded.samplesDecoded).toBe(frames);
				const found = firstAbove(decoded.channelData[0], 0.05);
				// within 1 ms (44 samples); in fact to the sample
				expect(Math.abs(found - firstAbove(channels[0], 0.05))).toBeLessThanOrEqual(1);
			}
		});
	}

	it('writes an Info frame (CBR) or Xing frame (VBR) whose LAME tag holds delay, padding and valid checksums', async () => {
		const frames = 30_000;
		const channels = burst(frames, 1000);
		for (const mode of ['cbr320', 'v0'] as const) {
			const bytes = await encodeMp3(() => channels, frames, 2, 44100, { mode });
			const all = mp3Frames(bytes);
			const info = bytes.subarray(0, all[0].length);
			const xing = 4 + 32;
			expect(new TextDecoder().decode(info.subarray(xing, xing + 4))).toBe(mode === 'cbr320' ? 'Info' : 'Xing');
			const view = new DataView(info.buffer, info.byteOffset);
			expect(view.getUint32(xing + 8)).toBe(all.length - 1); // audio frames
			expect(view.getUint32(xing + 12)).toBe(bytes.length); // bytes (no ID3 here)
			const lame = xing + 120;
			expect(new TextDecoder().decode(info.subarray(lame, lame + 9))).toBe('LAME3.100');
			const delay = (info[lame + 21] << 4) | (info[lame + 22] >> 4);
			const padding = ((info[lame + 22] & 0x0f) << 8) | info[lame + 23];
			expect(delay).toBe(ENCODER_DELAY);
			expect((all.length - 1) * FRAME_SAMPLES - delay - padding).toBe(frames);
			expect(view.getUint16(lame + 34)).toBe(crc16Lame(info, 0, lame + 34));
			expect(view.getUint16(lame + 32)).toBe(crc16Lame(bytes, all[1].offset));
			if (mode === 'cbr320') expect(all.every((f) => f.bitrate === 320)).toBe(true);
			else expect(new Set(all.slice(1).map((f) => f.bitrate)).size).toBeGreaterThan(1);
		}
	});

	it('keeps the onset for mono, 48 kHz and a rate MP3 lacks (resampled, zero phase)', async () => {
		const cases: [number, number][] = [
			[48000, 1],
			[22050, 2],
			[96000, 2]
		];
		for (const [rate, count] of cases) {
			const frames = rate; // one second
			const onset = Math.round(rate * 0.4);
			const channels = burst(frames, onset, count);
			const bytes = await encodeMp3((a, b) => channels.map((c) => c.subarray(a, b)), frames, count, rate, { mode: 'cbr320' }, 10_000);
			const decoded = await decodeMp3(bytes);
			const out = mp3Rate(rate);
			expect(decoded.sampleRate).toBe(out);
			expect(bytes[3] >> 6 === 3).toBe(count === 1); // channel mode: mono (the decoder returns two channels regardless)
			expect(decoded.samplesDecoded).toBe(Math.round((frames * out) / rate));
			const found = firstAbove(decoded.channelData[0], 0.05) / out;
			expect(Math.abs(found - firstAbove(channels[0], 0.05) / rate)).toBeLessThan(0.001);
		}
	});

	it('puts an ID3v2.4 tag with the song, stem, model, tempo and key before the audio', async () => {
		const channels = burst(20_000, 100);
		const bytes = await encodeMp3(() => channels, 20_000, 2, 44100, { mode: 'v0', tags: TAGS });
		const tag = readId3(bytes);
		expect(tag.get('TIT2')).toBe('My Song - bass');
		expect(tag.get('TALB')).toBe('My Song');
		expect(tag.get('TBPM')).toBe('123');
		expect(tag.get('TKEY')).toBe('Am');
		expect(tag.get('TXXX:STEM')).toBe('bass');
		expect(tag.get('TXXX:MODEL')).toBe('bsr-4stem');
		expect(tag.get('TXXX:BPM')).toBe('123.46');
		expect(tag.get('TXXX:KEY')).toBe('A minor');
		expect(tag.get('TSSE')).toBe('test');
		expect((await decodeMp3(bytes)).samplesDecoded).toBe(20_000);
	});

	it('refuses more than two channels', async () => {
		await expect(encodeMp3(() => [], 10, 3, 44100, { mode: 'v0' })).rejects.toThrow(/one or two channels/);
	});
});

describe('tags', () => {
	it('names keys as ID3 does', () => {
		expect(id3Key('A minor')).toBe('Am');
		expect(id3Key('F# major')).toBe('F#');
		expect(id3Key('Eb major')).toBe('D#');
		expect(id3Key('Bb minor')).toBe('A#m');
		expect(id3Key('C')).toBe('C');
		expect(id3Key('not a key')).toBeNull();
	});

	it('leaves out what the analysis did not find', () => {
		expect(tagFields({ song: 'S', stem: 'drums' })).toEqual([
			['TITLE', 'S - drums'],
			['ALBUM', 'S'],
			['STEM', 'drums']
		]);
		const tag = readId3(id3v2({ song: 'Ünïcode', stem: 'vocals', bpm: null, key: null }));
		expect(tag.get('TIT2')).toBe('Ünïcode - vocals');
		expect(tag.has('TBPM')).toBe(false);
		expect(tag.has('TKEY')).toBe(false);
	});

	it('writes Vorbis comments: vendor, count, NAME=value', () => {
		const c = vorbisComments('vendor', TAGS);
		const view = new DataView(c.buffer);
		expect(view.getUint32(0, true)).toBe(6);
		expect(new TextDecoder().decode(c.subarray(4, 10))).toBe('vendor');
		expect(view.getUint32(10, true)).toBe(tagFields(TAGS).length);
		const text = new TextDecoder().decode(c);
		for (const field of ['TITLE=My Song - bass', 'ALBUM=My Song', 'STEM=bass', 'MODEL=bsr-4stem', 'BPM=123.46', 'KEY=A minor']) expect(text).toContain(field);
	});

	it('takes a result file tags from its analysis', () => {
		const tags = fileTags('Song.flac', 'vocals', { analysis: { tempo: { bpm: 100, confidence: 1 }, key: { name: 'C major' } } as never }, 'm1');
		expect(tags).toEqual({ song: 'Song', stem: 'vocals', model: 'm1', bpm: 100, key: 'C major' });
		expect(fileTags('Song.flac', 'mix', null)).toMatchObject({ bpm: null, key: null });
	});
});

describe('Ogg Opus', () => {
	it('computes the Ogg CRC (known value of "OggS" page with zero CRC)', () => {
		expect(oggCrc(new Uint8Array(0))).toBe(0);
		expect(oggCrc(new TextEncoder().encode('123456789'))).toBe(0x89a1897f); // CRC-32/MPEG-2 without the initial all-ones: CRC-32/ogg check value
	});

	it('pages packets of any size, 255-byte multiples and over a page, and reads them back', () => {
		const w = new OggWriter(7);
		const sizes = [19, 0, 255, 510, 300, 200_000, 1, 4000, 254];
		const packets = sizes.map((n, k) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + k) & 0xff));
		packets.forEach((p, i) => {
			w.packet(p, i * 10, i < 2, i === packets.length - 1);
			w.pageIfFull();
		});
		const pages = readOggPages(w.bytes());
		expect(pages.every((p) => p.crcOk && p.serial === 7)).toBe(true);
		expect(pages.map((p) => p.sequence)).toEqual(pages.map((_, i) => i));
		expect(pages[0].flags & 2).toBe(2);
		expect(pages.at(-1)!.flags & 4).toBe(4);
		expect(pages.filter((p) => p.flags & 4).length).toBe(1);
		expect(pages.every((p) => p.segments.length <= 255)).toBe(true);
		// a page continuing a packet says so; a page on which no packet ends has granule -1
		expect(pages.some((p) => p.flags & 1)).toBe(true);
		expect(pages.some((p) => p.granule === -1)).toBe(true);
		const back = oggPackets(pages);
		expect(back.map((p) => p.length)).toEqual(sizes);
		back.forEach((p, i) => expect(p).toEqual(packets[i]));
		expect(pages.at(-1)!.granule).toBe((sizes.length - 1) * 10);
	});

	it('counts the samples of Opus packets from their TOC byte', () => {
		expect(opusPacketSamples(Uint8Array.of((31 << 3) | 0))).toBe(960); // CELT FB 20 ms, one frame
		expect(opusPacketSamples(Uint8Array.of((31 << 3) | 1))).toBe(1920); // two frames
		expect(opusPacketSamples(Uint8Array.of((28 << 3) | 3, 3))).toBe(360); // CELT 2.5 ms x 3
		expect(opusPacketSamples(Uint8Array.of(3 << 3))).toBe(2880); // SILK 60 ms
	});

	it('writes OpusHead (pre-skip, the input rate) and OpusTags on their own pages, and ends at pre-skip + samples', () => {
		const packet = (n: number) => Uint8Array.of((31 << 3) | 0, ...Array.from({ length: n }, (_, i) => i & 0xff));
		const packets = Array.from({ length: 60 }, (_, i) => packet(100 + i));
		const samples = 60 * 960 - 700; // the encoder padded the last packet
		const file = oggOpusFile(packets, { channels: 2, preSkip: 312, inputRate: 44100 }, samples, 'vendor', TAGS);
		const pages = readOggPages(file);
		expect(pages.every((p) => p.crcOk)).toBe(true);
		const head = oggPackets([pages[0]])[0];
		expect(new TextDecoder().decode(head.subarray(0, 8))).toBe('OpusHead');
		expect(head[9]).toBe(2);
		expect(head[10] | (head[11] << 8)).toBe(312);
		expect(new DataView(head.buffer).getUint32(12, true)).toBe(44100);
		expect(pages[0].granule).toBe(0);
		expect(pages[1].granule).toBe(0);
		const tags = new TextDecoder().decode(oggPackets([pages[1]])[0]);
		expect(tags.startsWith('OpusTags')).toBe(true);
		expect(tags).toContain('KEY=A minor');
		expect(pages.at(-1)!.granule).toBe(312 + samples);
		expect(pages.at(-1)!.flags & 4).toBe(4);
		// granule positions never decrease
		const granules = pages.map((p) => p.granule).filter((g) => g >= 0);
		expect(granules).toEqual([...granules].sort((a, b) => a - b));
		expect(oggPackets(pages).slice(2)).toEqual(packets);
	});
});

describe('the format menu and file names', () => {
	it('says which formats are lossy, and names their files and zips apart', () => {
		const lossy = AUDIO_FORMATS.filter((f) => f.lossy);
		expect(lossy.map((f) => f.value)).toEqual(['mp3-320', 'mp3-v0', 'opus']);
		expect(lossy.every((f) => /lossy/.test(f.label))).toBe(true);
		expect(AUDIO_FORMATS.filter((f) => !f.lossy).every((f) => !/lossy/.test(f.label))).toBe(true);
		expect(new Set(Object.values(FORMAT_TAGS)).size).toBe(Object.keys(FORMAT_TAGS).length);
		expect(extensionOf('mp3-v0')).toBe('mp3');
		expect(extensionOf('opus')).toBe('opus');
		expect(mimeOf('mp3-320')).toBe('audio/mpeg');
		expect(mimeOf('opus')).toMatch(/^audio\/ogg/);
		expect(stemFileName('Song.wav', 'bass', { format: 'mp3-320', model: 'm' })).toBe('Song - bass (m).mp3');
		expect(zipFileName('Song.wav', { format: 'opus' })).toBe('Song - stems opus.zip');
	});

	it('encodes compressed formats asynchronously only, and zips encoded stems with extras', async () => {
		const audio = { sampleRate: 44100, channels: burst(8000, 2000) };
		expect(() => encodeAudio(audio, 'mp3-320')).toThrow(/asynchronously/);
		const mp3 = await encodeAudioFile(audio, 'mp3-320', TAGS);
		expect((await decodeMp3(mp3)).samplesDecoded).toBe(8000);
		expect(await encodeAudioFile(audio, 'pcm24')).toEqual(encodeAudio(audio, 'pcm24'));
		const result = { sampleRate: 44100, stems: [{ name: 'bass', channels: audio.channels }], notes: [] } as never;
		const zip = unzipSync(stemsZip('Song.wav', result, 'mp3-320', { encoded: [mp3], extras: [{ name: 'Song - bass.mid', bytes: Uint8Array.of(1, 2) }] }));
		expect(Object.keys(zip).sort()).toEqual(['Song - bass.mid', 'Song - bass.mp3']);
		expect(zip['Song - bass.mp3']).toEqual(mp3);
	});
});
