/**
 * SHA-256 (FIPS 180-4), incremental: WebCrypto's digest needs the whole input in one buffer,
 * which for a 640 MB model would be one more copy of the weights.
 */
import { BlockHash } from './block-hash';

const K = new Uint32Array([
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
	0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
	0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
	0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
]);

export class Sha256 extends BlockHash {
	private readonly h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
	private readonly w = new Uint32Array(64);

	constructor() {
		super(false);
	}

	/** 64 lowercase hex digits; the object cannot be updated afterwards. */
	hex(): string {
		this.finish();
		return Array.from(this.h, (v) => v.toString(16).padStart(8, '0')).join('');
	}

	protected compress(d: Uint8Array, at: number): void {
		const w = this.w;
		for (let j = 0; j < 16; j++) {
			const o = at + 4 * j;
			w[j] = (d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3];
		}
		for (let j = 16; j < 64; j++) {
			const a = w[j - 15];
			const b = w[j - 2];
			const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
			const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
			w[j] = (w[j - 16] + s0 + w[j - 7] + s1) | 0;
		}
		const h = this.h;
		let a = h[0], b = h[1], c = h[2], e = h[4], f = h[5], g = h[6], dd = h[3], hh = h[7]; // prettier-ignore
		for (let j = 0; j < 64; j++) {
			const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
			const ch = (e & f) ^ (~e & g);
			const t1 = (hh + S1 + ch + K[j] + w[j]) | 0;
			const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
			const maj = (a & b) ^ (a & c) ^ (b & c);
			const t2 = (S0 + maj) | 0;
			hh = g;
			g = f;
			f = e;
			e = (dd + t1) | 0;
			dd = c;
			c = b;
			b = a;
			a = (t1 + t2) | 0;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += dd;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
}

/** SHA-256 of byte arrays taken one after the other (a model's parts). */
export function sha256Hex(parts: Uint8Array[]): string {
	const h = new Sha256();
	for (const p of parts) h.update(p);
	return h.hex();
}
