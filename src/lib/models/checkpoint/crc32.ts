/** CRC-32 (zip's polynomial 0xEDB88320), incremental. */
let table: Uint32Array | null = null;

function crcTable(): Uint32Array {
	if (table) return table;
	table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
}

/** Start with crc = 0; pass the previous result to continue; the result is unsigned. */
export function crc32(bytes: Uint8Array, crc = 0): number {
	const t = crcTable();
	let c = ~crc >>> 0;
	for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
	return ~c >>> 0;
}
