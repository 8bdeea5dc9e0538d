/** Streaming MD5 (RFC 1321), for FLAC's STREAMINFO signature of the decoded samples. */
const S = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K = new Int32Array(64);
for (let i = 0; i < 64; i++) K[i] = Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0;

export class Md5 {
	private h = new Int32Array([0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476]);
	private block = new Uint8Array(64);
	private blockLen = 0;
	private total = 0;
	private w = new Int32Array(16);

	update(bytes: Uint8Array): this {
		let i = 0;
		this.total += bytes.length;
		if (this.blockLen > 0) {
			const take = Math.min(64 - this.blockLen, bytes.length);
			this.block.set(bytes.subarray(0, take), this.blockLen);
			this.blockLen += take;
			i = take;
			if (this.blockLen < 64) return this;
			this.compress(this.block, 0);
			this.blockLen = 0;
		}
		for (; i + 64 <= bytes.length; i += 64) this.compress(bytes, i);
		this.block.set(bytes.subarray(i), 0);
		this.blockLen = bytes.length - i;
		return this;
	}

	digest(): Uint8Array {
		const bits = this.total * 8;
		const pad = new Uint8Array((this.blockLen < 56 ? 56 : 120) - this.blockLen + 8);
		pad[0] = 0x80;
		const v = new DataView(pad.buffer);
		v.setUint32(pad.length - 8, bits >>> 0, true);
		v.setUint32(pad.length - 4, Math.floor(bits / 2 ** 32), true);
		this.update(pad);
		const out = new Uint8Array(16);
		const o = new DataView(out.buffer);
		for (let k = 0; k < 4; k++) o.setInt32(k * 4, this.h[k], true);
		return out;
	}

	private compress(b: Uint8Array, at: number): void {
		const w = this.w;
		for (let k = 0; k < 16; k++) {
			const j = at + k * 4;
			w[k] = b[j] | (b[j + 1] << 8) | (b[j + 2] << 16) | (b[j + 3] << 24);
		}
		let [a, bb, c, d] = this.h;
		for (let i = 0; i < 64; i++) {
			let f: number;
			let g: number;
			if (i < 16) (f = (bb & c) | (~bb & d)), (g = i);
			else if (i < 32) (f = (d & bb) | (~d & c)), (g = (5 * i + 1) & 15);
			else if (i < 48) (f = bb ^ c ^ d), (g = (3 * i + 5) & 15);
			else (f = c ^ (bb | ~d)), (g = (7 * i) & 15);
			const s = S[(i >> 4) * 4 + (i & 3)];
			const x = (a + f + K[i] + w[g]) | 0;
			a = d;
			d = c;
			c = bb;
			bb = (bb + ((x << s) | (x >>> (32 - s)))) | 0;
		}
		const h = this.h;
		h[0] = (h[0] + a) | 0;
		h[1] = (h[1] + bb) | 0;
		h[2] = (h[2] + c) | 0;
		h[3] = (h[3] + d) | 0;
	}
}

/** Feeds interleaved integer samples to the MD5 as FLAC does: little-endian, ceil(bits/8) bytes each. */
export class SampleHasher {
	readonly md5 = new Md5();
	private scratch = new Uint8Array(0);
	constructor(private readonly bytesPerSample: number) {}

	/** channels[c][offset .. offset+count) of integer samples. */
	add(channels: ArrayLike<number>[], offset: number, count: number): void {
		const bps = this.bytesPerSample;
		const need = count * channels.length * bps;
		if (this.scratch.length < need) this.scratch = new Uint8Array(need);
		const out = this.scratch;
		let o = 0;
		for (let i = offset; i < offset + count; i++) {
			for (let c = 0; c < channels.length; c++) {
				const v = channels[c][i];
				out[o++] = v & 0xff;
				if (bps > 1) out[o++] = (v >> 8) & 0xff;
				if (bps > 2) out[o++] = (v >> 16) & 0xff;
				if (bps > 3) out[o++] = (v >> 24) & 0xff;
			}
		}
		this.md5.update(out.subarray(0, need));
	}
}

export function toHex(bytes: Uint8Array): string {
	return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
