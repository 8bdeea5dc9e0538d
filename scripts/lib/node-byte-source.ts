/** A ByteSource over a file on disk (Node): random reads, the file is never loaded whole. */
import { open, type FileHandle } from 'node:fs/promises';
import type { ByteSource } from '../../src/lib/models/types';

export interface NodeByteSource extends ByteSource {
	close(): Promise<void>;
	/** Bytes read so far (to check that a reader does not read the whole file). */
	bytesRead: number;
}

export async function nodeFileSource(path: string): Promise<NodeByteSource> {
	const handle: FileHandle = await open(path, 'r');
	const { size } = await handle.stat();
	const src: NodeByteSource = {
		size,
		bytesRead: 0,
		async read(offset: number, length: number) {
			if (!(offset >= 0 && length >= 0 && offset + length <= size)) {
				throw new RangeError(`read of ${length} bytes at ${offset} is outside the file (${size} bytes)`);
			}
			const buf = new Uint8Array(length);
			let done = 0;
			while (done < length) {
				const { bytesRead } = await handle.read(buf, done, length - done, offset + done);
				if (bytesRead === 0) throw new Error(`${path}: unexpected end of file`);
				done += bytesRead;
			}
			src.bytesRead += length;
			return buf;
		},
		close: () => handle.close()
	};
	return src;
}
