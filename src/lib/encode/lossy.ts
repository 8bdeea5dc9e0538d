/**
 * The compressed (lossy) download formats: MP3 320 kbit/s CBR and V0 (LAME in WebAssembly,
 * everywhere) and Ogg Opus (the browser's WebCodecs encoder where it has one, else libopus in
 * WebAssembly). All line up with the WAV to the sample when decoded (mp3.ts, opus.ts) and carry
 * the song's tags.
 */
import { encodeMp3 } from './mp3';
import { encodeOpus } from './opus';
import type { AudioTags } from './tags';

export type LossyFormat = 'mp3-320' | 'mp3-v0' | 'opus';

export const LOSSY_FORMATS: Record<LossyFormat, { extension: 'mp3' | 'opus'; mime: string; tag: string; label: string }> = {
	'mp3-320': { extension: 'mp3', mime: 'audio/mpeg', tag: 'mp3-320', label: 'MP3 320 kbit/s (lossy)' },
	'mp3-v0': { extension: 'mp3', mime: 'audio/mpeg', tag: 'mp3-v0', label: 'MP3 V0 VBR (lossy)' },
	opus: { extension: 'opus', mime: 'audio/ogg; codecs=opus', tag: 'opus', label: 'Ogg Opus 192 kbit/s (lossy)' }
};

export function isLossy(format: string): format is LossyFormat {
	return Object.hasOwn(LOSSY_FORMATS, format);
}

export type RegionSource = (start: number, end: number) => Promise<Float32Array[]> | Float32Array[];

/** Encodes `frames` frames of planar audio, read region by region, in a lossy format; the file whole. */
export function encodeLossy(read: RegionSource, frames: number, channels: number, sampleRate: number, format: LossyFormat, tags?: AudioTags): Promise<Uint8Array> {
	if (format === 'opus') return encodeOpus(read, frames, channels, sampleRate, tags);
	return encodeMp3(read, frames, channels, sampleRate, { mode: format === 'mp3-320' ? 'cbr320' : 'v0', tags });
}
