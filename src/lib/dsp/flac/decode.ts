/**
 * FLAC decoder (https://www.rfc-editor.org/rfc/rfc9639): STREAMINFO, CONSTANT / VERBATIM /
 * FIXED / LPC subframes, Rice partitions with escapes, wasted bits, stereo decorrelation,
 * 4–32 bits, 1–8 channels; every frame's CRC-8 and CRC-16 are checked and the STREAMINFO
 * MD5 is compared when the whole stream was decoded.
 *
 * A file that ends early keeps every complete frame and says so (`truncated`); damage inside
 * the file (lost sync, bad CRC, impossible values) is an AudioFormatError.
 */
import { AudioFormatError, checkAudio, checkAudioShape, MAX_DURATION_SECONDS, tooLongError, type AudioData } from '../audio';
import { BitReader, EndOfData } from './bits';
import { crc16, crc8 } from './crc';
import { toHex } from '../../hash/md5';
import { SampleHasher } from './md5';

export interface StreamInfo {
	minBlockSize: number;
	maxBlockSize: number;
	minFrameSize: number;
	maxFrameSize: number;
	sampleRate: number;
	channels: number;
	bitsPerSample: number;
	/** 0 when unknown. */
	totalSamples: number;
	/** Hex; all zeros when the encoder did not compute it. */
	md5: string;
}

export interface FlacAudio extends AudioData {
	bitsPerSample: number;
	streamInfo: StreamInfo;
	/** Set when the file ends before its last frame: the audio holds every complete frame. */
	truncated: { secondsRead: number; secondsExpected: number | null } | null;
	/** 'ok' / 'mismatch' against STREAMINFO; 'absent' when the file has none; 'unchecked' when truncated. */
	md5: 'ok' | 'mismatch' | 'absent' | 'unchecked';
	/** Plain-language remarks for the user (truncation, checksum mismatch). */
	notes: string[];
	/** Smallest and largest complete frame, in bytes (compare with STREAMINFO's bounds). */
	frameBytes: { min: number; max: number };
}

const MAGIC = [0x66, 0x4c, 0x61, 0x43]; // "fLaC"

/**
 * What one file may decode to. A FLAC frame of CONSTANT subframes is a few bytes for up to 65536
 * samples per channel, so a 10 KB file can announce minutes of 8-channel audio (gigabytes of
 * floats): the decoded size is bounded by the length limit and, past `freeSamples`, by
 * `maxSamplesPerByte` samples (all channels) per byte of file. Recorded music is about 1 sample
 * per byte; a stretch of digital silence about 700, so a file reaches 64 only when some 99 % of
 * its length is constant (45 s of music in an hour of digital silence). At most a 1 MB file decodes
 * to 256 MB of floats, a 10 KB one to the 32 MB of `freeSamples`.
 */
export interface FlacLimits {
	maxSeconds: number;
	maxSamplesPerByte: number;
	freeSamples: number;
}

export const FLAC_LIMITS: FlacLimits = { maxSeconds: MAX_DURATION_SECONDS, maxSamplesPerByte: 64, freeSamples: 8 * 1024 ** 2 };

/** Frames per chunk of decoded audio when the total is not known (or not believed) up front. */
const CHUNK_FRAMES = 1 << 18;

/**
 * Planar float audio appended frame by frame: one allocation of the declared length when it is
 * believed, else chunks that are joined once at the end (no copying while it grows).
 */
class GrowingPlanes {
	private readonly chunks: Float32Array[][] = [];
	/** Frames used in the last chunk. */
	private used = 0;
	length = 0;

	constructor(
		private readonly channels: number,
		exact: number
	) {
		if (exact > 0) this.chunks.push(Array.from({ length: channels }, () => new Float32Array(exact)));
	}

	/** Appends src[c][0..n) × scale to each channel. */
	append(src: Int32Array[], n: number, scale: number): void {
		for (let done = 0; done < n; ) {
			let chunk = this.chunks.at(-1);
			if (!chunk || this.used === chunk[0].length) {
				this.chunks.push((chunk = Array.from({ length: this.channels }, () => new Float32Array(CHUNK_FRAMES))));
				this.used = 0;
			}
			const take = Math.min(n - done, chunk[0].length - this.used);
			for (let c = 0; c < this.channels; c++) {
				const from = src[c];
				const to = chunk[c];
				for (let i = 0; i < take; i++) to[this.used + i] = from[done + i] * scale;
			}
			this.used += take;
			done += take;
		}
		this.length += n;
	}

	/** The channels, exactly `length` long. */
	finish(): Float32Array[] {
		if (this.chunks.length === 1 && this.chunks[0][0].length === this.length) return this.chunks[0];
		return Array.from({ length: this.channels }, (_, c) => {
			const out = new Float32Array(this.length);
			let at = 0;
			for (const chunk of this.chunks) {
				const part = chunk[c].subarray(0, Math.min(chunk[c].length, this.length - at));
				out.set(part, at);
				at += part.length;
			}
			return out;
		});
	}
}

/** True if the bytes start with "fLaC" (optionally after an ID3v2 tag). */
export function isFlac(bytes: Uint8Array): boolean {
	const at = skipId3(bytes);
	return at + 4 <= bytes.length && MAGIC.every((m, i) => bytes[at + i] === m);
}

function skipId3(bytes: Uint8Array): number {
	if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
		const size = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
		return 10 + size + (bytes[5] & 0x10 ? 10 : 0);
	}
	return 0;
}

const damaged = (what: string) => new AudioFormatError(`The FLAC file is damaged: ${what}.`);

function readStreamInfo(r: BitReader): StreamInfo {
	const info: StreamInfo = {
		minBlockSize: r.read(16),
		maxBlockSize: r.read(16),
		minFrameSize: r.read(24),
		maxFrameSize: r.read(24),
		sampleRate: r.read(20),
		channels: r.read(3) + 1,
		bitsPerSample: r.read(5) + 1,
		totalSamples: r.read(36),
		md5: ''
	};
	const md5 = new Uint8Array(16);
	for (let i = 0; i < 16; i++) md5[i] = r.read(8);
	info.md5 = toHex(md5);
	return info;
}

/** Reads the metadata blocks; returns STREAMINFO and leaves the reader at the first frame. */
function readMetadata(r: BitReader): StreamInfo {
	let info: StreamInfo | null = null;
	let last = false;
	try {
		while (!last) {
			last = r.read(1) === 1;
			const type = r.read(7);
			const length = r.read(24);
			const start = r.bytePos;
			if (type === 0) {
				if (length < 34) throw damaged('its STREAMINFO block is too short');
				info = readStreamInfo(r);
			} else if (type === 127) {
				throw damaged('a metadata block has an invalid type');
			}
			r.pos = (start + length) * 8;
			if (r.bitsLeft < 0) throw new EndOfData();
		}
	} catch (e) {
		if (e instanceof EndOfData) throw new AudioFormatError('The FLAC file is cut off before any audio (its header is incomplete).');
		throw e;
	}
	if (!info) throw damaged('it has no STREAMINFO block');
	if (info.sampleRate === 0) throw damaged('STREAMINFO gives a sample rate of 0 Hz');
	if (info.bitsPerSample < 4) throw damaged(`STREAMINFO gives ${info.bitsPerSample} bits per sample`);
	return info;
}

const RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];
const DEPTHS = [0, 8, 12, -1, 16, 20, 24, 32];

interface FrameHeader {
	blockSize: number;
	sampleRate: number;
	channelAssignment: number;
	channels: number;
	bitsPerSample: number;
}

function readFrameHeader(r: BitReader, info: StreamInfo): FrameHeader {
	const start = r.bytePos;
	const sync = r.read(15);
	if (sync !== 0x7ffc) throw damaged(`lost frame sync at byte ${start}`);
	r.read(1); // blocking strategy: fixed or variable; the decoder needs neither
	const bsCode = r.read(4);
	const srCode = r.read(4);
	const chCode = r.read(4);
	const depthCode = r.read(3);
	if (r.read(1) !== 0) throw damaged(`a reserved bit is set in the frame at byte ${start}`);
	if (r.readUtf8() === null) throw damaged(`bad frame number at byte ${start}`);
	let blockSize: number;
	if (bsCode === 0) throw damaged(`reserved block size in the frame at byte ${start}`);
	else if (bsCode === 1) blockSize = 192;
	else if (bsCode <= 5) blockSize = 576 << (bsCode - 2);
	else if (bsCode === 6) blockSize = r.read(8) + 1;
	else if (bsCode === 7) blockSize = r.read(16) + 1;
	else blockSize = 256 << (bsCode - 8);
	let sampleRate: number;
	if (srCode === 0) sampleRate = info.sampleRate;
	else if (srCode <= 11) sampleRate = RATES[srCode];
	else if (srCode === 12) sampleRate = r.read(8) * 1000;
	else if (srCode === 13) sampleRate = r.read(16);
	else if (srCode === 14) sampleRate = r.read(16) * 10;
	else throw damaged(`invalid sample rate code in the frame at byte ${start}`);
	const end = r.bytePos;
	const crc = r.read(8);
	if (crc8(r.bytes, start, end) !== crc) throw damaged(`header checksum (CRC-8) mismatch in the frame at byte ${start}`);
	if (chCode > 10) throw damaged(`reserved channel assignment in the frame at byte ${start}`);
	const bitsPerSample = depthCode === 0 ? info.bitsPerSample : DEPTHS[depthCode];
	if (bitsPerSample < 0) throw damaged(`reserved sample size in the frame at byte ${start}`);
	return { blockSize, sampleRate, channelAssignment: chCode, channels: chCode < 8 ? chCode + 1 : 2, bitsPerSample };
}

/** Decodes the residual into out[order..n) (the predictor is applied afterwards, in place). */
function readResidual(r: BitReader, out: Float64Array, n: number, order: number, where: () => string): void {
	const method = r.read(2);
	if (method > 1) throw damaged(`reserved residual coding method ${where()}`);
	const paramBits = method === 0 ? 4 : 5;
	const escape = method === 0 ? 15 : 31;
	const partitionOrder = r.read(4);
	const partitions = 1 << partitionOrder;
	const perPartition = n >> partitionOrder;
	if (perPartition << partitionOrder !== n || perPartition < order) throw damaged(`impossible residual partitioning ${where()}`);
	let i = order;
	for (let p = 0; p < partitions; p++) {
		const end = (p + 1) * perPartition;
		const k = r.read(paramBits);
		if (k === escape) {
			const bits = r.read(5);
			for (; i < end; i++) out[i] = r.readSigned(bits);
			continue;
		}
		const scale = 2 ** k;
		for (; i < end; i++) {
			const u = r.readUnary() * scale + r.read(k);
			out[i] = u % 2 === 0 ? u / 2 : -(u + 1) / 2;
		}
	}
}

const FIXED: number[][] = [[], [1], [2, -1], [3, -3, 1], [4, -6, 4, -1]];

function predict(x: Float64Array, n: number, coefs: ArrayLike<number>, shift: number): void {
	const order = coefs.length;
	const scale = 2 ** -shift;
	if (order === 0) return;
	for (let i = order; i < n; i++) {
		let sum = 0;
		for (let j = 0; j < order; j++) sum += coefs[j] * x[i - 1 - j];
		x[i] += Math.floor(sum * scale);
	}
}

function readSubframe(r: BitReader, out: Float64Array, n: number, bps: number, where: () => string): void {
	if (r.read(1) !== 0) throw damaged(`subframe padding bit set ${where()}`);
	const type = r.read(6);
	let wasted = 0;
	if (r.read(1) === 1) wasted = r.readUnary() + 1;
	if (wasted >= bps) throw damaged(`more wasted bits than sample bits ${where()}`);
	bps -= wasted;
	if (type === 0) {
		out.fill(r.readSigned(bps), 0, n);
	} else if (type === 1) {
		for (let i = 0; i < n; i++) out[i] = r.readSigned(bps);
	} else if (type >= 8 && type <= 12) {
		const order = type - 8;
		if (order > n) throw damaged(`predictor order above block size ${where()}`);
		for (let i = 0; i < order; i++) out[i] = r.readSigned(bps);
		readResidual(r, out, n, order, where);
		predict(out, n, FIXED[order], 0);
	} else if (type >= 32) {
		const order = type - 31;
		if (order > n) throw damaged(`predictor order above block size ${where()}`);
		for (let i = 0; i < order; i++) out[i] = r.readSigned(bps);
		const precision = r.read(4) + 1;
		if (precision === 16) throw damaged(`invalid LPC precision ${where()}`);
		const shift = r.readSigned(5);
		if (shift < 0) throw damaged(`negative LPC shift ${where()}`);
		const coefs = new Float64Array(order);
		for (let j = 0; j < order; j++) coefs[j] = r.readSigned(precision);
		readResidual(r, out, n, order, where);
		predict(out, n, coefs, shift);
	} else {
		throw damaged(`reserved subframe type ${type} ${where()}`);
	}
	if (wasted > 0) {
		const m = 2 ** wasted;
		for (let i = 0; i < n; i++) out[i] *= m;
	}
}

export function decodeFlac(bytes: Uint8Array, limits: Partial<FlacLimits> = {}): FlacAudio {
	if (!isFlac(bytes)) throw new AudioFormatError('This is not a FLAC file (no "fLaC" marker).');
	const { maxSeconds, maxSamplesPerByte, freeSamples } = { ...FLAC_LIMITS, ...limits };
	const r = new BitReader(bytes);
	r.pos = (skipId3(bytes) + 4) * 8;
	const info = readMetadata(r);
	const nch = info.channels;
	const bps = info.bitsPerSample;
	const expected = info.totalSamples;
	checkAudioShape(info.sampleRate, nch, null, 'The FLAC file');
	// Samples per channel this file may decode to (see FlacLimits), checked as frames are decoded.
	const maxFrames = Math.floor(maxSeconds * info.sampleRate);
	const plausibleFrames = Math.floor(Math.max(freeSamples, bytes.length * maxSamplesPerByte) / nch);
	// A declared length over the limit is refused at once when the file is big enough to hold it.
	if (expected > maxFrames && expected <= plausibleFrames) throw tooLongError(expected / info.sampleRate);
	// Decoded straight into float planes (the file's integers are only kept one block at a time),
	// allocated at once when the declared total is within the bounds, else grown as frames come.
	const planes = new GrowingPlanes(nch, expected <= Math.min(maxFrames, plausibleFrames) ? expected : 0);
	const maxBlock = info.maxBlockSize || 65536;
	const scratch = Array.from({ length: nch }, () => new Float64Array(maxBlock));
	const block = Array.from({ length: nch }, () => new Int32Array(maxBlock));
	const scale = 1 / 2 ** (bps - 1);
	const hasher = new SampleHasher(Math.ceil(bps / 8));
	let decoded = 0;
	let truncated = false;
	let frameNo = 0;
	const frameBytes = { min: Infinity, max: 0 };

	while (r.bitsLeft >= 16) {
		const frameStart = r.bytePos;
		// A final run of zero bytes (padding some tools leave) or ID3v1 tag is not a frame.
		if (bytes[frameStart] !== 0xff) {
			if (bytes.subarray(frameStart).every((b) => b === 0) || (bytes[frameStart] === 0x54 && bytes.length - frameStart === 128)) break;
		}
		const where = () => `(frame ${frameNo}, at ${(decoded / info.sampleRate).toFixed(2)} s)`;
		try {
			const h = readFrameHeader(r, info);
			if (h.channels !== nch) throw damaged(`a frame has ${h.channels} channels where the stream has ${nch} ${where()}`);
			if (h.bitsPerSample !== bps) throw damaged(`a frame has ${h.bitsPerSample}-bit samples where the stream has ${bps} ${where()}`);
			const n = h.blockSize;
			if (n > maxBlock) throw damaged(`a block of ${n} samples exceeds STREAMINFO's maximum ${where()}`);
			for (let c = 0; c < nch; c++) {
				const ca = h.channelAssignment;
				const side = (ca === 8 && c === 1) || (ca === 9 && c === 0) || (ca === 10 && c === 1);
				readSubframe(r, scratch[c], n, bps + (side ? 1 : 0), where);
			}
			r.align();
			const end = r.bytePos;
			const crc = r.read(16);
			if (crc16(bytes, frameStart, end) !== crc) throw damaged(`frame checksum (CRC-16) mismatch ${where()}`);
			if (decoded + n > maxFrames) throw tooLongError(Math.max(decoded + n, expected) / info.sampleRate);
			if (decoded + n > plausibleFrames) {
				throw damaged(
					`its ${formatBytes(bytes.length)} announce more than ${formatSeconds(plausibleFrames / info.sampleRate)} of ${nch}-channel audio, ` +
						'which only constant samples (not a recording) compress to'
				);
			}
			decorrelate(h.channelAssignment, scratch, block, n);
			hasher.add(block, 0, n);
			planes.append(block, n, scale);
			decoded += n;
			frameNo++;
			const size = r.bytePos - frameStart;
			frameBytes.min = Math.min(frameBytes.min, size);
			frameBytes.max = Math.max(frameBytes.max, size);
		} catch (e) {
			if (e instanceof EndOfData) {
				// Damage can also make a frame run off the end; a valid frame further on tells them apart.
				if (findFrame(bytes, frameStart + 2, info) >= 0) throw damaged(`a frame cannot be read ${where()}`);
				truncated = true;
				break;
			}
			throw e;
		}
	}
	if (expected > 0 && decoded > expected) throw damaged(`it holds more samples than its header says (${decoded} > ${expected})`);
	if (expected > 0 && decoded < expected) truncated = true;
	if (decoded === 0) {
		throw new AudioFormatError(
			truncated ? 'The FLAC file is cut off before the end of its first audio frame; there is no audio to use.' : 'The FLAC file contains no audio frames.'
		);
	}
	const channels = planes.finish();
	const notes: string[] = [];
	const secondsRead = decoded / info.sampleRate;
	let md5: FlacAudio['md5'];
	if (truncated) {
		md5 = 'unchecked';
		const total = expected > 0 ? ` of ${formatSeconds(expected / info.sampleRate)}` : '';
		notes.push(`The FLAC file is cut short: only the first ${formatSeconds(secondsRead)}${total} could be read.`);
	} else if (/^0+$/.test(info.md5)) {
		md5 = 'absent';
	} else {
		md5 = toHex(hasher.md5.digest()) === info.md5 ? 'ok' : 'mismatch';
		if (md5 === 'mismatch') notes.push("The FLAC file's audio does not match its MD5 checksum; it may be damaged.");
	}
	const audio = checkAudio({ sampleRate: info.sampleRate, channels }, 'The FLAC file');
	return {
		...audio,
		bitsPerSample: bps,
		streamInfo: info,
		truncated: truncated ? { secondsRead, secondsExpected: expected > 0 ? expected / info.sampleRate : null } : null,
		md5,
		notes,
		frameBytes
	};
}

/** Byte offset of the next frame header (sync + valid CRC-8) at or after `from`, or -1. */
function findFrame(bytes: Uint8Array, from: number, info: StreamInfo): number {
	for (let i = from; i + 1 < bytes.length; i++) {
		if (bytes[i] !== 0xff || (bytes[i + 1] & 0xfe) !== 0xf8) continue;
		const r = new BitReader(bytes);
		r.pos = i * 8;
		try {
			readFrameHeader(r, info);
			return i;
		} catch {
			// not a header
		}
	}
	return -1;
}

function formatBytes(n: number): string {
	return n >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} bytes`;
}

function formatSeconds(s: number): string {
	if (s >= 60) return `${Math.floor(s / 60)} min ${Math.floor(s % 60)} s`;
	return `${s.toFixed(s >= 10 ? 0 : s >= 1 ? 1 : 3)} s`;
}

/** Undoes the stereo decorrelation of one block into `out[c][0..n)`. */
function decorrelate(assignment: number, x: Float64Array[], out: Int32Array[], n: number): void {
	if (assignment < 8) {
		for (let c = 0; c < x.length; c++) {
			const src = x[c];
			const dst = out[c];
			for (let i = 0; i < n; i++) dst[i] = src[i];
		}
		return;
	}
	const [a, b] = x;
	const [left, right] = out;
	for (let i = 0; i < n; i++) {
		let l: number;
		let rr: number;
		if (assignment === 8) (l = a[i]), (rr = a[i] - b[i]);
		else if (assignment === 9) (rr = b[i]), (l = a[i] + b[i]);
		else {
			const side = b[i];
			const mid = a[i] * 2 + (side % 2 === 0 ? 0 : 1);
			l = (mid + side) / 2;
			rr = (mid - side) / 2;
		}
		left[i] = l;
		right[i] = rr;
	}
}
