/**
 * Reading a long WAV file without holding its bytes: the header is read first, then the
 * samples slice by slice straight into the channel arrays (each slice decoded by parseWav,
 * so every format it reads is read the same way). Saves a copy of the file in memory
 * (a 20-minute 16-bit stereo song: 212 MB; float: 423 MB).
 */
import { checkAudioShape } from './audio';
import { asView, fourCC } from './bytes';
import { isWav, MAX_CHUNKS, parseWav, type ParsedAudio } from './wav';

/** Files at least this big are read in slices (smaller ones are read whole, as before). */
export const STREAM_WAV_BYTES = 64 * 1024 ** 2;
const SLICE_BYTES = 8 * 1024 ** 2;
/** A format chunk is 16–40 bytes (a little more with vendor extensions). */
const MAX_FMT_BYTES = 64 * 1024;

export interface SliceableFile {
	readonly size: number;
	slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

async function bytesAt(file: SliceableFile, start: number, end: number): Promise<Uint8Array> {
	return new Uint8Array(await file.slice(start, Math.min(end, file.size)).arrayBuffer());
}

/**
 * The WAV's audio, or null when the file is not a WAV this can read in slices (then the
 * caller reads it whole, and parseWav gives the usual messages).
 */
export async function readWavInSlices(file: SliceableFile): Promise<ParsedAudio | null> {
	const head = await bytesAt(file, 0, 12);
	if (head.length < 12 || !isWav(head)) return null;
	let offset = 12;
	let fmt: Uint8Array | null = null;
	let data: { start: number; size: number } | null = null;
	for (let chunks = 0; offset + 8 <= file.size && !(fmt && data); chunks++) {
		if (chunks === MAX_CHUNKS) return null; // damaged: parseWav says so
		const h = asView(await bytesAt(file, offset, offset + 8));
		const id = fourCC(h, 0);
		const size = h.getUint32(4, true);
		if (id === 'fmt ' && size > MAX_FMT_BYTES) return null; // not a format chunk a writer makes: parseWav judges it
		if (id === 'fmt ') fmt = await bytesAt(file, offset, offset + 8 + size);
		else if (id === 'data') data = { start: offset + 8, size };
		offset += 8 + size + (size & 1);
		if (id === 'data' && !fmt) return null; // unusual order: let parseWav handle it
	}
	if (!fmt || !data || fmt.length < 24) return null;
	const v = asView(fmt);
	const channels = v.getUint16(10, true);
	const align = v.getUint16(20, true);
	if (channels === 0 || align === 0 || align % channels !== 0) return null;
	const open = data.size === 0 || data.size === 0xffffffff;
	const available = file.size - data.start;
	const size = open ? available : Math.min(data.size, available);
	const declaredFrames = Math.floor((open ? available : data.size) / align);
	const frames = Math.floor(size / align);
	if (frames === 0) return null;
	checkAudioShape(v.getUint32(12, true), channels, frames, 'The WAV file');

	// A minimal WAV (RIFF header, the file's own fmt chunk, a data chunk) around each slice.
	const prefix = new Uint8Array(12 + fmt.length + 8);
	prefix.set(head.subarray(0, 12));
	prefix.set(fmt, 12);
	prefix.set([0x64, 0x61, 0x74, 0x61], 12 + fmt.length); // "data"
	const out = Array.from({ length: channels }, () => new Float32Array(frames));
	let sampleRate = 0;
	const perSlice = Math.max(1, Math.floor(SLICE_BYTES / align));
	for (let f = 0; f < frames; f += perSlice) {
		const n = Math.min(perSlice, frames - f);
		const body = await bytesAt(file, data.start + f * align, data.start + (f + n) * align);
		const wav = new Uint8Array(prefix.length + body.length);
		wav.set(prefix);
		wav.set(body, prefix.length);
		const pv = asView(wav);
		pv.setUint32(4, wav.length - 8, true);
		pv.setUint32(prefix.length - 4, body.length, true);
		const part = parseWav(wav);
		sampleRate = part.sampleRate;
		part.channels.forEach((ch, c) => out[c].set(ch, f));
	}
	const audio: ParsedAudio = { sampleRate, channels: out };
	if (declaredFrames > frames) audio.declaredFrames = declaredFrames;
	return audio;
}
