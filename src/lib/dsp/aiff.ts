/** AIFF / AIFF-C reader (PCM big-endian, 'sowt' little-endian, 'fl32'/'fl64' float). */
import { AudioFormatError, checkAudio, checkAudioShape } from './audio';
import { asView, deinterleave, fourCC, pcmReader } from './bytes';
import { MAX_CHUNKS, type ParsedAudio } from './wav';

export function isAiff(bytes: Uint8Array): boolean {
	const v = asView(bytes);
	const kind = fourCC(v, 8);
	return fourCC(v, 0) === 'FORM' && (kind === 'AIFF' || kind === 'AIFC');
}

/** IEEE 754 80-bit extended (big-endian) to a JS number. */
export function readExtended(view: DataView, offset: number): number {
	const expon = view.getUint16(offset) & 0x7fff;
	const sign = view.getUint16(offset) & 0x8000 ? -1 : 1;
	const hi = view.getUint32(offset + 2);
	const lo = view.getUint32(offset + 6);
	if (expon === 0 && hi === 0 && lo === 0) return 0;
	if (expon === 0x7fff) return Number.NaN;
	return sign * (hi * 2 ** (expon - 16383 - 31) + lo * 2 ** (expon - 16383 - 63));
}

export function parseAiff(bytes: Uint8Array): ParsedAudio {
	const view = asView(bytes);
	if (!isAiff(bytes)) throw new AudioFormatError('This is not an AIFF file (no FORM/AIFF header).');
	const isAifc = fourCC(view, 8) === 'AIFC';
	let comm: { channels: number; frames: number; bits: number; rate: number; compression: string } | null = null;
	let ssnd: { start: number; size: number } | null = null;
	let offset = 12;
	for (let chunks = 0; offset + 8 <= view.byteLength; chunks++) {
		if (chunks === MAX_CHUNKS) throw new AudioFormatError(`The AIFF file has more than ${MAX_CHUNKS} chunks; it is damaged.`);
		const id = fourCC(view, offset);
		const size = view.getUint32(offset + 4);
		const body = offset + 8;
		if (id === 'COMM') {
			if (size < 18 || body + (isAifc && size >= 22 ? 22 : 18) > view.byteLength) {
				throw new AudioFormatError('The AIFF file has a damaged COMM chunk.');
			}
			comm = {
				channels: view.getUint16(body),
				frames: view.getUint32(body + 2),
				bits: view.getUint16(body + 6),
				rate: readExtended(view, body + 8),
				compression: isAifc && size >= 22 ? fourCC(view, body + 18) : 'NONE'
			};
		} else if (id === 'SSND') {
			const dataOffset = body + 8 > view.byteLength ? 0 : view.getUint32(body);
			const start = body + 8 + dataOffset;
			ssnd = { start, size: Math.max(0, Math.min(size - 8 - dataOffset, view.byteLength - start)) };
		}
		offset = body + size + (size & 1);
	}
	if (!comm) throw new AudioFormatError('The AIFF file has no COMM chunk; it may be damaged.');
	if (!ssnd) throw new AudioFormatError('The AIFF file has no sound data; it may be damaged or empty.');
	if (comm.channels === 0) throw new AudioFormatError('The AIFF file says it has zero channels.');
	const compression = comm.compression;
	let read;
	let bits = comm.bits;
	if (compression === 'NONE' || compression === 'twos') read = pcmReader(Math.ceil(bits / 8) * 8, false, 'int');
	else if (compression === 'sowt') read = pcmReader(Math.ceil(bits / 8) * 8, true, 'int');
	else if (compression === 'fl32' || compression === 'FL32') read = pcmReader((bits = 32), false, 'float');
	else if (compression === 'fl64' || compression === 'FL64') read = pcmReader((bits = 64), false, 'float');
	else {
		const codec = AIFC_CODECS[compression.toLowerCase()] ?? `'${compression}' compression`;
		throw new AudioFormatError(
			`This AIFF-C file is encoded as ${codec}, which Stemsafe cannot read. Convert it to 16- or 24-bit PCM (AIFF or WAV) or to FLAC, then drop the converted file.`
		);
	}
	if (!read) throw new AudioFormatError(`${bits}-bit AIFF is not supported.`);
	const bytesPerSample = Math.ceil(bits / 8);
	const frames = Math.min(comm.frames, Math.floor(ssnd.size / (bytesPerSample * comm.channels)));
	checkAudioShape(Math.round(comm.rate), comm.channels, frames, 'The AIFF file');
	const channels = deinterleave(view, ssnd.start, frames, comm.channels, bytesPerSample, read);
	const audio: ParsedAudio = checkAudio({ sampleRate: Math.round(comm.rate), channels }, 'The AIFF file');
	if (comm.frames > frames) audio.declaredFrames = comm.frames;
	return audio;
}

const AIFC_CODECS: Record<string, string> = {
	ulaw: 'µ-law (G.711)',
	alaw: 'A-law (G.711)',
	ima4: 'IMA 4:1 ADPCM',
	mac3: 'MACE 3:1',
	mac6: 'MACE 6:1',
	qdm2: 'QDesign Music 2'
};
