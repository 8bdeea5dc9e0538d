/**
 * Fuzz targets for the user-file readers: WAV (whole and in slices), AIFF and FLAC, each run
 * through decodeAudioFile, the page's entry point (the compressed-audio fallback is a decoder
 * that refuses, so a damaged header that no longer sniffs as WAV/AIFF/FLAC goes through the
 * compressed-file probes and is refused there). The clean error is AudioFormatError.
 */
import { AudioFormatError } from '../../../../src/lib/dsp/audio';
import { decodeAudioFile } from '../../../../src/lib/dsp/decode';
import { crc16, crc8 } from '../../../../src/lib/dsp/flac/crc';
import { encodeFlac } from '../../../../src/lib/dsp/flac/encode';
import { seededRandom } from '../../../../src/lib/dsp/random';
import { encodeWav } from '../../../../src/lib/dsp/wav';
import { readWavInSlices } from '../../../../src/lib/dsp/wav-file';
import { aiff16, constantFlac, extended80 } from '../builders';
import { concat, MUTATORS, writeUint } from '../mutate';
import type { Rng } from '../rng';
import { fixture, runAll, type FuzzTarget } from './target';

const isClean = (e: unknown) => e instanceof AudioFormatError;

const refuseCompressed = async () => {
	throw new Error('the fuzzer has no decoder for compressed audio');
};

function exactBuffer(bytes: Uint8Array): ArrayBuffer {
	return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : (bytes.slice().buffer as ArrayBuffer);
}

/** A File-like view of the bytes for readWavInSlices. */
function sliceable(bytes: Uint8Array) {
	return {
		size: bytes.length,
		slice: (start: number, end: number) => ({ arrayBuffer: async () => bytes.slice(start, end).buffer as ArrayBuffer })
	};
}

function signal(frames: number, channels: number, seed: number): Float32Array[] {
	const random = seededRandom(seed);
	return Array.from({ length: channels }, (_, c) =>
		Float32Array.from({ length: frames }, (_, i) => 0.5 * Math.sin((i * (c + 1) * 2 * Math.PI * 440) / 44100) + 0.1 * (random() - 0.5))
	);
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** A RIFF/IFF chunk: id, 32-bit size (little- or big-endian) and body, padded to even length. */
function chunk(id: string, body: Uint8Array, little: boolean, size = body.length): Uint8Array {
	const out = new Uint8Array(8 + body.length + (body.length & 1));
	out.set(ascii(id.padEnd(4).slice(0, 4)));
	writeUint(out, 4, 4, little, size);
	out.set(body, 8);
	return out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
	return Uint8Array.from({ length: n }, () => rng.int(256));
}

const RATES = [0, 1, 7999, 8000, 22050, 44100, 48000, 96000, 384000, 384001, 0xffffffff];
const CHANNELS = [0, 1, 2, 6, 8, 9, 255, 0xffff];
const BITS = [0, 1, 4, 8, 12, 16, 20, 24, 32, 33, 64, 0xffff];

function wavFromFields(rng: Rng): Uint8Array {
	const tag = rng.pick([1, 3, 0xfffe, 0xfffe, 0x55, 0x11, rng.int(0x10000)]);
	const channels = rng.chance(0.7) ? rng.range(1, 8) : rng.pick(CHANNELS);
	const bits = rng.chance(0.7) ? rng.pick([8, 16, 24, 32]) : rng.pick(BITS);
	const rate = rng.chance(0.7) ? rng.pick([8000, 44100, 48000]) : rng.pick(RATES);
	const align = rng.chance(0.8) ? (channels * Math.ceil(bits / 8)) & 0xffff : rng.int(0x10000);
	const fmtLength = tag === 0xfffe ? 40 : rng.pick([16, 16, 18, 40]);
	const fmt = new Uint8Array(fmtLength);
	const v = new DataView(fmt.buffer);
	v.setUint16(0, tag, true);
	v.setUint16(2, channels, true);
	v.setUint32(4, rate, true);
	v.setUint32(8, rate * align, true);
	v.setUint16(12, align, true);
	v.setUint16(14, bits, true);
	if (fmtLength >= 40) {
		v.setUint16(16, 22, true);
		v.setUint16(24, rng.pick([1, 3, rng.int(0x10000)]), true);
	}
	const data = randomBytes(rng, rng.size(4096));
	const fmtSize = rng.chance(0.8) ? fmtLength : rng.pick([0, 14, 15, 16, 24, 39, 40, 41, 0xffff, 0xffffffff]);
	const dataSize = rng.chance(0.7) ? data.length : rng.pick([0, 1, data.length + 1, 0x7fffffff, 0xfffffffe, 0xffffffff]);
	const parts = [chunk('fmt ', fmt, true, fmtSize)];
	if (rng.chance(0.3)) parts.push(chunk(rng.pick(['LIST', 'JUNK', 'bext', 'fact']), randomBytes(rng, rng.size(64)), true));
	const dataChunk = chunk('data', data, true, dataSize);
	if (rng.chance(0.1)) parts.unshift(dataChunk);
	else parts.push(dataChunk);
	let body = concat(...parts);
	if (rng.chance(0.2)) body = body.subarray(0, rng.int(body.length + 1)); // cut anywhere, headers included
	const head = new Uint8Array(12);
	head.set(ascii('RIFF'));
	writeUint(head, 4, 4, true, rng.chance(0.9) ? 4 + body.length : rng.int(2 ** 32));
	head.set(ascii('WAVE'), 8);
	return concat(head, body);
}

function manyChunks(rng: Rng, little: boolean, form: 'WAVE' | 'AIFF', tail: Uint8Array): Uint8Array {
	const n = rng.size(20000);
	const empty = chunk(rng.pick(['JUNK', 'LIST', 'PAD ', 'x\u0000\u0000\u0000']), new Uint8Array(0), little);
	const parts = Array<Uint8Array>(n).fill(empty);
	const head = new Uint8Array(12);
	head.set(ascii(little ? 'RIFF' : 'FORM'));
	head.set(ascii(form), 8);
	const out = concat(head, ...parts, tail);
	writeUint(out, 4, 4, little, out.length - 8);
	return out;
}

function aiffFromFields(rng: Rng): Uint8Array {
	const aifc = rng.chance(0.5);
	const comm = new Uint8Array(aifc ? 24 : 18);
	const v = new DataView(comm.buffer);
	const channels = rng.chance(0.7) ? rng.range(1, 8) : rng.pick(CHANNELS);
	const bits = rng.chance(0.7) ? rng.pick([8, 16, 24, 32]) : rng.pick(BITS);
	const data = randomBytes(rng, rng.size(4096));
	const frames = rng.chance(0.6) ? Math.floor(data.length / (channels * Math.ceil(bits / 8) || 1)) : rng.pick([0, 1, 0x7fffffff, 0xffffffff, rng.int(2 ** 32)]);
	v.setUint16(0, channels);
	v.setUint32(2, frames >>> 0);
	v.setUint16(6, bits);
	if (rng.chance(0.8)) comm.set(extended80(rng.chance(0.7) ? rng.pick([8000, 44100, 48000]) : rng.pick(RATES)), 8);
	else comm.set(randomBytes(rng, 10), 8);
	if (aifc) comm.set(ascii(rng.pick(['NONE', 'twos', 'sowt', 'fl32', 'FL32', 'fl64', 'ulaw', 'ima4', 'ACE2', '\0\0\0\0'])), 18);
	const commSize = rng.chance(0.8) ? comm.length : rng.pick([0, 17, 18, 22, 0xffffffff]);
	const ssndHead = new Uint8Array(8);
	const offset = rng.chance(0.8) ? 0 : rng.pick([1, 7, 0xffff, 0xffffffff, rng.int(2 ** 32)]);
	writeUint(ssndHead, 0, 4, false, offset);
	writeUint(ssndHead, 4, 4, false, rng.chance(0.8) ? 0 : rng.int(2 ** 32));
	const ssndBody = concat(ssndHead, data);
	const ssndSize = rng.chance(0.7) ? ssndBody.length : rng.pick([0, 4, 8, ssndBody.length + 1, 0xffffffff]);
	const parts = [chunk('COMM', comm, false, commSize), chunk('SSND', ssndBody, false, ssndSize)];
	if (rng.chance(0.2)) parts.reverse();
	let body = concat(...parts);
	if (rng.chance(0.2)) body = body.subarray(0, rng.int(body.length + 1));
	const head = new Uint8Array(12);
	head.set(ascii('FORM'));
	writeUint(head, 4, 4, false, 4 + body.length);
	head.set(ascii(aifc ? 'AIFC' : 'AIFF'), 8);
	return concat(head, body);
}

/** Frame starts (sync code + matching header CRC-8) and header lengths of a FLAC stream. */
export function flacFrames(bytes: Uint8Array): { start: number; headerLength: number }[] {
	const frames: { start: number; headerLength: number }[] = [];
	for (let i = 0; i + 6 < bytes.length; i++) {
		if (bytes[i] !== 0xff || (bytes[i + 1] & 0xfe) !== 0xf8) continue;
		for (let h = 5; h <= 16 && i + h < bytes.length; h++) {
			if (crc8(bytes, i, i + h) === bytes[i + h]) {
				frames.push({ start: i, headerLength: h + 1 });
				i += h;
				break;
			}
		}
	}
	return frames;
}

/**
 * A FLAC with one frame's bytes mutated and its checksums made valid again, so the decoder gets
 * past the CRCs into the subframe, residual and predictor code.
 */
export function mutateFlacFrame(bytes: Uint8Array, rng: Rng): Uint8Array {
	const frames = flacFrames(bytes);
	if (frames.length === 0) return MUTATORS.bitflip(bytes, rng, []);
	const k = rng.int(frames.length);
	const { start, headerLength } = frames[k];
	const end = k + 1 < frames.length ? frames[k + 1].start : bytes.length;
	if (end - start < headerLength + 3) return MUTATORS.bitflip(bytes, rng, []);
	const frame = bytes.slice(start, end);
	const body = frame.subarray(headerLength, frame.length - 2);
	const inHeader = rng.chance(0.2);
	const target = inHeader ? frame.subarray(2, headerLength - 1) : body;
	for (let n = rng.range(1, 4); n > 0; n--) {
		const at = rng.int(target.length);
		target[at] = rng.chance(0.5) ? target[at] ^ (1 << rng.int(8)) : rng.int(256);
	}
	frame[headerLength - 1] = crc8(frame, 0, headerLength - 1);
	const crc = crc16(frame, 0, frame.length - 2);
	frame[frame.length - 2] = crc >> 8;
	frame[frame.length - 1] = crc & 0xff;
	const out = bytes.slice();
	out.set(frame, start);
	return out;
}

/** STREAMINFO's fields rewritten (block and frame sizes, rate, channels, depth, total) and extra metadata blocks. */
function flacMetadata(rng: Rng, seeds: readonly Uint8Array[]): Uint8Array {
	const seed = rng.pick(seeds);
	const out = seed.slice();
	// STREAMINFO sits at byte 8 in the seeds (no ID3): rewrite a field, bit-exactly
	const fields: [number, number][] = [[64, 16], [80, 16], [96, 24], [120, 24], [144, 20], [164, 3], [167, 5], [172, 36]];
	const [bit, width] = rng.pick(fields);
	const value = rng.chance(0.5) ? rng.pick([0, 1, 2 ** width - 1, 2 ** (width - 1), 15, 16, 4096, 65535]) % 2 ** width : rng.int(2 ** Math.min(width, 32));
	for (let i = 0; i < width; i++) {
		const b = bit + i;
		const set = Math.floor(value / 2 ** (width - 1 - i)) % 2;
		out[b >> 3] = (out[b >> 3] & ~(0x80 >> (b & 7))) | (set ? 0x80 >> (b & 7) : 0);
	}
	if (rng.chance(0.3)) {
		// an extra metadata block after STREAMINFO (clear its "last" flag)
		out[4] &= 0x7f;
		const length = rng.chance(0.7) ? rng.size(300) : rng.pick([0xffffff, 0x100000]);
		const block = new Uint8Array(4 + Math.min(length, 300));
		block[0] = 0x80 | rng.pick([1, 2, 3, 4, 5, 6, 126, 127]);
		writeUint(block, 1, 3, false, length);
		return concat(out.subarray(0, 42), block, out.subarray(42));
	}
	if (rng.chance(0.2)) {
		const id3 = new Uint8Array(10 + rng.size(64));
		id3.set(ascii('ID3'));
		id3[3] = 4;
		const size = rng.chance(0.7) ? id3.length - 10 : rng.int(2 ** 28);
		id3[6] = (size >> 21) & 0x7f;
		id3[7] = (size >> 14) & 0x7f;
		id3[8] = (size >> 7) & 0x7f;
		id3[9] = size & 0x7f;
		return concat(id3, out);
	}
	return out;
}

function constantFlacFromFields(rng: Rng): Uint8Array {
	const channels = rng.range(1, 8);
	const bitsPerSample = rng.pick([4, 8, 12, 16, 20, 24, 32]);
	const blockSize = rng.chance(0.5) ? rng.pick([1, 16, 192, 4096, 65535]) : rng.range(1, 65535);
	// mostly short streams; now and then as many frames as the constant-audio bound lets through
	const frames = rng.chance(0.03) ? rng.range(100, 400) : rng.size(24) + 1;
	const sampleRate = rng.chance(0.8) ? rng.pick([8000, 44100, 48000, 384000]) : rng.pick([1, 7999, 384001, 655350, 1048575]);
	const half = 2 ** (bitsPerSample - 1);
	return constantFlac({
		channels,
		sampleRate,
		bitsPerSample,
		blockSize,
		frames,
		value: rng.chance(0.5) ? rng.pick([-half, half - 1, 0, 1]) : rng.range(-half, half - 1),
		totalSamples: rng.chance(0.6) ? undefined : rng.pick([0, 1, blockSize * frames + 1, 2 ** 32, 2 ** 36 - 1]),
		maxBlockSize: rng.chance(0.8) ? undefined : rng.pick([0, 16, Math.max(16, blockSize - 1)])
	});
}

function wavSeeds(): Uint8Array[] {
	const seeds = [
		encodeWav({ sampleRate: 44100, channels: signal(300, 2, 1) }, { format: 'pcm16', random: seededRandom(1) }),
		encodeWav({ sampleRate: 48000, channels: signal(200, 1, 2) }, { format: 'pcm24' }),
		encodeWav({ sampleRate: 8000, channels: signal(100, 6, 3) }, { format: 'float32' })
	];
	// WAVE_FORMAT_EXTENSIBLE, 8-bit, and a LIST chunk before the data
	const ext = new Uint8Array(seeds[1].length + 24);
	ext.set(seeds[1].subarray(0, 36));
	const v = new DataView(ext.buffer);
	v.setUint32(16, 40, true);
	v.setUint16(20, 0xfffe, true);
	v.setUint16(36, 22, true);
	v.setUint16(38, 24, true);
	v.setUint32(40, 0x4, true);
	v.setUint16(44, 1, true);
	ext.set(seeds[1].subarray(36), 60);
	v.setUint32(4, ext.length - 8, true);
	seeds.push(ext);
	const eight = encodeWav({ sampleRate: 22050, channels: signal(150, 2, 4) }, { format: 'pcm16', dither: false });
	const e8 = new Uint8Array(44 + 300);
	e8.set(eight.subarray(0, 44));
	const ev = new DataView(e8.buffer);
	ev.setUint32(4, e8.length - 8, true);
	ev.setUint32(28, 22050 * 2, true);
	ev.setUint16(32, 2, true);
	ev.setUint16(34, 8, true);
	ev.setUint32(40, 300, true);
	for (let i = 0; i < 300; i++) e8[44 + i] = 128 + Math.round(60 * Math.sin(i / 5));
	seeds.push(e8);
	const list = chunk('LIST', ascii('INFOISFT\u0005\u0000\u0000\u0000test\u0000'), true);
	seeds.push(concat(seeds[0].subarray(0, 36), list, seeds[0].subarray(36)));
	new DataView(seeds.at(-1)!.buffer).setUint32(4, seeds.at(-1)!.length - 8, true);
	return seeds;
}

function aiffSeeds(): Uint8Array[] {
	return [aiff16(signal(300, 2, 5), 44100), aiff16(signal(200, 1, 6), 48000, 'sowt'), aiff16(signal(120, 6, 7), 8000, 'twos')];
}

const FLAC_FIXTURES = ['s16-stereo-44k1.flac', 's8-stereo-8k.flac', 's16-wasted-11k025.flac', 's24-mono-48k.flac', 's32-stereo-32k.flac', 's16-6ch-22k05.flac'];

function flacSeeds(): Uint8Array[] {
	return [
		...FLAC_FIXTURES.map((f) => fixture(`audio/${f}`)),
		encodeFlac({ sampleRate: 44100, channels: signal(5000, 2, 8) }, { bitDepth: 16, blockSize: 1024, random: seededRandom(8) }),
		encodeFlac({ sampleRate: 48000, channels: signal(3000, 1, 9) }, { bitDepth: 24, blockSize: 512 }),
		constantFlac({ channels: 2, sampleRate: 44100, bitsPerSample: 16, blockSize: 4096, frames: 3, value: 1000 })
	];
}

/** The page's path: decodeAudioFile (with the compressed fallback refusing). */
const decodeAll = (bytes: Uint8Array) => decodeAudioFile(exactBuffer(bytes), refuseCompressed);

const audioTarget = (name: string, seeds: () => Uint8Array[], generators: FuzzTarget['generators'], run: FuzzTarget['run'] = decodeAll): FuzzTarget => ({
	name,
	isClean,
	seeds,
	run,
	generators
});

export const wavTarget = audioTarget(
	'wav',
	wavSeeds,
	{ fields: (rng) => wavFromFields(rng), chunks: (rng, seeds) => manyChunks(rng, true, 'WAVE', rng.pick(seeds).subarray(12)) },
	(bytes) => runAll([() => decodeAll(bytes), () => readWavInSlices(sliceable(bytes))], isClean)
);

export const aiffTarget = audioTarget('aiff', aiffSeeds, {
	fields: (rng) => aiffFromFields(rng),
	chunks: (rng, seeds) => manyChunks(rng, false, 'AIFF', rng.pick(seeds).subarray(12))
});

export const flacTarget = audioTarget('flac', flacSeeds, {
	frame: (rng, seeds) => mutateFlacFrame(rng.pick(seeds), rng),
	metadata: (rng, seeds) => flacMetadata(rng, seeds),
	constant: (rng) => constantFlacFromFields(rng)
});
