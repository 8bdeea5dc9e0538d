/**
 * MD5 (RFC 1321), incremental: WebCrypto has no MD5, and two formats need one — FLAC's
 * STREAMINFO signature of the samples, and UVR's identification of MDX-Net models. Not for
 * security.
 */
import { BlockHash, toHex } from './block-hash';

export { toHex };

const S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;

export class Md5 extends BlockHash {
	private readonly h = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
	private readonly words = new Int32Array(16);

	constructor() {
		super(true);
	}

	/** The 16-byte digest; the object cannot be updated afterwards. */
	digest(): Uint8Array {
		this.finish();
		const out = new Uint8Array(16);
		const o = new DataView(out.buffer);
		for (let k = 0; k < 4; k++) o.setInt32(k * 4, this.h[k], true);
		return out;
	}

	/** The digest as 32 lowercase hex digits; the object cannot be updated afterwards. */
	hex(): string {
		return toHex(this.digest());
	}

	protected compress(data: Uint8Array, at: number): void {
		const w = this.words;
		for (let j = 0; j < 16; j++) {
			const o = at + 4 * j;
			w[j] = data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24);
		}
		let a = this.h[0];
		let b = this.h[1];
		let c = this.h[2];
		let d = this.h[3];
		for (let i = 0; i < 64; i++) {
			let f: number;
			let g: number;
			if (i < 16) {
				f = (b & c) | (~b & d);
				g = i;
			} else if (i < 32) {
				f = (d & b) | (~d & c);
				g = (5 * i + 1) & 15;
			} else if (i < 48) {
				f = b ^ c ^ d;
				g = (3 * i + 5) & 15;
			} else {
				f = c ^ (b | ~d);
				g = (7 * i) & 15;
			}
			const t = (a + f + K[i] + w[g]) | 0;
			a = d;
			d = c;
			c = b;
			b = (b + ((t << S[i]) | (t >>> (32 - S[i])))) | 0;
		}
		this.h[0] = (this.h[0] + a) | 0;
		this.h[1] = (this.h[1] + b) | 0;
		this.h[2] = (this.h[2] + c) | 0;
		this.h[3] = (this.h[3] + d) | 0;
	}
}

export function md5Hex(bytes: Uint8Array): string {
	return new Md5().update(bytes).hex();
}
