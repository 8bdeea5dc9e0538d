/**
 * The framing MD5 and SHA-256 share (Merkle–Damgård over 64-byte blocks): input of any split
 * is buffered into whole blocks for the hash's compression function, and the end is padded
 * with 0x80, zeros and the message length in bits as 64 bits — little-endian for MD5,
 * big-endian for SHA-256.
 */
export abstract class BlockHash {
	private readonly block = new Uint8Array(64);
	private fill = 0;
	private total = 0;

	constructor(private readonly lengthLittleEndian: boolean) {}

	/** Mixes one 64-byte block, data[at .. at+64), into the state. */
	protected abstract compress(data: Uint8Array, at: number): void;

	update(bytes: Uint8Array): this {
		let i = 0;
		this.total += bytes.length;
		if (this.fill > 0) {
			const take = Math.min(64 - this.fill, bytes.length);
			this.block.set(bytes.subarray(0, take), this.fill);
			this.fill += take;
			i = take;
			if (this.fill < 64) return this;
			this.compress(this.block, 0);
			this.fill = 0;
		}
		for (; i + 64 <= bytes.length; i += 64) this.compress(bytes, i);
		if (i < bytes.length) {
			this.block.set(bytes.subarray(i), 0);
			this.fill = bytes.length - i;
		}
		return this;
	}

	/** Pads the message and compresses the last block(s); read the state afterwards, once. */
	protected finish(): void {
		const bits = this.total * 8;
		const pad = new Uint8Array((this.fill < 56 ? 56 : 120) - this.fill + 8);
		pad[0] = 0x80;
		const view = new DataView(pad.buffer);
		const low = bits >>> 0;
		const high = Math.floor(bits / 2 ** 32);
		const le = this.lengthLittleEndian;
		view.setUint32(pad.length - 8, le ? low : high, le);
		view.setUint32(pad.length - 4, le ? high : low, le);
		this.update(pad);
	}
}

export function toHex(bytes: Uint8Array): string {
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
