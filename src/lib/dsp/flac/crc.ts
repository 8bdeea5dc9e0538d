/** FLAC's frame checksums: CRC-8 (poly 0x07) over the frame header, CRC-16 (poly 0x8005) over the frame; both MSB-first, init 0. */
const CRC8 = new Uint8Array(256);
const CRC16 = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
	let c8 = i;
	let c16 = i << 8;
	for (let k = 0; k < 8; k++) {
		c8 = c8 & 0x80 ? ((c8 << 1) ^ 0x07) & 0xff : (c8 << 1) & 0xff;
		c16 = c16 & 0x8000 ? ((c16 << 1) ^ 0x8005) & 0xffff : (c16 << 1) & 0xffff;
	}
	CRC8[i] = c8;
	CRC16[i] = c16;
}

export function crc8(bytes: Uint8Array, start = 0, end = bytes.length): number {
	let c = 0;
	for (let i = start; i < end; i++) c = CRC8[c ^ bytes[i]];
	return c;
}

export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
	let c = 0;
	for (let i = start; i < end; i++) c = ((c << 8) & 0xffff) ^ CRC16[(c >>> 8) ^ bytes[i]];
	return c;
}
