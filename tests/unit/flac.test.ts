import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AudioFormatError, type AudioData } from '../../src/lib/dsp/audio';
import { decodeAudioFile } from '../../src/lib/dsp/decode';
import { BitReader, BitWriter } from '../../src/lib/dsp/flac/bits';
import { crc16, crc8 } from '../../src/lib/dsp/flac/crc';
import { decodeFlac } from '../../src/lib/dsp/flac/decode';
import { encodeFlac, FlacSignature, FlacStreamEncoder, STREAMINFO_OFFSET } from '../../src/lib/dsp/flac/encode';
import { seededRandom } from '../../src/lib/dsp/random';
import { Md5, toHex } from '../../src/lib/hash/md5';

const FIXTURES = join(__dirname, '../fixtures/audio');
const FLAC_TOOL = '/usr/bin/flac';

/** Integer samples of decoded audio (planar), scaled back from floats. */
function toInts(audio: AudioData, bits: number): Int32Array[] {
	const scale = 2 ** (bits - 1);
	return audio.channels.map((c) => Int32Array.from(c, (x) => Math.round(x * scale)));
}

function readRaw(path: string, channels: number, bits: number): Int32Array[] {
	const bytes = readFileSync(path);
	const b = bits / 8;
	const frames = bytes.length / (b * channels);
	const out = Array.from({ length: channels }, () => new Int32Array(frames));
	for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) out[c][i] = bytes.readIntLE((i * channels + c) * b, b);
	return out;
}

function expectSame(a: Int32Array[], b: Int32Array[]) {
	expect(a.length).toBe(b.length);
	for (let c = 0; c < a.length; c++) {
		expect(a[c].length).toBe(b[c].length);
		let firstDiff = -1;
		for (let i = 0; i < a[c].length && firstDiff < 0; i++) if (a[c][i] !== b[c][i]) firstDiff = i;
		expect(firstDiff, `channel ${c} first differs at sample ${firstDiff}`).toBe(-1);
	}
}

/** Deterministic test audio: tones, noise, silence, a clipped stretch; floats already on the `bits` grid when `onGrid`. */
function testAudio(frames: number, channels: number, seed: number, bits = 16): AudioData {
	let s = seed >>> 0;
	const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
	const scale = 2 ** (bits - 1);
	const out = Array.from({ length: channels }, (_, c) => {
		const x = new Float32Array(frames);
		for (let i = 0; i < frames; i++) {
			let v = 0.4 * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / 44100) + 0.2 * Math.sin((2 * Math.PI * 3001 * i) / 44100) + 0.05 * rand();
			if (i > frames * 0.6 && i < frames * 0.7) v = 0; // silence
			if (i > frames * 0.8 && i < frames * 0.85) v = rand(); // loud noise
			if (i > frames * 0.9) v = Math.max(-1, Math.min(1, 3 * v)); // clipped
			x[i] = Math.max(-scale, Math.min(scale - 1, Math.round(v * scale))) / scale;
		}
		return x;
	});
	return { sampleRate: 44100, channels: out };
}

describe('FLAC building blocks', () => {
	it('MD5 matches node:crypto for lengths around block boundaries', () => {
		for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000]) {
			const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
			const md5 = new Md5();
			md5.update(bytes.subarray(0, n >> 1)).update(bytes.subarray(n >> 1));
			expect(toHex(md5.digest())).toBe(createHash('md5').update(bytes).digest('hex'));
		}
	});

	it('CRC-8 and CRC-16 give the check values of their polynomials', () => {
		const ascii = new TextEncoder().encode('123456789');
		expect(crc8(ascii)).toBe(0xf4); // CRC-8 (poly 0x07)
		expect(crc16(ascii)).toBe(0xfee8); // CRC-16/UMTS (poly 0x8005, init 0)
	});

	it('bit writer and reader agree on fixed-width, signed, unary and UTF-8 coded values', () => {
		const w = new BitWriter(4);
		const frameNumbers = [0, 127, 128, 2047, 2048, 65535, 65536, 2 ** 21, 2 ** 26, 2 ** 31, 2 ** 36 - 1];
		w.write(5, 3);
		w.writeSigned(-3, 7);
		w.writeSigned(-(2 ** 32), 33);
		w.write(2 ** 33 - 1, 33);
		for (const q of [0, 1, 7, 8, 17, 40]) w.writeUnary(q);
		for (const v of frameNumbers) w.writeUtf8(v);
		const rice: [number, number][] = [[0, 0], [5, 0], [1000, 3], [2 ** 30, 30], [2 ** 30 + 12345, 2], [77, 14]];
		for (const [u, k] of rice) w.writeRice(u, k);
		const r = new BitReader(w.finish());
		expect(r.read(3)).toBe(5);
		expect(r.readSigned(7)).toBe(-3);
		expect(r.readSigned(33)).toBe(-(2 ** 32));
		expect(r.read(33)).toBe(2 ** 33 - 1);
		for (const q of [0, 1, 7, 8, 17, 40]) expect(r.readUnary()).toBe(q);
		for (const v of frameNumbers) expect(r.readUtf8()).toBe(v);
		for (const [u, k] of rice) expect(r.readUnary() * 2 ** k + r.read(k)).toBe(u);
	});
});

describe('decodeFlac on files from the reference encoder', () => {
	const cases: [name: string, channels: number, bits: number, rate: number][] = [
		['s16-stereo-44k1', 2, 16, 44100],
		['s24-mono-48k', 1, 24, 48000],
		['s8-stereo-8k', 2, 8, 8000],
		['s16-6ch-22k05', 6, 16, 22050],
		['s16-wasted-11k025', 1, 16, 11025],
		['s24-stereo-96k', 2, 24, 96000],
		['s32-stereo-32k', 2, 32, 32000]
	];
	for (const [name, channels, bits, rate] of cases) {
		it(`${name}: bit-exact, MD5 verified`, () => {
			const audio = decodeFlac(new Uint8Array(readFileSync(join(FIXTURES, `${name}.flac`))));
			expect(audio.sampleRate).toBe(rate);
			expect(audio.bitsPerSample).toBe(bits);
			expect(audio.truncated).toBeNull();
			expect(audio.md5).toBe('ok');
			expect(audio.frameBytes).toEqual({ min: audio.streamInfo.minFrameSize, max: audio.streamInfo.maxFrameSize });
			const raw = readRaw(join(FIXTURES, `${name}.raw`), channels, bits);
			if (bits <= 24) expectSame(toInts(audio, bits), raw);
			else {
				// 32-bit does not fit a float32 exactly: compare within float precision
				for (let c = 0; c < channels; c++) {
					for (let i = 0; i < raw[c].length; i++) expect(Math.abs(audio.channels[c][i] - raw[c][i] / 2 ** 31)).toBeLessThan(1e-7);
				}
			}
		});
	}

	it('skips an ID3v2 tag in front of the stream', () => {
		const flac = new Uint8Array(readFileSync(join(FIXTURES, 's8-stereo-8k.flac')));
		const id3 = Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4, 5]);
		const tagged = new Uint8Array(id3.length + flac.length);
		tagged.set(id3);
		tagged.set(flac, id3.length);
		const audio = decodeFlac(tagged);
		expect(audio.md5).toBe('ok');
		expectSame(toInts(audio, 8), readRaw(join(FIXTURES, 's8-stereo-8k.raw'), 2, 8));
	});

	it('goes through the app decode front door at the file rate', async () => {
		const bytes = readFileSync(join(FIXTURES, 's24-stereo-96k.flac'));
		const platform = () => Promise.reject(new Error('the platform decoder must not be used for FLAC'));
		const audio = await decodeAudioFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), platform);
		expect(audio.sampleRate).toBe(96000);
		expect(audio.channels[0].length).toBe(2999);
		expect(audio.notes).toBeUndefined();
		const cut = bytes.subarray(0, Math.floor(bytes.length * 0.7));
		const partial = await decodeAudioFile(cut.buffer.slice(cut.byteOffset, cut.byteOffset + cut.length), platform);
		expect(partial.channels[0].length).toBe(1152);
		expect(partial.notes?.[0]).toMatch(/cut short: only the first 0\.012 s of 0\.031 s could be read/);
	});
});

describe('encodeFlac', () => {
	const cases: [frames: number, channels: number, bits: 16 | 24][] = [
		[10007, 1, 16],
		[10007, 2, 16],
		[9001, 2, 24],
		[4096, 1, 24],
		[1, 2, 16],
		[15, 1, 24],
		[777, 3, 16]
	];
	for (const [frames, channels, bits] of cases) {
		it(`round trip ${frames} frames × ${channels} ch, ${bits}-bit is bit-exact`, () => {
			const audio = testAudio(frames, channels, frames * 31 + channels, bits);
			const flac = encodeFlac(audio, { bitDepth: bits, dither: false });
			const back = decodeFlac(flac);
			expect(back.md5).toBe('ok');
			expect(back.streamInfo.totalSamples).toBe(frames);
			expectSame(toInts(back, bits), toInts(audio, bits));
			if (frames > 1000) expect(flac.length).toBeLessThan(frames * channels * (bits / 8) * 0.9);
		});
	}

	it('extreme signals round-trip bit-exactly (full-scale square and alternation, noise, lone spike, DC)', () => {
		const n = 9000;
		for (const bits of [16, 24] as const) {
			const max = 2 ** (bits - 1);
			let s = 12345;
			const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % (2 * max)) - max;
			const patterns: ((i: number) => number)[] = [
				(i) => (Math.floor(i / 37) % 2 ? max - 1 : -max),
				(i) => (i % 2 ? max - 1 : -max),
				() => rand(),
				(i) => (i === 5000 ? max - 1 : 0),
				() => -max
			];
			for (const [k, f] of patterns.entries()) {
				const l = Int32Array.from({ length: n }, (_, i) => f(i));
				const r = Int32Array.from({ length: n }, (_, i) => (k === 1 ? f(i + 1) : f(n - i)));
				const audio = { sampleRate: 44100, channels: [l, r].map((c) => Float32Array.from(c, (v) => v / max)) };
				const back = decodeFlac(encodeFlac(audio, { bitDepth: bits, dither: false }));
				expect(back.md5).toBe('ok');
				expectSame(toInts(back, bits), [l, r]);
			}
		}
	});

	it('stores any sample rate (table, kHz, Hz and tens-of-Hz header codes, or STREAMINFO only)', () => {
		for (const rate of [8000, 11025, 50000, 65535, 100010, 192000, 384000, 96001]) {
			const audio = { sampleRate: rate, channels: [new Float32Array(300).map((_, i) => Math.sin(i / 7) / 2)] };
			const back = decodeFlac(encodeFlac(audio, { bitDepth: 24 }));
			expect(back.sampleRate).toBe(rate);
			expect(back.md5).toBe('ok');
		}
	});

	it('uses the stereo decorrelation: identical channels code smaller than independent ones', () => {
		const mono = testAudio(8192, 1, 5);
		const dual = encodeFlac({ sampleRate: 44100, channels: [mono.channels[0], mono.channels[0]] }, { bitDepth: 16, dither: false });
		const single = encodeFlac(mono, { bitDepth: 16, dither: false });
		expect(dual.length).toBeLessThan(single.length * 1.1);
	});

	it('writes STREAMINFO frame-size bounds that match the frames', () => {
		const flac = encodeFlac(testAudio(20000, 2, 9), { bitDepth: 16, dither: false });
		const decoded = decodeFlac(flac);
		const info = decoded.streamInfo;
		expect(info.minBlockSize).toBe(4096);
		expect(info.maxBlockSize).toBe(4096);
		expect(info.totalSamples).toBe(20000);
		expect(decoded.frameBytes).toEqual({ min: info.minFrameSize, max: info.maxFrameSize });
		expect(info.minFrameSize).toBeLessThan(info.maxFrameSize); // the short last frame
	});

	it('dithers 16-bit by default (TPDF, at most ±1 LSB from rounding) and clips out-of-range floats', () => {
		const x = new Float32Array(5000).map((_, i) => 0.3 * Math.sin(i / 10));
		x[100] = 2;
		x[101] = -2;
		x[102] = Number.NaN;
		const back = toInts(decodeFlac(encodeFlac({ sampleRate: 48000, channels: [x] }, { bitDepth: 16 })), 16)[0];
		let maxErr = 0;
		let changed = 0;
		for (let i = 0; i < x.length; i++) {
			if (i >= 100 && i <= 102) continue;
			const err = Math.abs(back[i] - x[i] * 32768);
			maxErr = Math.max(maxErr, err);
			if (back[i] !== Math.round(x[i] * 32768)) changed++;
		}
		expect(maxErr).toBeLessThan(2);
		expect(changed).toBeGreaterThan(100);
		expect([back[100], back[101], back[102]]).toEqual([32767, -32768, 0]);
	});

	it.skipIf(!existsSync(FLAC_TOOL))('is accepted and decoded identically by the reference decoder (flac -t / -d)', () => {
		const dir = mkdtempSync(join(tmpdir(), 'stemsafe-flac-'));
		try {
			for (const [frames, channels, bits] of [
				[10007, 2, 16],
				[9001, 2, 24],
				[777, 3, 24],
				[15, 1, 16]
			] as const) {
				const audio = testAudio(frames, channels, 77, bits);
				const file = join(dir, `t.flac`);
				writeFileSync(file, encodeFlac(audio, { bitDepth: bits, dither: false }));
				execFileSync(FLAC_TOOL, ['-t', '--silent', file]);
				execFileSync(FLAC_TOOL, ['-d', '--silent', '--force', '--force-raw-format', '--endian=little', '--sign=signed', '-o', join(dir, 't.raw'), file]);
				expectSame(readRaw(join(dir, 't.raw'), channels, bits), toInts(audio, bits));
			}
			// full-scale alternation (widest side channel and residuals) at a rate coded in Hz in the header
			const alt = Float32Array.from({ length: 5000 }, (_, i) => (i % 2 ? 1 - 2 ** -23 : -1));
			const extreme = { sampleRate: 11025, channels: [alt, alt.map((x) => -x - 2 ** -23)] };
			writeFileSync(join(dir, 'x.flac'), encodeFlac(extreme, { bitDepth: 24, dither: false }));
			execFileSync(FLAC_TOOL, ['-t', '--silent', join(dir, 'x.flac')]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('damaged FLAC files', () => {
	const good = new Uint8Array(readFileSync(join(FIXTURES, 's16-stereo-44k1.flac')));

	it('a cut-off file keeps every complete frame and says how much was read', () => {
		const six = new Uint8Array(readFileSync(join(FIXTURES, 's16-6ch-22k05.flac'))); // 576-sample frames
		const cut = six.subarray(0, Math.floor(six.length * 0.6));
		const audio = decodeFlac(cut);
		expect(audio.truncated).not.toBeNull();
		expect(audio.md5).toBe('unchecked');
		const n = audio.channels[0].length;
		expect(n).toBeGreaterThan(0);
		expect(n % 576).toBe(0);
		expect(n).toBeLessThan(1500);
		expect(audio.truncated!.secondsRead).toBeCloseTo(n / 22050, 6);
		expect(audio.truncated!.secondsExpected).toBeCloseTo(1500 / 22050, 6);
		expect(audio.notes[0]).toMatch(/cut short/);
		expectSame(toInts(audio, 16), readRaw(join(FIXTURES, 's16-6ch-22k05.raw'), 6, 16).map((c) => c.subarray(0, n)));
	});

	it('a file cut inside its header or first frame is a clear error', () => {
		expect(() => decodeFlac(good.subarray(0, 20))).toThrow(/cut off before any audio/);
		expect(() => decodeFlac(good.subarray(0, 300))).toThrow(/first audio frame/);
	});

	it('a flipped bit inside the audio is reported as damage, not silently decoded', () => {
		for (const at of [0.3, 0.5, 0.7]) {
			const bad = good.slice();
			bad[Math.floor(bad.length * at)] ^= 0x10;
			expect(() => decodeFlac(bad)).toThrow(AudioFormatError);
			expect(() => decodeFlac(bad)).toThrow(/damaged/);
		}
	});

	it('not a FLAC file, and STREAMINFO missing', () => {
		expect(() => decodeFlac(new TextEncoder().encode('RIFF....WAVE'))).toThrow(/not a FLAC file/);
		const noInfo = good.slice();
		noInfo[4] = (noInfo[4] & 0x80) | 4; // first block is now "VORBIS_COMMENT"
		expect(() => decodeFlac(noInfo)).toThrow(AudioFormatError);
	});
});

/**
 * A hand-built stream with the codings the reference encoder does not write by default:
 * left/side and right/side frames, escape-coded (raw) Rice partitions (also with 0 bits),
 * 5-bit Rice parameters, CONSTANT and VERBATIM subframes, wasted bits with LPC and FIXED.
 * The expected samples are computed here from the definitions; `flac -d` checks them too.
 */
function handBuilt(): { bytes: Uint8Array; left: Int32Array; right: Int32Array } {
	const N = 16;
	const w = new BitWriter(1024);
	const left: number[] = [];
	const right: number[] = [];
	const fold = (v: number) => (v >= 0 ? 2 * v : -2 * v - 1);
	const rice = (k: number, values: number[]) => {
		for (const v of values) {
			w.writeUnary(fold(v) >>> k);
			w.write(fold(v) & ((1 << k) - 1), k);
		}
	};
	const escaped = (bits: number, values: number[]) => {
		w.write(bits, 5);
		for (const v of values) w.writeSigned(v, bits);
	};
	const subHeader = (type: number, wasted = 0) => {
		w.write(0, 1);
		w.write(type, 6);
		w.write(wasted ? 1 : 0, 1);
		if (wasted) w.writeUnary(wasted - 1);
	};
	const frame = (no: number, assignment: number, body: () => void) => {
		const at = w.byteLength;
		w.write(0x7ffc, 15);
		w.write(0, 1);
		w.write(6, 4); // 8-bit block size follows
		w.write(9, 4); // 44.1 kHz
		w.write(assignment, 4);
		w.write(4, 3); // 16 bit
		w.write(0, 1);
		w.writeUtf8(no);
		w.write(N - 1, 8);
		w.write(crc8(w.slice(at)), 8);
		body();
		w.align();
		w.write(crc16(w.slice(at)), 16);
	};
	w.write(0x664c6143, 32);
	w.write(1, 1);
	w.write(0, 7);
	w.write(34, 24);
	for (const [v, bits] of [[N, 16], [N, 16], [0, 24], [0, 24], [44100, 20], [1, 3], [15, 5], [4 * N, 36]]) w.write(v, bits);
	for (let i = 0; i < 16; i++) w.write(0, 8); // no MD5

	// frame 0, left/side: left VERBATIM, side CONSTANT -5
	const l0 = Array.from({ length: N }, (_, i) => ((i * 7919) % 2001) - 1000);
	frame(0, 8, () => {
		subHeader(1);
		for (const v of l0) w.writeSigned(v, 16);
		subHeader(0);
		w.writeSigned(-5, 17);
	});
	left.push(...l0);
	right.push(...l0.map((v) => v + 5));

	// frame 1, right/side: side FIXED order 2 (escaped partition, then Rice k=2); right LPC order 2 with 2 wasted bits, 5-bit Rice parameter
	const sideRes = [3, -16, 15, 0, -1, 7, 1, -2, 0, 3, -3, 2, 1, 0];
	const side = [100, 120];
	for (const r of sideRes) side.push(r + 2 * side.at(-1)! - side.at(-2)!);
	const rightRes = [5, -9, 12, 0, 3, -4, 8, -8, 1, 2, -3, 6, -7, 4];
	const rq = [1000, 1100];
	for (const r of rightRes) rq.push(r + Math.floor((1800 * rq.at(-1)! - 800 * rq.at(-2)!) / 1024));
	frame(1, 9, () => {
		subHeader(8 + 2);
		w.writeSigned(100, 17);
		w.writeSigned(120, 17);
		w.write(0, 2); // 4-bit parameters
		w.write(1, 4); // two partitions of 8
		w.write(15, 4);
		escaped(5, sideRes.slice(0, 6));
		w.write(2, 4);
		rice(2, sideRes.slice(6));
		subHeader(32 + 1, 2); // LPC order 2, wasted 2 → 14-bit
		w.writeSigned(1000, 14);
		w.writeSigned(1100, 14);
		w.write(12 - 1, 4); // precision 12
		w.writeSigned(10, 5); // shift
		w.writeSigned(1800, 12);
		w.writeSigned(-800, 12);
		w.write(1, 2); // 5-bit parameters
		w.write(0, 4);
		w.write(17, 5); // k = 17 (> 14: only codable with 5-bit parameters)
		rice(17, rightRes);
	});
	const r1 = rq.map((v) => v * 4);
	right.push(...r1);
	left.push(...side.map((s, i) => s + r1[i]));

	// frame 2, mid/side: mid FIXED order 1 with 6-bit escaped residual; side VERBATIM (17-bit, odd values)
	const midRes = Array.from({ length: N - 1 }, (_, i) => ((i * 13) % 61) - 30);
	const mid = [50];
	for (const r of midRes) mid.push(r + mid.at(-1)!);
	const side2 = Array.from({ length: N }, (_, i) => ((i * 40503) % 40001) - 20000);
	frame(2, 10, () => {
		subHeader(8 + 1);
		w.writeSigned(50, 16);
		w.write(0, 2);
		w.write(0, 4);
		w.write(15, 4);
		escaped(6, midRes);
		subHeader(1);
		for (const v of side2) w.writeSigned(v, 17);
	});
	for (let i = 0; i < N; i++) {
		const m = mid[i] * 2 + (side2[i] & 1);
		left.push((m + side2[i]) >> 1);
		right.push((m - side2[i]) >> 1);
	}

	// frame 3, independent: ch0 FIXED order 3 with 4 partitions (Rice k=0, escape 0 bits, k=1, k=3); ch1 FIXED order 4, 1 wasted bit
	const c0 = [10, 12, 15];
	const c0res = [1, 0, 0, 0, 0, 0, 0, 1, -1, 2, 0, -4, 5];
	for (const r of c0res) c0.push(r + 3 * c0.at(-1)! - 3 * c0.at(-2)! + c0.at(-3)!);
	const c1 = [-20, -18, -15, -11];
	const c1res = [0, 1, -1, 2, -2, 0, 0, 1, -1, 3, -3, 0];
	for (const r of c1res) c1.push(r + 4 * c1.at(-1)! - 6 * c1.at(-2)! + 4 * c1.at(-3)! - c1.at(-4)!);
	frame(3, 1, () => {
		subHeader(8 + 3);
		for (const v of c0.slice(0, 3)) w.writeSigned(v, 16);
		w.write(0, 2);
		w.write(2, 4); // 4 partitions of 4 (first has 1 residual)
		w.write(0, 4);
		rice(0, c0res.slice(0, 1));
		w.write(15, 4);
		w.write(0, 5); // escape with 0 bits: four zero residuals
		w.write(1, 4);
		rice(1, c0res.slice(5, 9));
		w.write(3, 4);
		rice(3, c0res.slice(9));
		subHeader(8 + 4, 1);
		for (const v of c1.slice(0, 4)) w.writeSigned(v, 15);
		w.write(0, 2);
		w.write(0, 4);
		w.write(2, 4);
		rice(2, c1res);
	});
	left.push(...c0);
	right.push(...c1.map((v) => v * 2));
	return { bytes: w.finish(), left: Int32Array.from(left), right: Int32Array.from(right) };
}

describe('decodeFlac on a hand-built stream', () => {
	it('left/side, right/side, mid/side, escapes, 5-bit Rice parameters, wasted bits, CONSTANT and VERBATIM', () => {
		const { bytes, left, right } = handBuilt();
		const audio = decodeFlac(bytes);
		expect(audio.md5).toBe('absent');
		expectSame(toInts(audio, 16), [left, right]);
	});

	it.skipIf(!existsSync(FLAC_TOOL))('the reference decoder reads it the same way', () => {
		const dir = mkdtempSync(join(tmpdir(), 'stemsafe-flac-'));
		try {
			const { bytes, left, right } = handBuilt();
			writeFileSync(join(dir, 'h.flac'), bytes);
			execFileSync(FLAC_TOOL, ['-d', '--silent', '--force', '--force-raw-format', '--endian=little', '--sign=signed', '-o', join(dir, 'h.raw'), join(dir, 'h.flac')]);
			expectSame(readRaw(join(dir, 'h.raw'), 2, 16), [left, right]);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
});

describe('FLAC written region by region (long songs)', () => {
	const song = (n: number, ch: number) => {
		let seed = 11;
		const rnd = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2 - 1;
		return Array.from({ length: ch }, (_, c) => Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin(i * 0.013 * (c + 1)) + 0.05 * rnd()));
	};
	const streamed = (channels: Float32Array[], cuts: number[], bitDepth: 16 | 24) => {
		const n = channels[0].length;
		const enc = new FlacStreamEncoder(44100, channels.length, n, { bitDepth, dither: false });
		const parts = [enc.header()];
		for (let i = 0; i < cuts.length - 1; i++) parts.push(enc.body(channels.map((c) => c.subarray(cuts[i], cuts[i + 1]))));
		parts.push(enc.finish());
		const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
		let at = 0;
		for (const p of parts) (bytes.set(p, at), (at += p.length));
		return { bytes, info: enc.streamInfo() };
	};

	it('gives encodeFlac\'s bytes once STREAMINFO is written over, whatever the region sizes', () => {
		const x = song(100_000, 2);
		const whole = encodeFlac({ sampleRate: 44100, channels: x }, { bitDepth: 24, dither: false });
		for (const cuts of [[0, 100_000], [0, 4096, 8192, 100_000], [0, 1000, 71_003, 71_006, 100_000], [0, 0, 99_999, 100_000]]) {
			const { bytes, info } = streamed(x, cuts, 24);
			const patched = bytes.slice();
			patched.set(info, STREAMINFO_OFFSET);
			expect(Buffer.from(patched).equals(Buffer.from(whole)), `cuts ${cuts}`).toBe(true);
		}
	});

	it('unpatched (as in a zip), it is still a valid FLAC: the same samples, MD5 and frame sizes left unknown', () => {
		const x = song(30_000, 1);
		const { bytes } = streamed(x, [0, 12_345, 30_000], 16);
		const audio = decodeFlac(bytes);
		expect(audio.md5).toBe('absent');
		expect(audio.channels[0].length).toBe(30_000);
		const ref = decodeFlac(encodeFlac({ sampleRate: 44100, channels: x }, { bitDepth: 16, dither: false }));
		expect(audio.channels).toEqual(ref.channels);
		expect(ref.md5).toBe('ok');
	});

	it('with the MD5 announced by a first pass (dither replayed from a seed), unpatched it carries the MD5', () => {
		const x = song(30_000, 2);
		const cuts = [0, 12_345, 30_000];
		const regions = cuts.slice(1).map((end, i) => x.map((c) => c.subarray(cuts[i], end)));
		for (const bitDepth of [16, 24] as const) {
			const signature = new FlacSignature(bitDepth, { random: seededRandom(7) });
			for (const r of regions) signature.add(r);
			const md5 = signature.digest();
			const enc = new FlacStreamEncoder(44100, 2, 30_000, { bitDepth, random: seededRandom(7), md5 });
			const parts = [enc.header(), ...regions.map((r) => enc.body(r)), enc.finish()];
			const bytes = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
			let at = 0;
			for (const p of parts) (bytes.set(p, at), (at += p.length));
			const audio = decodeFlac(bytes); // not patched
			expect(audio.md5, `${bitDepth}-bit`).toBe('ok');
			expect(audio.streamInfo.md5).toBe(Buffer.from(md5).toString('hex'));
			expect(audio.channels[0].length).toBe(30_000);
		}
	});

	it('refuses to finish a stream whose samples do not give the MD5 announced in its header', () => {
		const x = song(5000, 1);
		const signature = new FlacSignature(16, { random: seededRandom(1) });
		signature.add(x);
		// another dither than the one the signature was taken with
		const enc = new FlacStreamEncoder(44100, 1, 5000, { bitDepth: 16, random: seededRandom(2), md5: signature.digest() });
		enc.header();
		enc.body(x);
		expect(() => enc.finish()).toThrow(/MD5 is not the one announced/);
		expect(() => new FlacStreamEncoder(44100, 1, 5000, { bitDepth: 16, md5: new Uint8Array(8) })).toThrow(/16 bytes/);
	});

	it('refuses more samples than announced, a region of the wrong shape, and finishing early', () => {
		const enc = new FlacStreamEncoder(44100, 2, 1000, { bitDepth: 16 });
		expect(() => enc.body([new Float32Array(10)])).toThrow(AudioFormatError);
		expect(() => enc.body([new Float32Array(10), new Float32Array(11)])).toThrow(/different lengths/);
		enc.body([new Float32Array(600), new Float32Array(600)]);
		expect(() => enc.finish()).toThrow(/600 of 1000/);
		expect(() => enc.body([new Float32Array(500), new Float32Array(500)])).toThrow(/more samples/);
	});
});
