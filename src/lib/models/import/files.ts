/** Reading user files lazily: a ByteSource over Blob.slice and part-by-part iteration. */
import type { ByteSource } from '../types';

export function blobByteSource(blob: Blob): ByteSource {
	return {
		size: blob.size,
		async read(offset, length) {
			if (offset < 0 || length < 0 || offset + length > blob.size) {
				throw new RangeError(`read of ${length} bytes at ${offset} is outside the file (${blob.size} bytes)`);
			}
			return new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
		}
	};
}

export const PART_BYTES = 8 << 20;

/** The blob in parts of at most `partBytes`, read one at a time. */
export async function* blobParts(blob: Blob, signal?: AbortSignal, partBytes = PART_BYTES): AsyncGenerator<Uint8Array> {
	for (let at = 0; at < blob.size; at += partBytes) {
		signal?.throwIfAborted();
		yield new Uint8Array(await blob.slice(at, Math.min(blob.size, at + partBytes)).arrayBuffer());
	}
}
