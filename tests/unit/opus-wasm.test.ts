/**
 * Ogg Opus through the WebAssembly libopus (what browsers without a WebCodecs Opus encoder use;
 * Node has no WebCodecs, so encodeOpus takes this path here): the file decodes — with FFmpeg, an
 * independent Ogg reader and decoder, and with libopus's own decoder honouring pre-skip and the
 * end granule — to the input's length with the onset on the same sample, and carries its tags.
 * Also which encoder is chosen, and the hand-over when WebCodecs fails before its first packet.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDecoder } from 'libopus-wasm';
import { resample } from '../../src/lib/dsp/resample';
import { oggPackets, readOggPages } from '../../src/lib/encode/ogg';
import { encodeOpus } from '../../src/lib/encode/opus';
import { chooseOpusEncoder, opusEncoderKind, opusSupported } from '../../src/lib/encode/opus-support';
import { encodeAudioFile } from '../../src/lib/export/files';
import type { AudioTags } from '../../src/lib/encode/tags';
import { levelOnset, noise, toneBurst } from './signals';

const TAGS: AudioTags = { song: 'My Song', stem: 'bass', model: 'bsr-4stem', bpm: 123.456, key: 'A minor', encoder: 'test' };
const HAS_FFMPEG = spawnSync('ffmpeg', ['-version']).status === 0;

/** Low noise, then a decaying tone burst at `onset` (an attack to find), per channel. */
function signal(frames: number, onset: number, rate: number, channels: number): Float32Array[] {
	return Array.from({ length: channels }, (_, c) => {
		const x = toneBurst(frames, onset, 220 + 110 * c, rate);
		const n = noise(frames, 12345 + c, 0.0005);
		for (let i = 0; i < frames; i++) x[i] += n[i];
		return x;
	});
}

const head = (file: Uint8Array) => {
	const bytes = oggPackets(readOggPages(file))[0];
	const view = new DataView(bytes.buffer, bytes.byteOffset);
	return { magic: new TextDecoder().decode(bytes.subarray(0, 8)), channels: bytes[9], preSkip: view.getUint16(10, true), inputRate: view.getUint32(12, true) };
};

/** FFmpeg's decoding (48 kHz float, per channel) and the stream's tags. */
function ffmpegDecode(file: Uint8Array, channels: number): { planar: Float32Array[]; tags: Record<string, string> } {
	const dir = mkdtempSync(join(tmpdir(), 'opus-'));
	try {
		const path = join(dir, 'a.opus');
		writeFileSync(path, file);
		const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', path, '-f', 'f32le', '-acodec', 'pcm_f32le', '-'], { maxBuffer: 1 << 28 });
		const interleaved = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
		const n = interleaved.length / channels;
		const planar = Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => interleaved[i * channels + c]));
		const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=sample_rate,channels:stream_tags', '-of', 'json', path], { encoding: 'utf8' }));
		const stream = probe.streams[0];
		expect(Number(stream.sample_rate)).toBe(48000);
		expect(stream.channels).toBe(channels);
		return { planar, tags: Object.fromEntries(Object.entries(stream.tags ?? {}).map(([k, v]) => [k.toUpperCase(), String(v)])) };
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** libopus's decoding of the packets, less the pre-skip and past the last granule position (RFC 7845 4.2, 4.4). */
async function libopusDecode(file: Uint8Array, channels: 1 | 2): Promise<Float32Array[]> {
	const pages = readOggPages(file);
	const { preSkip } = head(file);
	const end = pages.at(-1)!.granule - preSkip;
	const decoder = await createDecoder({ channels });
	try {
		const pcm = oggPackets(pages).slice(2).map((p) => decoder.decodeFloat(p));
		const all = new Float32Array(pcm.reduce((n, p) => n + p.length, 0));
		pcm.reduce((at, p) => (all.set(p, at), at + p.length), 0);
		return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: end }, (_, i) => all[(preSkip + i) * channels + c]));
	} finally {
		decoder.free();
	}
}

/** The input at 48 kHz (zero phase, as the encoder's side resamples it), to compare with. */
const at48k = (planar: Float32Array[], rate: number) => (rate === 48000 ? planar : planar.map((ch) => resample(ch, rate, 48000)));

function expectLinedUp(decoded: Float32Array[], reference: Float32Array[], what: string) {
	expect(decoded[0].length, `${what}: length`).toBe(reference[0].length);
	reference.forEach((ref, c) => {
		const want = levelOnset(ref);
		const got = levelOnset(decoded[c]);
		expect(Math.abs(got - want), `${what}: onset of channel ${c} at ${got}, input's at ${want}`).toBeLessThanOrEqual(48); // 1 ms
	});
	// and it is the signal, not noise: correlation with the input over the burst
	const ref = reference[0], dec = decoded[0];
	let xy = 0, xx = 0, yy = 0;
	for (let i = 0; i < ref.length; i++) (xy += ref[i] * dec[i]), (xx += ref[i] * ref[i]), (yy += dec[i] * dec[i]);
	expect(xy / Math.sqrt(xx * yy), `${what}: correlation`).toBeGreaterThan(0.99);
}

describe('which Opus encoder', () => {
	it('uses WebCodecs where it encodes Opus, else WebAssembly, and offers Opus wherever either runs', async () => {
		expect(chooseOpusEncoder({ webCodecs: true, webAssembly: true })).toBe('webcodecs');
		expect(chooseOpusEncoder({ webCodecs: true, webAssembly: false })).toBe('webcodecs');
		expect(chooseOpusEncoder({ webCodecs: false, webAssembly: true })).toBe('wasm');
		expect(chooseOpusEncoder({ webCodecs: false, webAssembly: false })).toBeNull();
		// Node, like Firefox before 130 or Safari before 26, has no WebCodecs AudioEncoder
		expect(typeof (globalThis as { AudioEncoder?: unknown }).AudioEncoder).toBe('undefined');
		expect(await opusEncoderKind(2)).toBe('wasm');
		expect(await opusSupported()).toBe(true);
	});
});

describe('Ogg Opus from the WebAssembly libopus', () => {
	const cases: [rate: number, channels: 1 | 2, frames: number, onset: number][] = [
		[48000, 2, 48000 + 123, 20_011],
		[44100, 1, 50_001, 17_777]
	];
	for (const [rate, channels, frames, onset] of cases) {
		it(`${rate} Hz, ${channels} channel(s): pre-skip from the encoder, last granule = pre-skip + length, decodes lined up`, async () => {
			const input = signal(frames, onset, rate, channels);
			const file = await encodeOpus((a, b) => input.map((ch) => ch.subarray(a, b)), frames, channels, rate, TAGS, { block: 10_007 });
			const pages = readOggPages(file);
			expect(pages.every((p) => p.crcOk)).toBe(true);
			const h = head(file);
			expect(h).toEqual({ magic: 'OpusHead', channels, preSkip: 312, inputRate: rate }); // libopus's lookahead for 'audio' at 48 kHz
			const reference = at48k(input, rate);
			const samples = reference[0].length;
			expect(pages.at(-1)!.granule).toBe(h.preSkip + samples);
			const packets = oggPackets(pages).slice(2);
			// 20 ms packets, just enough of them to carry every sample past the pre-skip
			expect(packets.every((p) => (p[0] >> 3) >= 16 && ((p[0] >> 3) & 3) === 3 && (p[0] & 3) === 0)).toBe(true); // CELT, 20 ms, one frame
			expect(packets.length).toBe(Math.ceil((samples + h.preSkip) / 960));
			// tags
			const comments = new TextDecoder().decode(oggPackets(pages)[1]);
			expect(comments.startsWith('OpusTags')).toBe(true);
			expect(comments).toContain('libopus 1.6.1 via WebAssembly');
			for (const tag of ['TITLE=My Song - bass', 'ALBUM=My Song', 'STEM=bass', 'MODEL=bsr-4stem', 'BPM=123.46', 'KEY=A minor']) expect(comments).toContain(tag);
			expectLinedUp(await libopusDecode(file, channels), reference, 'libopus');
			if (HAS_FFMPEG) {
				const ff = ffmpegDecode(file, channels);
				expectLinedUp(ff.planar, reference, 'FFmpeg');
				expect(ff.tags).toMatchObject({ TITLE: 'My Song - bass', ALBUM: 'My Song', STEM: 'bass', KEY: 'A minor' });
			}
		});
	}

	it.skipIf(!HAS_FFMPEG)('96 kHz stereo through the export path (encodeAudioFile), FFmpeg-decoded', async () => {
		const frames = 96000 + 777, onset = 40_001;
		const input = signal(frames, onset, 96000, 2);
		const file = await encodeAudioFile({ sampleRate: 96000, channels: input }, 'opus', TAGS);
		expect(head(file).inputRate).toBe(96000);
		expectLinedUp(ffmpegDecode(file, 2).planar, at48k(input, 96000), 'FFmpeg, 96 kHz');
	});

	it('writes a valid, empty-bodied file for no samples, and refuses what it cannot hold', async () => {
		const file = await encodeOpus(() => [new Float32Array(0), new Float32Array(0)], 0, 2, 48000);
		const pages = readOggPages(file);
		expect(pages.at(-1)!.granule).toBe(head(file).preSkip);
		expect(await libopusDecode(file, 2)).toEqual([new Float32Array(0), new Float32Array(0)]);
		await expect(encodeOpus(() => [], 10, 3, 48000)).rejects.toThrow(/one or two channels, not 3/);
		await expect(encodeOpus(() => [new Float32Array(10)], 10, 2, 48000)).rejects.toThrow(/expected 2 channels/);
	});
});

describe('WebCodecs failing before its first packet', () => {
	afterEach(() => vi.unstubAllGlobals());

	/** An AudioEncoder that says it supports Opus and then fails: at `configure`, or through its error callback. */
	function fakeWebCodecs(failAt: 'configure' | 'callback' | 'after-output') {
		class FakeAudioData {
			numberOfFrames: number;
			constructor(init: { numberOfFrames: number }) {
				this.numberOfFrames = init.numberOfFrames;
			}
			close() {}
		}
		class FakeAudioEncoder {
			static isConfigSupported = async () => ({ supported: true });
			state = 'unconfigured';
			encodeQueueSize = 0;
			constructor(private init: { output: (chunk: unknown, meta?: unknown) => void; error: (e: Error) => void }) {}
			configure() {
				if (failAt === 'configure') throw new DOMException('Unsupported configuration', 'NotSupportedError');
				this.state = 'configured';
			}
			encode() {
				if (failAt === 'after-output') this.init.output({ byteLength: 3, copyTo: (b: Uint8Array) => b.set([0xfc, 0xff, 0xfe]) });
				queueMicrotask(() => this.init.error(new DOMException('Encoding error', 'EncodingError')));
				this.state = 'closed';
			}
			async flush() {}
			close() {
				this.state = 'closed';
			}
		}
		vi.stubGlobal('AudioEncoder', FakeAudioEncoder);
		vi.stubGlobal('AudioData', FakeAudioData);
	}

	for (const failAt of ['configure', 'callback'] as const) {
		it(`hands over to WebAssembly (fails at ${failAt})`, async () => {
			fakeWebCodecs(failAt);
			vi.spyOn(console, 'warn').mockImplementation(() => {});
			expect(await opusEncoderKind(2)).toBe('webcodecs');
			const input = signal(24000, 6000, 48000, 2);
			const file = await encodeOpus((a, b) => input.map((ch) => ch.subarray(a, b)), 24000, 2, 48000, TAGS, { block: 4096 });
			expect(new TextDecoder().decode(oggPackets(readOggPages(file))[1])).toContain('via WebAssembly');
			expectLinedUp(await libopusDecode(file, 2), input, 'after the hand-over');
		});
	}

	it('does not hand over once WebCodecs has given packets (the error is the user\'s to see)', async () => {
		fakeWebCodecs('after-output');
		const input = signal(24000, 6000, 48000, 2);
		await expect(encodeOpus((a, b) => input.map((ch) => ch.subarray(a, b)), 24000, 2, 48000, TAGS, { block: 4096 })).rejects.toThrow(/Encoding error/);
	});
});
