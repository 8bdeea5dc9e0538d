/**
 * FLAC encoder: fixed-blocksize frames of 4096 samples, each channel coded as CONSTANT, FIXED
 * (order 0–4, chosen per block) or VERBATIM, with wasted-bits detection and partitioned Rice
 * residuals; stereo frames pick the cheapest of independent, left/side, right/side, mid/side.
 * STREAMINFO carries the block and frame size bounds, the sample count and the MD5 of the samples.
 */
import { AudioFormatError, type AudioData } from '../audio';
import { quantise } from '../wav';
import { BitWriter } from './bits';
import { crc16, crc8 } from './crc';
import { SampleHasher } from './md5';

export interface FlacEncodeOptions {
	bitDepth: 16 | 24;
	/** TPDF dither before quantising (default: on for 16-bit, off for 24-bit), as encodeWav does. */
	dither?: boolean;
	/** Random source for the dither, for reproducible output. */
	random?: () => number;
	/** Samples per frame (16–65535); default 4096. */
	blockSize?: number;
	/**
	 * The samples' MD5 when it is known before encoding (FlacSignature over the same audio, with
	 * a random source that replays the same dither): the header carries it from the start, for an
	 * output that cannot be patched afterwards (a zip entry). finish() checks it.
	 */
	md5?: Uint8Array;
}

const MAX_PARTITION_ORDER = 8;
const RATE_CODES: Record<number, number> = {
	88200: 1, 176400: 2, 192000: 3, 8000: 4, 16000: 5, 22050: 6, 24000: 7, 32000: 8, 44100: 9, 48000: 10, 96000: 11
};

export function encodeFlac(audio: AudioData, options: FlacEncodeOptions): Uint8Array {
	const { sampleRate, channels } = audio;
	const enc = new FlacStreamEncoder(sampleRate, channels.length, channels[0]?.length ?? 0, options);
	const parts = [enc.header(), enc.body(channels), enc.finish()];
	const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
	let at = 0;
	for (const p of parts) {
		out.set(p, at);
		at += p.length;
	}
	out.set(enc.streamInfo(), STREAMINFO_OFFSET);
	return out;
}

/** Where STREAMINFO's 34 bytes start ("fLaC" and the metadata block header come first). */
export const STREAMINFO_OFFSET = 8;

/**
 * FLAC's MD5 signature of audio fed region by region: each region is quantised (and dithered)
 * exactly as FlacStreamEncoder does, so with the same random source it finds the MD5 the
 * encoder will, before encoding.
 */
export class FlacSignature {
	private readonly hasher: SampleHasher;
	private readonly dither: boolean;
	private readonly random: () => number;
	constructor(
		private readonly bps: 16 | 24,
		options: Pick<FlacEncodeOptions, 'dither' | 'random'> = {}
	) {
		this.hasher = new SampleHasher(bps / 8);
		this.dither = options.dither ?? bps === 16;
		this.random = options.random ?? Math.random;
	}
	/** Quantises the region (planar channels), adds it to the signature and returns the integers. */
	add(region: Float32Array[]): Int32Array[] {
		const pcm = quantiseAll(region, this.bps, this.dither, this.random);
		this.hasher.add(pcm, 0, region[0]?.length ?? 0);
		return pcm;
	}
	digest(): Uint8Array {
		return this.hasher.md5.digest();
	}
}

/**
 * A FLAC file written piece by piece (a long song region by region): header(), body() for each
 * region in order, finish(). The header's STREAMINFO leaves the frame size bounds and the MD5
 * unknown (0, as the format allows) until the end: write streamInfo() over it at
 * STREAMINFO_OFFSET where the output can be patched. With the whole audio as one region the
 * bytes are those of encodeFlac.
 */
export class FlacStreamEncoder {
	private readonly bps: 16 | 24;
	private readonly blockSize: number;
	private readonly signature: FlacSignature;
	/** the MD5 announced in the header (options.md5), if any */
	private readonly announced: Uint8Array | null;
	/** quantised samples not yet in a frame (fewer than blockSize) */
	private pending: Int32Array[];
	private frameNo = 0;
	private received = 0;
	private minFrame = Infinity;
	private maxFrame = 0;
	/** set by finish(): the stream is complete */
	private md5: Uint8Array | null = null;

	constructor(
		readonly sampleRate: number,
		readonly channels: number,
		readonly frames: number,
		options: FlacEncodeOptions
	) {
		const bps = options.bitDepth;
		if (bps !== 16 && bps !== 24) throw new AudioFormatError(`FLAC export supports 16 or 24 bits, not ${bps}.`);
		if (channels < 1 || channels > 8) throw new AudioFormatError(`FLAC holds 1 to 8 channels, not ${channels}.`);
		if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 655350) {
			throw new AudioFormatError(`FLAC cannot store a sample rate of ${sampleRate} Hz.`);
		}
		const blockSize = options.blockSize ?? 4096;
		if (!Number.isInteger(blockSize) || blockSize < 16 || blockSize > 65535) throw new Error(`bad FLAC block size ${blockSize}`);
		if (options.md5 && options.md5.length !== 16) throw new Error(`an MD5 has 16 bytes, not ${options.md5.length}`);
		this.bps = bps;
		this.blockSize = blockSize;
		this.signature = new FlacSignature(bps, options);
		this.announced = options.md5 ?? null;
		this.pending = Array.from({ length: channels }, () => new Int32Array(0));
	}

	/** "fLaC" and STREAMINFO (frame sizes unknown until finish; the MD5 too unless announced). */
	header(): Uint8Array {
		const w = new BitWriter(64);
		w.write(0x664c6143, 32); // "fLaC"
		w.write(1, 1); // last metadata block
		w.write(0, 7); // STREAMINFO
		w.write(34, 24);
		for (const b of this.streamInfo()) w.write(b, 8);
		return w.finish();
	}

	/** The frames that the next region (planar channels, all the same length) completes. */
	body(region: Float32Array[]): Uint8Array {
		if (this.md5) throw new Error('the FLAC stream is finished');
		if (region.length !== this.channels) throw new AudioFormatError(`expected ${this.channels} channels, got ${region.length}`);
		const n = region[0].length;
		if (region.some((c) => c.length !== n)) throw new AudioFormatError('The channels have different lengths.');
		if (this.received + n > this.frames) throw new RangeError(`more samples than the ${this.frames} announced`);
		this.received += n;
		const pcm = this.signature.add(region);
		const all = this.pending[0].length ? pcm.map((ch, c) => concat(this.pending[c], ch)) : pcm;
		const whole = Math.floor(all[0].length / this.blockSize) * this.blockSize;
		this.pending = all.map((ch) => ch.slice(whole));
		return this.encode(all, whole);
	}

	/** The last, shorter frame; the stream must have received all its samples. */
	finish(): Uint8Array {
		if (this.received !== this.frames) throw new RangeError(`${this.received} of ${this.frames} samples were given`);
		const rest = this.pending;
		this.pending = rest.map(() => new Int32Array(0));
		const last = this.encode(rest, rest[0].length);
		this.md5 = this.signature.digest();
		if (this.announced && this.announced.some((b, i) => b !== this.md5![i])) {
			throw new Error('The audio changed while it was written: its MD5 is not the one announced in the FLAC header.');
		}
		return last;
	}

	/** STREAMINFO's 34 bytes: complete after finish(). */
	streamInfo(): Uint8Array {
		const frameCount = Math.ceil(this.frames / this.blockSize);
		const blockBound = frameCount <= 1 ? Math.max(16, this.frames) : this.blockSize;
		const info = new BitWriter(34);
		info.write(blockBound, 16);
		info.write(blockBound, 16);
		info.write(this.md5 && this.frameNo ? this.minFrame : 0, 24);
		info.write(this.md5 ? this.maxFrame : 0, 24);
		info.write(this.sampleRate, 20);
		info.write(this.channels - 1, 3);
		info.write(this.bps - 1, 5);
		info.write(this.frames, 36);
		for (const b of this.md5 ?? this.announced ?? new Uint8Array(16)) info.write(b, 8);
		return info.finish();
	}

	/** Frames of blockSize over pcm[..][0, count) (the last one shorter). */
	private encode(pcm: Int32Array[], count: number): Uint8Array {
		const w = new BitWriter(Math.min(2 ** 28, 4096 + Math.ceil(count * this.channels * (this.bps / 8) * 0.75)));
		if (count === 0) return w.finish();
		const enc = new FrameEncoder(pcm, this.bps, this.sampleRate, this.blockSize);
		for (let start = 0; start < count; start += this.blockSize) {
			const n = Math.min(this.blockSize, count - start);
			const at = w.byteLength;
			enc.frame(w, this.frameNo++, start, n);
			const size = w.byteLength - at;
			this.minFrame = Math.min(this.minFrame, size);
			this.maxFrame = Math.max(this.maxFrame, size);
		}
		return w.finish();
	}
}

function concat(a: Int32Array, b: Int32Array): Int32Array {
	const out = new Int32Array(a.length + b.length);
	out.set(a);
	out.set(b, a.length);
	return out;
}

function quantiseAll(channels: Float32Array[], bps: number, dither: boolean, random: () => number): Int32Array[] {
	const scale = 2 ** (bps - 1);
	const max = scale - 1;
	return channels.map((ch) => {
		const out = new Int32Array(ch.length);
		for (let i = 0; i < ch.length; i++) out[i] = quantise(ch[i] * scale + (dither ? random() - random() : 0), max);
		return out;
	});
}

/** How one channel of one block will be written, with its size in bits. */
interface Plan {
	bits: number;
	kind: 'constant' | 'verbatim' | 'fixed';
	/** bits per sample after removing wasted bits */
	bps: number;
	wasted: number;
	order: number;
	/** samples (shifted right by `wasted`) */
	x: Int32Array;
	residual: Int32Array;
	partitionOrder: number;
	params: number[];
	paramBits: 4 | 5;
}

class FrameEncoder {
	private side: Int32Array;
	private mid: Int32Array;
	private residual: Int32Array[];
	private shifted: Int32Array[];
	private folded: Float64Array;

	constructor(
		private readonly pcm: Int32Array[],
		private readonly bps: number,
		private readonly sampleRate: number,
		blockSize: number
	) {
		const slots = Math.max(4, pcm.length);
		this.side = new Int32Array(blockSize);
		this.mid = new Int32Array(blockSize);
		this.residual = Array.from({ length: slots }, () => new Int32Array(blockSize));
		this.shifted = Array.from({ length: slots }, () => new Int32Array(blockSize));
		this.folded = new Float64Array(blockSize);
	}

	frame(w: BitWriter, frameNo: number, start: number, n: number): void {
		const nch = this.pcm.length;
		const blocks = this.pcm.map((c) => c.subarray(start, start + n));
		let assignment = nch - 1;
		let plans: Plan[];
		if (nch === 2) {
			const [l, r] = blocks;
			const side = this.side.subarray(0, n);
			const mid = this.mid.subarray(0, n);
			for (let i = 0; i < n; i++) {
				side[i] = l[i] - r[i];
				mid[i] = (l[i] + r[i]) >> 1;
			}
			const pl = this.plan(l, this.bps, 0);
			const pr = this.plan(r, this.bps, 1);
			const ps = this.plan(side, this.bps + 1, 2);
			const pm = this.plan(mid, this.bps, 3);
			const options: [number, Plan[]][] = [
				[1, [pl, pr]],
				[8, [pl, ps]],
				[9, [ps, pr]],
				[10, [pm, ps]]
			];
			[assignment, plans] = options.reduce((best, o) => (o[1][0].bits + o[1][1].bits < best[1][0].bits + best[1][1].bits ? o : best));
		} else {
			plans = blocks.map((b, c) => this.plan(b, this.bps, c));
		}

		const start0 = w.byteLength;
		this.header(w, frameNo, n, assignment);
		for (const p of plans) writeSubframe(w, p, n);
		w.align();
		w.write(crc16(w.slice(start0), 0), 16);
	}

	private header(w: BitWriter, frameNo: number, n: number, assignment: number): void {
		const at = w.byteLength;
		w.write(0x7ffc, 15); // sync
		w.write(0, 1); // fixed block size
		const bsCode = n === 4096 ? 12 : n <= 256 ? 6 : 7;
		w.write(bsCode, 4);
		const rate = this.sampleRate;
		const rateCode =
			RATE_CODES[rate] ??
			(rate % 1000 === 0 && rate / 1000 < 256 ? 12 : rate < 65536 ? 13 : rate % 10 === 0 && rate / 10 < 65536 ? 14 : 0);
		w.write(rateCode, 4);
		w.write(assignment, 4);
		w.write(this.bps === 16 ? 4 : 6, 3);
		w.write(0, 1);
		w.writeUtf8(frameNo);
		if (bsCode === 6) w.write(n - 1, 8);
		else if (bsCode === 7) w.write(n - 1, 16);
		if (rateCode === 12) w.write(rate / 1000, 8);
		else if (rateCode === 13) w.write(rate, 16);
		else if (rateCode === 14) w.write(rate / 10, 16);
		w.write(crc8(w.slice(at), 0), 8);
	}

	/** Chooses the cheapest coding of one channel block; `slot` picks scratch buffers (one per candidate). */
	private plan(x: Int32Array, bps: number, slot: number): Plan {
		const n = x.length;
		const base: Plan = { bits: 0, kind: 'verbatim', bps, wasted: 0, order: 0, x, residual: x, partitionOrder: 0, params: [], paramBits: 4 };
		let or = 0;
		let constant = true;
		for (let i = 0; i < n; i++) {
			or |= x[i];
			if (x[i] !== x[0]) constant = false;
		}
		const head = 8; // padding bit, type, wasted flag
		if (constant) return { ...base, kind: 'constant', bits: head + bps };
		let wasted = 0;
		while (((or >> wasted) & 1) === 0 && wasted < bps - 1) wasted++;
		let xs = x;
		if (wasted > 0) {
			xs = this.shifted[slot].subarray(0, n);
			for (let i = 0; i < n; i++) xs[i] = x[i] >> wasted;
		}
		const sbps = bps - wasted;
		const wastedBits = wasted; // unary: wasted-1 zeros and a 1
		const verbatim: Plan = { ...base, x: xs, bps: sbps, wasted, bits: head + wastedBits + n * sbps };

		// fixed predictor order by the sum of absolute residuals
		const maxOrder = Math.min(4, n - 1);
		const sums = [0, 0, 0, 0, 0];
		for (let i = maxOrder; i < n; i++) {
			const e0 = xs[i];
			const e1 = e0 - xs[i - 1];
			sums[0] += Math.abs(e0);
			if (maxOrder < 1) continue;
			sums[1] += Math.abs(e1);
			if (maxOrder < 2) continue;
			const e2 = e1 - (xs[i - 1] - xs[i - 2]);
			sums[2] += Math.abs(e2);
			if (maxOrder < 3) continue;
			const e3 = e2 - (xs[i - 1] - 2 * xs[i - 2] + xs[i - 3]);
			sums[3] += Math.abs(e3);
			if (maxOrder < 4) continue;
			sums[4] += Math.abs(e3 - (xs[i - 1] - 3 * xs[i - 2] + 3 * xs[i - 3] - xs[i - 4]));
		}
		let order = 0;
		for (let k = 1; k <= maxOrder; k++) if (sums[k] < sums[order]) order = k;
		const res = this.residual[slot].subarray(0, n);
		fixedResidual(xs, order, res);
		const rice = bestPartitioning(res, n, order, this.folded);
		const fixedBits = head + wastedBits + order * sbps + rice.bits;
		if (fixedBits >= verbatim.bits) return verbatim;
		return { ...verbatim, ...rice, kind: 'fixed', bits: fixedBits, order, residual: res };
	}
}

function fixedResidual(x: Int32Array, order: number, out: Int32Array): void {
	const n = x.length;
	for (let i = order; i < n; i++) {
		switch (order) {
			case 0:
				out[i] = x[i];
				break;
			case 1:
				out[i] = x[i] - x[i - 1];
				break;
			case 2:
				out[i] = x[i] - 2 * x[i - 1] + x[i - 2];
				break;
			case 3:
				out[i] = x[i] - 3 * x[i - 1] + 3 * x[i - 2] - x[i - 3];
				break;
			default:
				out[i] = x[i] - 4 * x[i - 1] + 6 * x[i - 2] - 4 * x[i - 3] + x[i - 4];
		}
	}
}

/** Rice parameter chosen by riceBits (returned through this variable to keep the hot loop allocation-free). */
let riceK = 0;

/** Estimated bits of a Rice partition with `count` folded residuals summing to `sum`; sets riceK to its parameter. */
function riceBits(sum: number, count: number): number {
	riceK = 0;
	if (count === 0 || sum === 0) return count;
	const mean = sum / count;
	const k0 = mean < 1 ? 0 : mean < 2 ** 31 ? 31 - Math.clz32(mean) : Math.min(30, Math.floor(Math.log2(mean)));
	let best = Infinity;
	for (let k = k0 > 0 ? k0 - 1 : 0; k <= k0 + 1 && k <= 30; k++) {
		const bits = count * (k + 1) + Math.floor(sum / 2 ** k);
		if (bits < best) (best = bits), (riceK = k);
	}
	return best;
}

function bestPartitioning(res: Int32Array, n: number, order: number, folded: Float64Array) {
	let maxP = 0;
	while (maxP < MAX_PARTITION_ORDER && n % (2 << maxP) === 0 && n >> (maxP + 1) > order) maxP++;
	const parts = 1 << maxP;
	const size = n >> maxP;
	let sums = new Float64Array(parts);
	for (let i = order; i < n; i++) {
		const r = res[i];
		const u = r >= 0 ? 2 * r : -2 * r - 1;
		folded[i] = u;
		sums[(i / size) | 0] += u;
	}
	let best = { bits: Infinity, partitionOrder: 0, params: [] as number[], paramBits: 4 as 4 | 5 };
	for (let p = maxP; p >= 0; p--) {
		const count = 1 << p;
		const per = n >> p;
		const params: number[] = [];
		let bits = 2 + 4;
		for (let j = 0; j < count; j++) {
			bits += riceBits(sums[j], per - (j === 0 ? order : 0));
			params.push(riceK);
		}
		const paramBits: 4 | 5 = params.some((k) => k > 14) ? 5 : 4;
		bits += count * paramBits;
		if (bits < best.bits) best = { bits, partitionOrder: p, params, paramBits };
		if (p > 0) {
			const merged = new Float64Array(count >> 1);
			for (let j = 0; j < merged.length; j++) merged[j] = sums[2 * j] + sums[2 * j + 1];
			sums = merged;
		}
	}
	return best;
}

function writeSubframe(w: BitWriter, p: Plan, n: number): void {
	w.write(0, 1);
	const type = p.kind === 'constant' ? 0 : p.kind === 'verbatim' ? 1 : 8 + p.order;
	w.write(type, 6);
	if (p.wasted > 0) {
		w.write(1, 1);
		w.writeUnary(p.wasted - 1);
	} else {
		w.write(0, 1);
	}
	const x = p.x;
	if (p.kind === 'constant') return w.writeSigned(x[0], p.bps);
	if (p.kind === 'verbatim') {
		for (let i = 0; i < n; i++) w.writeSigned(x[i], p.bps);
		return;
	}
	for (let i = 0; i < p.order; i++) w.writeSigned(x[i], p.bps);
	w.write(p.paramBits === 4 ? 0 : 1, 2);
	w.write(p.partitionOrder, 4);
	const per = n >> p.partitionOrder;
	const res = p.residual;
	let i = p.order;
	for (let j = 0; j < p.params.length; j++) {
		const k = p.params[j];
		w.write(k, p.paramBits);
		const end = (j + 1) * per;
		for (; i < end; i++) {
			const r = res[i];
			w.writeRice(r >= 0 ? 2 * r : -2 * r - 1, k);
		}
	}
}
