/** ByteSource implementations that work in browsers and Node (see types.ts). */
import type { ByteSource } from './types';

/** Bytes already in memory (tests, small files). */
export function bytesSource(data: Uint8Array): ByteSource {
	return {
		size: data.byteLength,
		async read(offset: number, length: number) {
			checkRange(offset, length, data.byteLength);
			return data.subarray(offset, offset + length);
		}
	};
}

/** A File or Blob: each read slices only the bytes asked for, the file is never loaded whole. */
export function blobSource(blob: Blob): ByteSource {
	return {
		size: blob.size,
		async read(offset: number, length: number) {
			checkRange(offset, length, blob.size);
			return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
		}
	};
}

export function checkRange(offset: number, length: number, size: number): void {
	if (!(offset >= 0 && length >= 0 && offset + length <= size)) {
		throw new RangeError(`read of ${length} bytes at ${offset} is outside the file (${size} bytes)`);
	}
}

/** Feeds `consume` the bytes [start, end) of a source in blocks of at most `block` bytes. */
export async function forEachBlock(
	src: ByteSource,
	start: number,
	end: number,
	consume: (bytes: Uint8Array) => void,
	block = 8 << 20
): Promise<void> {
	for (let at = start; at < end; at += block) consume(await src.read(at, Math.min(block, end - at)));
}
