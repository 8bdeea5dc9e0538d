/**
 * Cheap header probes for compressed files: which codec, and at what sample rate the file
 * was made, so the browser can decode it at that rate instead of resampling it.
 * Only headers are read; nothing is decoded here.
 */
export interface ProbeResult {
	/** Container/codec as users know it, e.g. "Opus", "MP3", "AAC", "Apple Lossless (ALAC)". */
	codec: string | null;
	/** The file's own sample rate, when the header states it unambiguously. */
	sampleRate: number | null;
}

const UNKNOWN: ProbeResult = { codec: null, sampleRate: null };

const ascii = (b: Uint8Array, o: number, n: number) =>
	o + n > b.length ? '' : String.fromCharCode(...b.subarray(o, o + n));

export function probeCompressed(bytes: Uint8Array): ProbeResult {
	if (ascii(bytes, 0, 4) === 'fLaC') return probeFlacStreamInfo(bytes, 4);
	if (ascii(bytes, 0, 4) === 'OggS') return probeOgg(bytes);
	if (ascii(bytes, 4, 4) === 'ftyp') return probeMp4(bytes);
	if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return probeMatroska(bytes);
	if (ascii(bytes, 0, 4) === 'caff') return { codec: 'Core Audio (CAF)', sampleRate: null };
	return probeMpegAudio(bytes);
}

function probeFlacStreamInfo(b: Uint8Array, at: number): ProbeResult {
	// metadata block header (4 bytes), then STREAMINFO: 10 bytes of block/frame sizes, then 20 bits of rate.
	const o = at + 4 + 10;
	if (o + 3 > b.length) return { codec: 'FLAC', sampleRate: null };
	const rate = (b[o] << 12) | (b[o + 1] << 4) | (b[o + 2] >> 4);
	return { codec: 'FLAC', sampleRate: rate > 0 ? rate : null };
}

function probeOgg(b: Uint8Array): ProbeResult {
	const segments = b[26];
	const p = 27 + (segments ?? 0);
	if (ascii(b, p, 8) === 'OpusHead') return { codec: 'Opus', sampleRate: 48000 }; // Opus always decodes at 48 kHz
	if (b[p] === 1 && ascii(b, p + 1, 6) === 'vorbis' && p + 16 <= b.length) {
		const rate = new DataView(b.buffer, b.byteOffset).getUint32(p + 12, true);
		return { codec: 'Vorbis', sampleRate: rate || null };
	}
	if (b[p] === 0x7f && ascii(b, p + 1, 4) === 'FLAC') return probeFlacStreamInfo(b, p + 13);
	return { codec: 'Ogg', sampleRate: null };
}

function probeMatroska(b: Uint8Array): ProbeResult {
	const head = ascii(b, 0, Math.min(b.length, 65536));
	if (head.includes('A_OPUS')) return { codec: 'Opus', sampleRate: 48000 };
	if (head.includes('A_VORBIS')) return { codec: 'Vorbis', sampleRate: null };
	return { codec: 'WebM/Matroska', sampleRate: null };
}

const MPEG_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };
const ADTS_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

function probeMpegAudio(b: Uint8Array): ProbeResult {
	let o = 0;
	if (ascii(b, 0, 3) === 'ID3' && b.length >= 10) {
		o = 10 + ((b[6] & 0x7f) << 21) + ((b[7] & 0x7f) << 14) + ((b[8] & 0x7f) << 7) + (b[9] & 0x7f);
		if (b[5] & 0x10) o += 10; // footer
	}
	const end = Math.min(b.length - 4, o + 65536);
	for (let i = o; i < end; i++) {
		if (b[i] !== 0xff || (b[i + 1] & 0xe0) !== 0xe0) continue;
		const version = (b[i + 1] >> 3) & 3;
		const layer = (b[i + 1] >> 1) & 3;
		if (layer === 0) {
			// ADTS (AAC): 12-bit sync, layer 0. Rates below 32 kHz may be HE-AAC (decoded at twice the rate): not stated.
			if ((b[i + 1] & 0xf6) !== 0xf0) continue;
			const idx = (b[i + 2] >> 2) & 0xf;
			const rate = ADTS_RATES[idx];
			if (!rate) continue;
			return { codec: 'AAC', sampleRate: rate >= 32000 ? rate : null };
		}
		if (version === 1) continue;
		const bitrate = b[i + 2] >> 4;
		const rateIdx = (b[i + 2] >> 2) & 3;
		if (bitrate === 0xf || rateIdx === 3) continue;
		return { codec: layer === 1 ? 'MP3' : layer === 2 ? 'MP2' : 'MP1', sampleRate: MPEG_RATES[version][rateIdx] };
	}
	return UNKNOWN;
}

interface Box {
	type: string;
	start: number;
	body: number;
	end: number;
}

function* boxes(b: Uint8Array, from: number, to: number): Generator<Box> {
	const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
	let o = from;
	while (o + 8 <= to) {
		let size = v.getUint32(o);
		const type = ascii(b, o + 4, 4);
		let body = o + 8;
		if (size === 1) {
			if (o + 16 > to) return;
			size = Number(v.getBigUint64(o + 8));
			body = o + 16;
		} else if (size === 0) size = to - o;
		if (size < 8) return;
		const end = Math.min(to, o + size);
		yield { type, start: o, body, end };
		o += size;
	}
}

const child = (b: Uint8Array, box: Box | undefined, type: string) =>
	box ? [...boxes(b, box.body, box.end)].find((x) => x.type === type) : undefined;

const MP4_CODECS: Record<string, string> = {
	mp4a: 'AAC',
	alac: 'Apple Lossless (ALAC)',
	'ac-3': 'Dolby Digital (AC-3)',
	'ec-3': 'Dolby Digital Plus (E-AC-3)',
	Opus: 'Opus',
	fLaC: 'FLAC',
	'.mp3': 'MP3'
};

function probeMp4(b: Uint8Array): ProbeResult {
	const moov = [...boxes(b, 0, b.length)].find((x) => x.type === 'moov');
	if (!moov) return { codec: 'MP4/M4A', sampleRate: null };
	for (const trak of boxes(b, moov.body, moov.end)) {
		if (trak.type !== 'trak') continue;
		const mdia = child(b, trak, 'mdia');
		const hdlr = child(b, mdia, 'hdlr');
		if (!hdlr || ascii(b, hdlr.body + 8, 4) !== 'soun') continue;
		const stsd = child(b, child(b, child(b, mdia, 'minf'), 'stbl'), 'stsd');
		if (!stsd) continue;
		// full box (4) + entry count (4), then the first sample entry box.
		const entry = [...boxes(b, stsd.body + 8, stsd.end)][0];
		if (!entry) continue;
		const codec = MP4_CODECS[entry.type] ?? `'${entry.type}'`;
		// AudioSampleEntry: 6 reserved + 2 data ref + 8 reserved + 2 channels + 2 size + 4 reserved, then 16.16 rate.
		const rateAt = entry.body + 24;
		let rate = rateAt + 2 <= entry.end ? (b[rateAt] << 8) | b[rateAt + 1] : 0;
		// Rates above 65535 Hz do not fit the 16.16 field; the media timescale then carries the rate.
		const mdhd = child(b, mdia, 'mdhd');
		if (mdhd && mdhd.body + 24 <= mdhd.end) {
			const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
			const timescale = b[mdhd.body] === 1 ? v.getUint32(mdhd.body + 20) : v.getUint32(mdhd.body + 12);
			if (timescale > 65535 && (rate === 0 || timescale % 65536 === rate)) rate = timescale;
		}
		const trusted = rate > 0 && !(entry.type === 'mp4a' && rate < 32000);
		return { codec, sampleRate: trusted ? (entry.type === 'Opus' ? 48000 : rate) : null };
	}
	return { codec: 'MP4/M4A', sampleRate: null };
}
