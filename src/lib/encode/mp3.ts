/**
 * MP3 files that line up: LAME (3.100, compiled to WebAssembly by wasm-media-encoders) encodes
 * the samples, at 320 kbit/s CBR or VBR V0; this module adds what LAME's streaming API leaves out,
 * the first frame a gapless decoder reads — a Xing/Info frame with the LAME extension, whose
 * encoder delay and padding fields say which decoded samples are not the song's (the encoder's
 * 576-sample delay ahead, the zeros that fill the last frame after) — and an ID3v2.4 tag before it.
 * Decoders that honour the LAME tag (ffmpeg and so Chromium, mpg123, Apple's, most DAWs) return
 * exactly the input's samples; others play 1,105 samples (25 ms at 44.1 kHz) late.
 *
 * MPEG-1 Layer III only (32, 44.1 and 48 kHz: 1,152 samples a frame); other rates are resampled
 * to 48 kHz (or 44.1 kHz for multiples of 11,025 Hz) first, here (zero phase), so that the delay stays exact.
 */
import { StreamResampler } from '../dsp/resample';
import { id3v2, type AudioTags } from './tags';

export type Mp3Mode = 'cbr320' | 'v0';

/** LAME's own encoder delay (ENCDELAY); decoders add their 529 samples (528 + 1) to it. */
export const ENCODER_DELAY = 576;
export const FRAME_SAMPLES = 1152;
const MPEG1_RATES = [44100, 48000, 32000]; // sampling_frequency index 0, 1, 2
const BITRATES = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]; // kbit/s by index, MPEG-1 Layer III

/** The rate LAME encodes at: the input's when MPEG-1 has it, else 44.1 kHz (multiples of 11,025) or 48 kHz. */
export function mp3Rate(sampleRate: number): number {
	if (MPEG1_RATES.includes(sampleRate)) return sampleRate;
	return sampleRate % 11025 === 0 ? 44100 : 48000;
}

export interface Mp3Frame {
	offset: number;
	length: number;
	bitrate: number;
}

/** MPEG-1 Layer III frame at `at` (header check only), or null. */
export function frameAt(bytes: Uint8Array, at: number): Mp3Frame | null {
	if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1] & 0xfe) !== 0xfa) return null;
	const bitrate = BITRATES[bytes[at + 2] >> 4];
	const rate = MPEG1_RATES[(bytes[at + 2] >> 2) & 3];
	if (!bitrate || !rate) return null;
	const padding = (bytes[at + 2] >> 1) & 1;
	return { offset: at, length: Math.floor((144000 * bitrate) / rate) + padding, bitrate };
}

/** Every frame of an MP3 stream that starts with a frame (LAME's output), in order. */
export function mp3Frames(bytes: Uint8Array, start = 0): Mp3Frame[] {
	const frames: Mp3Frame[] = [];
	let at = start;
	while (at < bytes.length) {
		const f = frameAt(bytes, at);
		if (!f) throw new Error(`the MP3 encoder's output has no frame at byte ${at}`);
		frames.push(f);
		at += f.length;
	}
	return frames;
}

/** CRC-16 (polynomial 0x8005, reflected, initial 0: "CRC-16/ARC"), as the LAME tag's checksums use. */
export function crc16Lame(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
	for (let i = start; i < end; i++) {
		crc ^= bytes[i];
		for (let b = 0; b < 8; b++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
	}
	return crc & 0xffff;
}

/**
 * The Xing ("Xing" for VBR, "Info" for CBR) frame with the LAME extension for an encoded stream:
 * frame and byte counts, the seek table (TOC), encoder delay and padding, music length and CRCs.
 * `audio` is LAME's output (frames only), `samples` the number of input samples per channel.
 */
export function infoFrame(audio: Uint8Array, frames: Mp3Frame[], samples: number, mode: Mp3Mode, channels: number, lowpassHz: number): Uint8Array {
	if (!frames.length) throw new Error('no MP3 frames');
	const first = audio.subarray(frames[0].offset, frames[0].offset + 4);
	const rate = MPEG1_RATES[(first[2] >> 2) & 3];
	// CBR: the stream's own bitrate (a player that reads the Info frame as audio times it the same);
	// VBR: 128 kbit/s, room for the tag at every MPEG-1 rate
	const bitrateIndex = mode === 'cbr320' ? 14 : 9;
	const length = Math.floor((144000 * BITRATES[bitrateIndex]) / rate);
	const out = new Uint8Array(length);
	out[0] = 0xff;
	out[1] = 0xfb; // MPEG-1, Layer III, no CRC
	out[2] = (bitrateIndex << 4) | (first[2] & 0x0c); // same sampling rate, no padding
	out[3] = first[3]; // same channel mode, flags
	const view = new DataView(out.buffer);
	let at = 4 + (channels === 1 ? 17 : 32); // after the (silent) side information
	out.set(new TextEncoder().encode(mode === 'cbr320' ? 'Info' : 'Xing'), at);
	view.setUint32(at + 4, 0x0f); // frames, bytes, TOC, quality present
	const musicBytes = length + audio.length;
	view.setUint32(at + 8, frames.length);
	view.setUint32(at + 12, musicBytes);
	// TOC: for each percent of the duration, where (1/256 of the file) its frame begins
	for (let p = 0; p < 100; p++) {
		const f = frames[Math.min(frames.length - 1, Math.floor((p / 100) * frames.length))];
		out[at + 16 + p] = Math.min(255, Math.floor((256 * (length + f.offset)) / musicBytes));
	}
	view.setUint32(at + 116, mode === 'cbr320' ? 0 : 100); // quality indicator (LAME: 100 - 10 × V + ...)
	at += 120;
	// LAME extension
	out.set(new TextEncoder().encode('LAME3.100'), at);
	out[at + 9] = mode === 'cbr320' ? 0x01 : 0x04; // tag revision 0; VBR method: 1 CBR, 4 VBR (mtrh)
	out[at + 10] = Math.min(255, Math.round(lowpassHz / 100));
	// 8 bytes of ReplayGain left at zero (not computed), then encoding flags and ATH type
	out[at + 20] = mode === 'cbr320' ? 255 : 0; // bitrate (CBR: the bitrate, 255 for 255 and up)
	const padding = frames.length * FRAME_SAMPLES - ENCODER_DELAY - samples;
	if (padding < 0 || padding > 0xfff) throw new Error(`MP3 padding ${padding} does not fit the LAME tag`);
	out[at + 21] = ENCODER_DELAY >> 4;
	out[at + 22] = ((ENCODER_DELAY & 0x0f) << 4) | (padding >> 8);
	out[at + 23] = padding & 0xff;
	out[at + 24] = (rate === 48000 ? 2 : rate === 44100 ? 1 : 0) << 6; // source frequency; no noise shaping, stereo mode unset
	// MP3 gain 0, preset and surround 0 (bytes 25..27)
	view.setUint32(at + 28, musicBytes);
	view.setUint16(at + 32, crc16Lame(audio));
	view.setUint16(at + 34, crc16Lame(out, 0, at + 34));
	return out;
}

/**
 * LAME. In a browser its .wasm is fetched as a file of the app (cached for offline use with the
 * other worker assets): the package's own loader fetches a data: URL, which the app's CSP
 * (connect-src) refuses. In Node the package decodes its inlined copy itself.
 */
async function lameEncoder() {
	const { createEncoder, createMp3Encoder } = await import('wasm-media-encoders');
	if (typeof process !== 'undefined' && process.versions?.node) return createMp3Encoder();
	const { default: url } = await import('wasm-media-encoders/wasm/mp3?url');
	const response = await fetch(url);
	if (!response.ok) throw new Error(`the MP3 encoder could not be loaded (HTTP ${response.status})`);
	return createEncoder('audio/mpeg', await response.arrayBuffer());
}

export interface Mp3Options {
	mode: Mp3Mode;
	tags?: AudioTags;
}

/** LAME's lowpass at these settings (what it reports; the tag records it). */
const lowpassOf = (mode: Mp3Mode, rate: number) => (mode === 'cbr320' ? 20500 : Math.min(19500, rate / 2));

/**
 * Encodes planar channels (1 or 2) read region by region (`read(start, end)`) as an MP3 file:
 * ID3v2.4 tag, Info frame, LAME's frames. The file is returned whole (at 320 kbit/s, 2.4 MB a minute).
 */
export async function encodeMp3(
	read: (start: number, end: number) => Promise<Float32Array[]> | Float32Array[],
	frames: number,
	channels: number,
	sampleRate: number,
	options: Mp3Options,
	block = 1 << 16
): Promise<Uint8Array> {
	if (channels !== 1 && channels !== 2) throw new RangeError(`MP3 holds one or two channels, not ${channels}`);
	const encoder = await lameEncoder();
	const rate = mp3Rate(sampleRate);
	encoder.configure({
		sampleRate: rate,
		channels,
		...(options.mode === 'cbr320' ? { bitrate: 320 } : { vbrQuality: 0 }),
		outputSampleRate: rate as 44100 | 48000 | 32000
	});
	const pieces: Uint8Array[] = [];
	let size = 0;
	const keep = (bytes: Uint8Array) => {
		if (!bytes.length) return;
		pieces.push(bytes.slice()); // the encoder owns (and reuses) its output buffer
		size += bytes.length;
	};
	let encodedSamples = 0;
	// other rates through a streaming resampler (zero phase: no delay to account for)
	const resamplers = rate === sampleRate ? null : Array.from({ length: channels }, () => new StreamResampler(frames, sampleRate, rate));
	const encode = (region: Float32Array[]) => {
		keep(encoder.encode(region));
		encodedSamples += region[0].length;
	};
	for (let f = 0; f < frames; f += block) {
		const region = await read(f, Math.min(frames, f + block));
		encode(resamplers ? region.map((ch, c) => resamplers[c].push(ch)) : region);
	}
	if (resamplers) encode(resamplers.map((r) => r.end()));
	keep(encoder.finalize());
	const audio = new Uint8Array(size);
	let at = 0;
	for (const p of pieces) {
		audio.set(p, at);
		at += p.length;
	}
	const list = mp3Frames(audio);
	const info = infoFrame(audio, list, encodedSamples, options.mode, channels, lowpassOf(options.mode, rate));
	const id3 = options.tags ? id3v2({ encoder: 'LAME 3.100 (wasm-media-encoders)', ...options.tags }) : new Uint8Array(0);
	const out = new Uint8Array(id3.length + info.length + audio.length);
	out.set(id3, 0);
	out.set(info, id3.length);
	out.set(audio, id3.length + info.length);
	return out;
}
