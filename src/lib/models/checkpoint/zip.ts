/**
 * Zip archive reader over random access (ByteSource): reads the central directory from the
 * end of the file and each entry's bytes on demand, so a multi-GB archive is never loaded
 * whole. Stored (method 0) entries are read by byte range; deflated (8) entries, which
 * torch.save never writes, are inflated whole, piece by piece, never past their declared size
 * (which is checked against what the compressed bytes can hold first). zip64 is supported.
 */
import { Inflate } from 'fflate';
import { forEachBlock } from '../byte-source';
import type { ByteSource } from '../types';
import { crc32 } from './crc32';
import { CheckpointError } from './errors';

export interface ZipEntry {
	name: string;
	method: number;
	crc32: number;
	compressedSize: number;
	size: number;
	localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Deflate's best ratio is 1032:1; a declared size beyond it cannot be what the entry holds. */
const MAX_DEFLATE_RATIO = 1032;
/** Largest deflated entry inflated in memory. */
export const MAX_INFLATED_BYTES = 2 * 1024 ** 3;
/** Compressed bytes fed to the inflater at a time (each piece inflates to at most ~66 MB). */
const INFLATE_PIECE = 64 * 1024;

function u64(view: DataView, at: number): number {
	const v = view.getBigUint64(at, true);
	if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CheckpointError('the zip archive has an impossible size or offset (corrupt file)');
	return Number(v);
}

/** True when the source starts like a zip archive (a local file header). */
export async function looksLikeZip(src: ByteSource): Promise<boolean> {
	if (src.size < 4) return false;
	const b = await src.read(0, 4);
	return b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

export async function readZipDirectory(src: ByteSource): Promise<ZipEntry[]> {
	const size = src.size;
	if (size < 22) throw new CheckpointError('the file is too small to be a zip archive (truncated?)');
	// the end record is the last 22 bytes unless the archive has a comment (then search 64 KiB)
	let tailLength = 22;
	let tail = await src.read(size - 22, 22);
	if (new DataView(tail.buffer, tail.byteOffset, 22).getUint32(0, true) !== EOCD) {
		tailLength = Math.min(size, 22 + 0xffff);
		tail = await src.read(size - tailLength, tailLength);
	}
	const tv = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
	let eocd = -1;
	for (let i = tailLength - 22; i >= 0; i--) {
		if (tv.getUint32(i, true) === EOCD && i + 22 + tv.getUint16(i + 20, true) <= tailLength) {
			eocd = i;
			break;
		}
	}
	if (eocd < 0) {
		throw new CheckpointError('the zip archive has no end record: the file is truncated or is not a zip archive');
	}
	let count = tv.getUint16(eocd + 10, true);
	let cdSize = tv.getUint32(eocd + 12, true);
	let cdOffset = tv.getUint32(eocd + 16, true);
	const eocdPos = size - tailLength + eocd;
	if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
		if (eocdPos < 20) throw new CheckpointError('the zip64 archive has no zip64 end record locator (corrupt file)');
		const loc = await src.read(eocdPos - 20, 20);
		const lv = new DataView(loc.buffer, loc.byteOffset, 20);
		if (lv.getUint32(0, true) !== EOCD64_LOCATOR) throw new CheckpointError('the zip64 end record locator is missing (corrupt file)');
		const recPos = u64(lv, 8);
		if (recPos + 56 > size) throw new CheckpointError('the zip64 end record lies outside the file (truncated or corrupt)');
		const rec = await src.read(recPos, 56);
		const rv = new DataView(rec.buffer, rec.byteOffset, 56);
		if (rv.getUint32(0, true) !== EOCD64) throw new CheckpointError('the zip64 end record is damaged (corrupt file)');
		count = u64(rv, 32);
		cdSize = u64(rv, 40);
		cdOffset = u64(rv, 48);
	}
	if (cdOffset + cdSize > size) {
		throw new CheckpointError('the zip directory lies outside the file: the file is truncated or corrupt');
	}
	const cd = await src.read(cdOffset, cdSize);
	const cv = new DataView(cd.buffer, cd.byteOffset, cd.byteLength);
	const decoder = new TextDecoder();
	const entries: ZipEntry[] = [];
	let p = 0;
	for (let n = 0; n < count; n++) {
		if (p + 46 > cdSize || cv.getUint32(p, true) !== CENTRAL) {
			throw new CheckpointError(`the zip directory is damaged at entry ${n + 1} of ${count} (corrupt file)`);
		}
		const method = cv.getUint16(p + 10, true);
		const crc = cv.getUint32(p + 16, true);
		let compressedSize = cv.getUint32(p + 20, true);
		let uncompressed = cv.getUint32(p + 24, true);
		const nameLength = cv.getUint16(p + 28, true);
		const extraLength = cv.getUint16(p + 30, true);
		const commentLength = cv.getUint16(p + 32, true);
		let localHeaderOffset = cv.getUint32(p + 42, true);
		if (p + 46 + nameLength + extraLength + commentLength > cdSize) {
			throw new CheckpointError('the zip directory is damaged (corrupt file)');
		}
		const name = decoder.decode(cd.subarray(p + 46, p + 46 + nameLength));
		// zip64 extended information: only the fields whose 32-bit value is 0xFFFFFFFF, in this order
		let e = p + 46 + nameLength;
		const extraEnd = e + extraLength;
		while (e + 4 <= extraEnd) {
			const id = cv.getUint16(e, true);
			const len = cv.getUint16(e + 2, true);
			if (id === 0x0001) {
				let q = e + 4;
				const field = () => {
					if (q + 8 > Math.min(e + 4 + len, extraEnd)) throw new CheckpointError(`the zip directory entry of ${name} has a short zip64 field (corrupt file)`);
					q += 8;
					return u64(cv, q - 8);
				};
				if (uncompressed === 0xffffffff) uncompressed = field();
				if (compressedSize === 0xffffffff) compressedSize = field();
				if (localHeaderOffset === 0xffffffff) localHeaderOffset = field();
			}
			e += 4 + len;
		}
		entries.push({ name, method, crc32: crc, compressedSize, size: uncompressed, localHeaderOffset });
		p += 46 + nameLength + extraLength + commentLength;
	}
	return entries;
}

/** Offset of the entry's (compressed) data in the file, from its local header. */
export async function entryDataOffset(src: ByteSource, entry: ZipEntry): Promise<number> {
	if (entry.localHeaderOffset + 30 > src.size) throw new CheckpointError(`zip entry ${entry.name} lies outside the file (truncated)`);
	const h = await src.read(entry.localHeaderOffset, 30);
	const hv = new DataView(h.buffer, h.byteOffset, 30);
	if (hv.getUint32(0, true) !== LOCAL) throw new CheckpointError(`zip entry ${entry.name} is damaged (corrupt file)`);
	const start = entry.localHeaderOffset + 30 + hv.getUint16(26, true) + hv.getUint16(28, true);
	if (start + entry.compressedSize > src.size) {
		throw new CheckpointError(`zip entry ${entry.name} runs past the end of the file (truncated)`);
	}
	return start;
}

/** A zip entry's bytes as a ByteSource of its own (uncompressed content). */
export async function entrySource(src: ByteSource, entry: ZipEntry): Promise<ByteSource> {
	const start = await entryDataOffset(src, entry);
	if (entry.method === 0) {
		if (entry.compressedSize !== entry.size) throw new CheckpointError(`zip entry ${entry.name} has inconsistent sizes (corrupt file)`);
		return {
			size: entry.size,
			read: (offset, length) => {
				if (offset < 0 || length < 0 || offset + length > entry.size) {
					return Promise.reject(new CheckpointError(`read past the end of zip entry ${entry.name} (corrupt file)`));
				}
				return src.read(start + offset, length);
			}
		};
	}
	if (entry.method === 8) {
		const data = await inflateEntry(src, entry, start);
		return {
			size: data.byteLength,
			read: async (offset, length) => {
				if (offset < 0 || length < 0 || offset + length > data.byteLength) {
					throw new CheckpointError(`read past the end of zip entry ${entry.name} (corrupt file)`);
				}
				return data.subarray(offset, offset + length);
			}
		};
	}
	throw new CheckpointError(`zip entry ${entry.name} uses compression method ${entry.method}, which is not supported`);
}

/** A deflated entry's bytes, exactly its declared size (else a CheckpointError). */
async function inflateEntry(src: ByteSource, entry: ZipEntry, start: number): Promise<Uint8Array> {
	if (entry.size > MAX_INFLATED_BYTES) {
		throw new CheckpointError(
			`zip entry ${entry.name} is compressed and holds ${entry.size} bytes, more than the ${MAX_INFLATED_BYTES / 1024 ** 3} GiB read from a compressed entry; save the checkpoint uncompressed (torch.save does)`
		);
	}
	if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 1024) {
		throw new CheckpointError(`zip entry ${entry.name} says it holds ${entry.size} bytes, more than its ${entry.compressedSize} compressed bytes can (corrupt file)`);
	}
	const pieces: Uint8Array[] = [];
	let total = 0;
	let ended = false;
	const tooLong = () => new CheckpointError(`zip entry ${entry.name} decompresses to more than the ${entry.size} bytes it declares (corrupt file)`);
	const inflater = new Inflate((chunk, final) => {
		total += chunk.length;
		if (total > entry.size) throw tooLong();
		if (chunk.length) pieces.push(chunk);
		if (final) ended = true;
	});
	try {
		const end = start + entry.compressedSize;
		let at = start;
		await forEachBlock(src, start, end, (block) => {
			at += block.length;
			inflater.push(block, at === end);
		}, INFLATE_PIECE);
		if (entry.compressedSize === 0) inflater.push(new Uint8Array(0), true);
	} catch (e) {
		if (e instanceof CheckpointError) throw e;
		throw new CheckpointError(`zip entry ${entry.name} does not decompress (corrupt file)`);
	}
	if (!ended || total !== entry.size) {
		throw new CheckpointError(`zip entry ${entry.name} decompresses to ${total} bytes where it declares ${entry.size} (corrupt file)`);
	}
	if (pieces.length === 1) return pieces[0];
	const data = new Uint8Array(total);
	let o = 0;
	for (const p of pieces) (data.set(p, o), (o += p.length));
	return data;
}

/** The whole entry, CRC-checked. For small entries (data.pkl, version). */
export async function readEntry(src: ByteSource, entry: ZipEntry): Promise<Uint8Array> {
	const es = await entrySource(src, entry);
	const data = await es.read(0, es.size);
	if (crc32(data) !== entry.crc32) throw new CheckpointError(`zip entry ${entry.name} fails its CRC check (corrupt file)`);
	return data;
}
