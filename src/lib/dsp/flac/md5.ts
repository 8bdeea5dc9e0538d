/** FLAC's STREAMINFO signature: the MD5 (src/lib/hash/md5.ts) of the decoded samples, fed as FLAC does. */
import { Md5 } from '../../hash/md5';

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

