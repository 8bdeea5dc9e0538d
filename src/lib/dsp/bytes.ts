/** Little helpers for reading binary containers. */
export function fourCC(view: DataView, offset: number): string {
	if (offset + 4 > view.byteLength) return '';
	return String.fromCharCode(
		view.getUint8(offset),
		view.getUint8(offset + 1),
		view.getUint8(offset + 2),
		view.getUint8(offset + 3)
	);
}

export function asView(bytes: ArrayBuffer | Uint8Array): DataView {
	return bytes instanceof Uint8Array
		? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
		: new DataView(bytes);
}

/** Signed/unsigned integer PCM and IEEE float sample readers returning [-1, 1) floats. */
export type SampleReader = (view: DataView, offset: number) => number;

export function pcmReader(bits: number, littleEndian: boolean, kind: 'int' | 'float'): SampleReader | null {
	if (kind === 'float') {
		if (bits === 32) return (v, o) => v.getFloat32(o, littleEndian);
		if (bits === 64) return (v, o) => v.getFloat64(o, littleEndian);
		return null;
	}
	switch (bits) {
		case 8:
			// WAV 8-bit is unsigned; AIFF 8-bit is signed: the caller passes littleEndian=true for WAV.
			return littleEndian ? (v, o) => (v.getUint8(o) - 128) / 128 : (v, o) => v.getInt8(o) / 128;
		case 16:
			return (v, o) => v.getInt16(o, littleEndian) / 32768;
		case 24:
			return littleEndian
				? (v, o) => ((v.getUint8(o) | (v.getUint8(o + 1) << 8) | (v.getInt8(o + 2) << 16)) / 8388608)
				: (v, o) => ((v.getInt8(o) << 16) | (v.getUint8(o + 1) << 8) | v.getUint8(o + 2)) / 8388608;
		case 32:
			return (v, o) => v.getInt32(o, littleEndian) / 2147483648;
		default:
			return null;
	}
}

/** De-interleaves `frames` frames of `channelCount` samples starting at `offset`. */
export function deinterleave(
	view: DataView,
	offset: number,
	frames: number,
	channelCount: number,
	bytesPerSample: number,
	read: SampleReader
): Float32Array[] {
	const channels = Array.from({ length: channelCount }, () => new Float32Array(frames));
	const frameBytes = bytesPerSample * channelCount;
	for (let i = 0; i < frames; i++) {
		const base = offset + i * frameBytes;
		for (let c = 0; c < channelCount; c++) channels[c][i] = read(view, base + c * bytesPerSample);
	}
	return channels;
}
