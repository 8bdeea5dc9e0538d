/**
 * A WAV file written piece by piece: the header (sizes known up front) and then the
 * samples region by region, byte-identical to encodeWav of the whole audio.
 */
import { AudioFormatError } from './audio';
import { encodeWav, type WavOptions } from './wav';

const MAX_RIFF_BYTES = 0xffffffff;

export function wavBytesPerSample(format: WavOptions['format']): number {
	return format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
}

/** Total size of the WAV file encodeWav would make. */
export function wavFileBytes(frames: number, channels: number, format: WavOptions['format']): number {
	return 44 + frames * channels * wavBytesPerSample(format);
}

export class WavStreamEncoder {
	private readonly options: WavOptions;

	constructor(readonly sampleRate: number, readonly channels: number, readonly frames: number, options: WavOptions) {
		if (wavFileBytes(frames, channels, options.format) > MAX_RIFF_BYTES) {
			throw new AudioFormatError('This stem is longer than a WAV file can hold (4 GiB). Choose 16-bit or a shorter range.');
		}
		// one random source for the whole file, so dither continues across regions
		this.options = { ...options, random: options.random ?? Math.random };
	}

	header(): Uint8Array {
		const h = encodeWav({ sampleRate: this.sampleRate, channels: Array.from({ length: this.channels }, () => new Float32Array(0)) }, this.options);
		const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
		const dataBytes = this.frames * this.channels * wavBytesPerSample(this.options.format);
		v.setUint32(4, 36 + dataBytes, true);
		v.setUint32(40, dataBytes, true);
		return h;
	}

	/** The samples of one region (planar channels, all the same length). */
	body(region: Float32Array[]): Uint8Array {
		return encodeWav({ sampleRate: this.sampleRate, channels: region }, this.options).subarray(44);
	}
}
