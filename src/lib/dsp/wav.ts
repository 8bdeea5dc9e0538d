/** RIFF/WAVE reader (PCM 8/16/24/32-bit, float 32/64, WAVE_FORMAT_EXTENSIBLE) and writer. */
import { AudioFormatError, checkAudio, checkAudioShape, type AudioData } from './audio';
import { asView, deinterleave, fourCC, pcmReader } from './bytes';

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** Chunks looked at before the audio: real files have a handful; a damaged one can have millions of empty ones. */
export const MAX_CHUNKS = 4096;

export function isWav(bytes: Uint8Array): boolean {
	const v = asView(bytes);
	return fourCC(v, 0) === 'RIFF' && fourCC(v, 8) === 'WAVE';
}

export function parseWav(bytes: Uint8Array): ParsedAudio {
	const view = asView(bytes);
	if (!isWav(bytes)) throw new AudioFormatError('This is not a WAV file (no RIFF/WAVE header).');
	let offset = 12;
	let fmt: { tag: number; channels: number; rate: number; bits: number; align: number } | null = null;
	let data: { start: number; size: number; declared: number } | null = null;
	for (let chunks = 0; offset + 8 <= view.byteLength; chunks++) {
		if (chunks === MAX_CHUNKS) throw new AudioFormatError(`The WAV file has more than ${MAX_CHUNKS} chunks before its audio; it is damaged.`);
		const id = fourCC(view, offset);
		const size = view.getUint32(offset + 4, true);
		const body = offset + 8;
		if (id === 'fmt ') {
			// the bytes of the chunk that are in the file (a damaged size can claim more)
			const present = Math.min(size, view.byteLength - body);
			if (size < 16 || present < 16) throw new AudioFormatError('The WAV file has a damaged format chunk.');
			let tag = view.getUint16(body, true);
			if (tag === FORMAT_EXTENSIBLE && size >= 40) {
				if (present < 26) throw new AudioFormatError('The WAV file is cut off inside its format chunk; it is damaged.');
				tag = view.getUint16(body + 24, true);
			}
			fmt = {
				tag,
				channels: view.getUint16(body + 2, true),
				rate: view.getUint32(body + 4, true),
				align: view.getUint16(body + 12, true),
				bits: view.getUint16(body + 14, true)
			};
		} else if (id === 'data') {
			// Files written by a crashed recorder often claim more data than they hold: keep what is there
			// (and say so). Streaming writers leave the size at 0 or 0xFFFFFFFF: the data runs to the end.
			const open = size === 0 || size === 0xffffffff;
			const available = view.byteLength - body;
			data = { start: body, size: open ? available : Math.min(size, available), declared: open ? available : size };
			if (fmt) break;
		}
		offset = body + size + (size & 1);
	}
	if (!fmt) throw new AudioFormatError('The WAV file has no format chunk; it may be damaged.');
	if (!data) throw new AudioFormatError('The WAV file has no audio data chunk; it may be damaged or empty.');
	if (fmt.channels === 0) throw new AudioFormatError('The WAV file says it has zero channels.');
	const kind = fmt.tag === FORMAT_FLOAT ? 'float' : fmt.tag === FORMAT_PCM ? 'int' : null;
	if (!kind) {
		const codec = WAV_CODECS[fmt.tag] ?? `a compressed encoding (format 0x${fmt.tag.toString(16)})`;
		throw new AudioFormatError(
			`This WAV file is encoded as ${codec}, which Stemsafe cannot read. Convert it to 16- or 24-bit PCM WAV or to FLAC (for example in Audacity, or with ffmpeg: ffmpeg -i input.wav -c:a pcm_s24le output.wav), then drop the converted file.`
		);
	}
	const bytesPerSample = Math.ceil(fmt.bits / 8);
	const containerBytes = fmt.align > 0 ? fmt.align / fmt.channels : bytesPerSample;
	const read = pcmReader(bytesPerSample * 8, true, kind);
	if (!read || !Number.isInteger(containerBytes) || containerBytes < bytesPerSample) {
		throw new AudioFormatError(`${fmt.bits}-bit ${kind === 'float' ? 'float' : 'PCM'} WAV is not supported.`);
	}
	const frames = Math.floor(data.size / (containerBytes * fmt.channels));
	const declaredFrames = Math.floor(data.declared / (containerBytes * fmt.channels));
	checkAudioShape(fmt.rate, fmt.channels, frames, 'The WAV file');
	const channels = deinterleave(view, data.start, frames, fmt.channels, containerBytes, read);
	const audio: ParsedAudio = checkAudio({ sampleRate: fmt.rate, channels }, 'The WAV file');
	if (declaredFrames > frames) audio.declaredFrames = declaredFrames;
	return audio;
}

/** Audio read from a file, with the frame count its header promised when the file is shorter. */
export interface ParsedAudio extends AudioData {
	declaredFrames?: number;
}

/** WAVE format tags of codecs people meet, named as users know them. */
const WAV_CODECS: Record<number, string> = {
	0x2: 'Microsoft ADPCM',
	0x6: 'A-law (G.711)',
	0x7: 'µ-law (G.711)',
	0x11: 'IMA ADPCM',
	0x31: 'GSM 6.10',
	0x50: 'MPEG audio',
	0x55: 'MP3',
	0xff: 'AAC',
	0x2000: 'Dolby AC-3'
};

export type WavFormat = 'pcm16' | 'pcm24' | 'float32';

export interface WavOptions {
	format: WavFormat;
	/** TPDF dither before quantising to 16 bits (default on for pcm16). */
	dither?: boolean;
	/** Random source for the dither, for reproducible output. */
	random?: () => number;
}

const MAX_RIFF_BYTES = 0xffffffff;

export function encodeWav(audio: AudioData, options: WavOptions): Uint8Array {
	const { sampleRate, channels } = audio;
	const { format } = options;
	const bytesPerSample = format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
	const frames = channels[0]?.length ?? 0;
	const n = channels.length;
	const dataBytes = frames * n * bytesPerSample;
	if (44 + dataBytes > MAX_RIFF_BYTES) {
		throw new AudioFormatError('This stem is longer than a WAV file can hold (4 GiB). Choose 16-bit or a shorter range.');
	}
	const out = new Uint8Array(44 + dataBytes);
	const v = new DataView(out.buffer);
	const writeId = (o: number, s: string) => {
		for (let i = 0; i < 4; i++) out[o + i] = s.charCodeAt(i);
	};
	writeId(0, 'RIFF');
	v.setUint32(4, 36 + dataBytes, true);
	writeId(8, 'WAVE');
	writeId(12, 'fmt ');
	v.setUint32(16, 16, true);
	v.setUint16(20, format === 'float32' ? FORMAT_FLOAT : FORMAT_PCM, true);
	v.setUint16(22, n, true);
	v.setUint32(24, sampleRate, true);
	v.setUint32(28, sampleRate * n * bytesPerSample, true);
	v.setUint16(32, n * bytesPerSample, true);
	v.setUint16(34, bytesPerSample * 8, true);
	writeId(36, 'data');
	v.setUint32(40, dataBytes, true);

	const dither = format === 'pcm16' && (options.dither ?? true);
	const random = options.random ?? Math.random;
	let o = 44;
	for (let i = 0; i < frames; i++) {
		for (let c = 0; c < n; c++) {
			const x = channels[c][i];
			if (format === 'float32') {
				v.setFloat32(o, x, true);
			} else if (format === 'pcm16') {
				const d = dither ? random() - random() : 0; // TPDF, ±1 LSB
				v.setInt16(o, quantise(x * 32768 + d, 32767), true);
			} else {
				const q = quantise(x * 8388608, 8388607);
				out[o] = q & 0xff;
				out[o + 1] = (q >> 8) & 0xff;
				out[o + 2] = (q >> 16) & 0xff;
			}
			o += bytesPerSample;
		}
	}
	return out;
}

/** Rounds to the nearest integer and clips to [-max-1, max]; NaN becomes 0. */
export function quantise(x: number, max: number): number {
	const r = Math.round(x);
	return r > max ? max : r < -max - 1 ? -max - 1 : Number.isNaN(r) ? 0 : r;
}
