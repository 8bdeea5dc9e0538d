/** MSB-first bit reader and writer for FLAC. Values up to 32 bits (33 for a 32-bit side channel) as JS numbers. */

/** Thrown when a read runs past the end of the bytes: the file was cut short. */
export class EndOfData extends Error {
	constructor() {
		super('unexpected end of FLAC data');
		this.name = 'EndOfData';
	}
}

export class BitReader {
	/** Position in bits from the start of `bytes`. */
	pos = 0;
	constructor(readonly bytes: Uint8Array) {}

	get bytePos(): number {
		return this.pos >>> 3;
	}

	get bitsLeft(): number {
		return this.bytes.length * 8 - this.pos;
	}

	/** Unsigned read of n ≤ 53 bits. */
	read(n: number): number {
		if (n === 0) return 0;
		if (this.pos + n > this.bytes.length * 8) throw new EndOfData();
		const bytes = this.bytes;
		let v = 0;
		let pos = this.pos;
		while (n > 0) {
			const avail = 8 - (pos & 7);
			const take = avail < n ? avail : n;
			const bits = (bytes[pos >>> 3] >>> (avail - take)) & ((1 << take) - 1);
			v = v * (1 << take) + bits;
			n -= take;
			pos += take;
		}
		this.pos = pos;
		return v;
	}

	/** Two's-complement signed read of n ≤ 33 bits. */
	readSigned(n: number): number {
		if (n === 0) return 0;
		const v = this.read(n);
		const half = 2 ** (n - 1);
		return v >= half ? v - 2 * half : v;
	}

	/** Counts 0 bits up to the next 1 bit and consumes both. */
	readUnary(): number {
		const bytes = this.bytes;
		const end = bytes.length * 8;
		let pos = this.pos;
		let count = 0;
		// rest of the current byte
		const bitOff = pos & 7;
		if (bitOff !== 0) {
			if (pos >= end) throw new EndOfData();
			const b = (bytes[pos >>> 3] << bitOff) & 0xff;
			if (b !== 0) {
				const z = Math.clz32(b) - 24;
				this.pos = pos + z + 1;
				return z;
			}
			count = 8 - bitOff;
			pos += count;
		}
		// whole bytes
		let i = pos >>> 3;
		while (i < bytes.length && bytes[i] === 0) i++;
		if (i >= bytes.length) throw new EndOfData();
		count += (i - (pos >>> 3)) * 8;
		const z = Math.clz32(bytes[i]) - 24;
		this.pos = i * 8 + z + 1;
		return count + z;
	}

	/** Skips to the next byte boundary. */
	align(): void {
		this.pos = (this.pos + 7) & ~7;
	}

	/** FLAC's UTF-8-like coded frame or sample number (up to 36 bits); null if malformed. */
	readUtf8(): number | null {
		const first = this.read(8);
		if (first < 0x80) return first;
		let extra: number;
		let v: number;
		if (first >= 0xc0 && first < 0xe0) (extra = 1), (v = first & 0x1f);
		else if (first >= 0xe0 && first < 0xf0) (extra = 2), (v = first & 0x0f);
		else if (first >= 0xf0 && first < 0xf8) (extra = 3), (v = first & 0x07);
		else if (first >= 0xf8 && first < 0xfc) (extra = 4), (v = first & 0x03);
		else if (first >= 0xfc && first < 0xfe) (extra = 5), (v = first & 0x01);
		else if (first === 0xfe) (extra = 6), (v = 0);
		else return null;
		for (let k = 0; k < extra; k++) {
			const b = this.read(8);
			if ((b & 0xc0) !== 0x80) return null;
			v = v * 64 + (b & 0x3f);
		}
		return v;
	}
}

export class BitWriter {
	private buf: Uint8Array;
	private len = 0;
	private acc = 0;
	private accBits = 0;

	constructor(initialBytes = 1 << 16) {
		this.buf = new Uint8Array(Math.max(16, initialBytes));
	}

	/** Bytes written so far (the writer must be byte-aligned). */
	get byteLength(): number {
		return this.len;
	}

	get aligned(): boolean {
		return this.accBits === 0;
	}

	private grow(): void {
		const bigger = new Uint8Array(this.buf.length * 2);
		bigger.set(this.buf);
		this.buf = bigger;
	}

	private push(byte: number): void {
		if (this.len === this.buf.length) this.grow();
		this.buf[this.len++] = byte;
	}

	/** Unsigned value < 2^n, n ≤ 53. */
	write(value: number, n: number): void {
		while (n > 16) {
			n -= 16;
			const high = Math.floor(value / 2 ** n);
			this.put16(high & 0xffff, 16);
			value -= high * 2 ** n;
		}
		this.put16(value, n);
	}

	private put16(value: number, n: number): void {
		this.acc = (this.acc << n) | value;
		this.accBits += n;
		while (this.accBits >= 8) {
			this.accBits -= 8;
			this.push((this.acc >>> this.accBits) & 0xff);
		}
		this.acc &= (1 << this.accBits) - 1;
	}

	/** Two's complement of v in n bits. */
	writeSigned(v: number, n: number): void {
		this.write(v < 0 ? v + 2 ** n : v, n);
	}

	/** Rice code of the folded residual u (< 2^31) with parameter k ≤ 30: u >> k in unary, then the low k bits. */
	writeRice(u: number, k: number): void {
		const q = u >>> k;
		const low = u & ((1 << k) - 1);
		if (q + 1 + k <= 24) return this.put24((1 << k) | low, q + 1 + k);
		this.writeUnary(q);
		this.write(low, k);
	}

	/** value < 2^n, n ≤ 24 (the accumulator holds < 8 bits between calls, so it stays below 2^31). */
	private put24(value: number, n: number): void {
		const acc = (this.acc << n) | value;
		let bits = this.accBits + n;
		if (this.len + 4 > this.buf.length) this.grow();
		const buf = this.buf;
		while (bits >= 8) {
			bits -= 8;
			buf[this.len++] = (acc >>> bits) & 0xff;
		}
		this.accBits = bits;
		this.acc = acc & ((1 << bits) - 1);
	}

	/** q zero bits, then a 1. */
	writeUnary(q: number): void {
		while (q >= 16) {
			this.put16(0, 16);
			q -= 16;
		}
		this.put16(1, q + 1);
	}

	/** FLAC's UTF-8-like coding of a frame number. */
	writeUtf8(v: number): void {
		if (v < 0x80) return this.write(v, 8);
		let extra = v < 0x800 ? 1 : v < 0x10000 ? 2 : v < 0x200000 ? 3 : v < 0x4000000 ? 4 : v < 0x80000000 ? 5 : 6;
		const leadBits = 6 - extra; // payload bits in the first byte
		const lead = (0xff << (7 - extra)) & 0xff;
		const high = Math.floor(v / 2 ** (6 * extra));
		this.write(lead | (high & ((1 << leadBits) - 1)), 8);
		while (extra-- > 0) this.write(0x80 | (Math.floor(v / 2 ** (6 * extra)) & 0x3f), 8);
	}

	/** Pads with zero bits to a byte boundary. */
	align(): void {
		if (this.accBits > 0) this.put16(0, 8 - this.accBits);
	}

	/** A view of bytes [start, end) already written. */
	slice(start: number, end = this.len): Uint8Array {
		return this.buf.subarray(start, end);
	}

	/** Overwrites already-written bytes (for headers filled in at the end). */
	patch(at: number, bytes: Uint8Array): void {
		this.buf.set(bytes, at);
	}

	finish(): Uint8Array {
		this.align();
		return this.buf.slice(0, this.len);
	}
}
