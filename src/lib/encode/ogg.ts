/**
 * Ogg Opus files (RFC 3533 pages, RFC 7845 Opus mapping) from Opus packets: the identification
 * header (OpusHead: channels, pre-skip, the input's rate), the comment header (OpusTags: Vorbis
 * comments), then the audio packets on pages whose granule positions count 48 kHz samples
 * including the pre-skip; the last page's granule position ends the stream exactly where the
 * input ended, so a decoder drops the pre-skip at the start and the padding at the end. Also a
 * reader of the same (pages, packets, the header), for tests and checks. Pure.
 */
import { vorbisComments, type AudioTags } from './tags';

const CRC_TABLE = (() => {
	const t = new Uint32Array(256);
	for (let i = 0; i < 256; i++) {
		let r = i << 24;
		for (let b = 0; b < 8; b++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
		t[i] = r >>> 0;
	}
	return t;
})();

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial 0, no final xor). */
export function oggCrc(bytes: Uint8Array): number {
	let crc = 0;
	for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]) & 0xff]) >>> 0;
	return crc;
}

const FLAG_CONTINUED = 1, FLAG_FIRST = 2, FLAG_LAST = 4;
const MAX_SEGMENTS = 255;

/** Writes packets onto pages of one logical stream. */
export class OggWriter {
	private sequence = 0;
	private readonly pages: Uint8Array[] = [];
	/** Segments (lacing values and bytes) waiting for the current page. */
	private lacing: number[] = [];
	private body: Uint8Array[] = [];
	private continued = false;
	private first = true;

	constructor(private readonly serial: number) {}

	/** Granule position of the last packet that ends on the current page (-1: none does). */
	private granule = -1;

	/**
	 * Adds a packet whose last sample has granule position `granule`. `flush`: end the page after
	 * it (each header ends its page, RFC 7845); `last`: the end of the stream.
	 */
	packet(bytes: Uint8Array, granule: number, flush = false, last = false): void {
		let at = 0;
		// a packet is cut into 255-byte segments; a final segment under 255 (possibly 0) ends it
		for (;;) {
			if (this.lacing.length === MAX_SEGMENTS) this.writePage(false, at > 0);
			const len = Math.min(255, bytes.length - at);
			this.lacing.push(len);
			this.body.push(bytes.subarray(at, at + len));
			at += len;
			if (len < 255) break;
		}
		this.granule = granule;
		if (flush || last) this.writePage(last, false);
	}

	/** Ends the current page if it holds at least `bytes` (pages near 4 KiB, as encoders make them). */
	pageIfFull(bytes = 4096): void {
		if (this.body.reduce((n, b) => n + b.length, 0) >= bytes) this.writePage(false, false);
	}

	private writePage(last: boolean, nextContinues: boolean): void {
		const size = this.body.reduce((n, b) => n + b.length, 0);
		const page = new Uint8Array(27 + this.lacing.length + size);
		const view = new DataView(page.buffer);
		page.set([0x4f, 0x67, 0x67, 0x53, 0], 0); // "OggS", version 0
		page[5] = (this.continued ? FLAG_CONTINUED : 0) | (this.first ? FLAG_FIRST : 0) | (last ? FLAG_LAST : 0);
		view.setBigInt64(6, BigInt(this.granule), true);
		view.setUint32(14, this.serial, true);
		view.setUint32(18, this.sequence++, true);
		page[26] = this.lacing.length;
		page.set(this.lacing, 27);
		let at = 27 + this.lacing.length;
		for (const b of this.body) {
			page.set(b, at);
			at += b.length;
		}
		view.setUint32(22, oggCrc(page), true);
		this.pages.push(page);
		this.lacing = [];
		this.body = [];
		this.first = false;
		this.continued = nextContinues;
		this.granule = -1;
	}

	bytes(): Uint8Array {
		const out = new Uint8Array(this.pages.reduce((n, p) => n + p.length, 0));
		let at = 0;
		for (const p of this.pages) {
			out.set(p, at);
			at += p.length;
		}
		return out;
	}
}

export interface OpusHead {
	channels: number;
	preSkip: number;
	inputRate: number;
}

/** The identification header (RFC 7845 5.1): version 1, channel mapping family 0 (mono or stereo). */
export function opusHead({ channels, preSkip, inputRate }: OpusHead): Uint8Array {
	const out = new Uint8Array(19);
	const view = new DataView(out.buffer);
	out.set(new TextEncoder().encode('OpusHead'), 0);
	out[8] = 1;
	out[9] = channels;
	view.setUint16(10, preSkip, true);
	view.setUint32(12, inputRate, true);
	view.setInt16(16, 0, true); // output gain
	out[18] = 0;
	return out;
}

/** The comment header (RFC 7845 5.2): "OpusTags", the vendor, the tags as Vorbis comments. */
export function opusTags(vendor: string, tags: AudioTags | undefined): Uint8Array {
	const body = vorbisComments(vendor, tags);
	const out = new Uint8Array(8 + body.length);
	out.set(new TextEncoder().encode('OpusTags'), 0);
	out.set(body, 8);
	return out;
}

/** Samples (at 48 kHz) in an Opus packet, from its TOC byte (RFC 6716 3.1). */
export function opusPacketSamples(packet: Uint8Array): number {
	if (!packet.length) return 0;
	const toc = packet[0];
	const config = toc >> 3;
	const frame =
		config < 12 ? [480, 960, 1920, 2880][config & 3] : config < 16 ? [480, 960][config & 1] : [120, 240, 480, 960][config & 3];
	const code = toc & 3;
	const count = code === 0 ? 1 : code === 1 || code === 2 ? 2 : packet.length > 1 ? packet[1] & 0x3f : 0;
	return frame * count;
}

/**
 * An Ogg Opus file from an encoder's packets: `samples` is the input's length at 48 kHz (what
 * a decoder must return), `preSkip` the encoder's lookahead (48 kHz samples to drop at the start).
 */
export function oggOpusFile(packets: Uint8Array[], head: OpusHead, samples: number, vendor: string, tags?: AudioTags, serial = 0x5354454d): Uint8Array {
	const ogg = new OggWriter(serial);
	ogg.packet(opusHead(head), 0, true);
	ogg.packet(opusTags(vendor, tags), 0, true);
	let granule = 0;
	const end = head.preSkip + samples;
	packets.forEach((p, i) => {
		granule += opusPacketSamples(p);
		const last = i === packets.length - 1;
		// the last page's granule position may be less than its packets' samples: the end trimming
		ogg.packet(p, last ? end : Math.min(granule, end), false, last);
		if (!last) ogg.pageIfFull();
	});
	if (!packets.length) ogg.packet(new Uint8Array(0), end, false, true);
	return ogg.bytes();
}

export interface OggPage {
	flags: number;
	granule: number;
	serial: number;
	sequence: number;
	/** Whether the stored CRC matches. */
	crcOk: boolean;
	segments: number[];
	body: Uint8Array;
}

/** The pages of an Ogg stream (throws on anything that is not a page). */
export function readOggPages(bytes: Uint8Array): OggPage[] {
	const pages: OggPage[] = [];
	let at = 0;
	while (at < bytes.length) {
		if (at + 27 > bytes.length || String.fromCharCode(...bytes.subarray(at, at + 4)) !== 'OggS') throw new Error(`no Ogg page at byte ${at}`);
		const view = new DataView(bytes.buffer, bytes.byteOffset + at);
		const count = bytes[at + 26];
		const segments = Array.from(bytes.subarray(at + 27, at + 27 + count));
		const size = segments.reduce((a, b) => a + b, 0);
		const end = at + 27 + count + size;
		if (end > bytes.length) throw new Error(`the Ogg page at byte ${at} is cut short`);
		const copy = bytes.slice(at, end);
		copy.fill(0, 22, 26);
		pages.push({
			flags: bytes[at + 5],
			granule: Number(view.getBigInt64(6, true)),
			serial: view.getUint32(14, true),
			sequence: view.getUint32(18, true),
			crcOk: oggCrc(copy) === view.getUint32(22, true),
			segments,
			body: bytes.subarray(at + 27 + count, end)
		});
		at = end;
	}
	return pages;
}

/** The packets of an Ogg stream, in order (joined across pages). */
export function oggPackets(pages: OggPage[]): Uint8Array[] {
	const packets: Uint8Array[] = [];
	let current: number[] = [];
	for (const page of pages) {
		let at = 0;
		for (const len of page.segments) {
			for (let i = 0; i < len; i++) current.push(page.body[at + i]);
			at += len;
			if (len < 255) {
				packets.push(Uint8Array.from(current));
				current = [];
			}
		}
	}
	return packets;
}
