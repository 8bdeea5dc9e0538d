// MD5 and SHA-256 over the shared 64-byte block framing (src/lib/hash): the published test
// vectors, node:crypto for every length around the padding boundaries, and any split of the
// input into updates giving the same digest.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Md5, md5Hex } from '../../src/lib/hash/md5';
import { Sha256, sha256Hex } from '../../src/lib/hash/sha256';

const enc = (s: string) => new TextEncoder().encode(s);

/** Deterministic bytes (an LCG), so failures reproduce. */
function bytes(n: number, seed = 1): Uint8Array {
	const out = new Uint8Array(n);
	let x = seed;
	for (let i = 0; i < n; i++) {
		x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
		out[i] = x >>> 24;
	}
	return out;
}

/** Feeds `data` in parts of varying size (1 to 23 bytes, then `big`-byte runs). */
function feed<H extends { update(b: Uint8Array): H }>(h: H, data: Uint8Array, big = 0): H {
	let at = 0;
	for (let step = 1; at < data.length && (big === 0 || at < 200); at += step, step = ((step * 7) % 23) + 1) h.update(data.subarray(at, at + step));
	for (; at < data.length; at += big) h.update(data.subarray(at, at + big));
	return h;
}

const million = new Uint8Array(1_000_000).fill(0x61); // "a" x 10^6

describe('MD5', () => {
	it('RFC 1321 test suite', () => {
		const cases: [string, string][] = [
			['', 'd41d8cd98f00b204e9800998ecf8427e'],
			['a', '0cc175b9c0f1b6a831c399e269772661'],
			['abc', '900150983cd24fb0d6963f7d28e17f72'],
			['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
			['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
			['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
			['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a']
		];
		for (const [text, hex] of cases) {
			expect(md5Hex(enc(text))).toBe(hex);
			expect(feed(new Md5(), enc(text)).hex(), `"${text}" in parts`).toBe(hex);
		}
	});
	it('a million "a", in 4096-byte and uneven parts', () => {
		expect(feed(new Md5(), million, 4096).hex()).toBe('7707d6ae4e027c70eea2a935c2296f21');
		expect(feed(new Md5(), million, 999).hex()).toBe('7707d6ae4e027c70eea2a935c2296f21');
	});
	it('matches node:crypto for every length up to 300, fed whole and in parts', () => {
		const data = bytes(300, 5);
		for (let n = 0; n <= 300; n++) {
			const slice = data.subarray(0, n);
			const ref = createHash('md5').update(slice).digest('hex');
			expect(md5Hex(slice), `length ${n}`).toBe(ref);
			expect(feed(new Md5(), slice).hex(), `length ${n} in parts`).toBe(ref);
		}
	});
	it('digest is the 16 bytes of the hex', () => {
		const d = new Md5().update(enc('abc')).digest();
		expect(d.length).toBe(16);
		expect(Buffer.from(d).toString('hex')).toBe('900150983cd24fb0d6963f7d28e17f72');
	});
});

describe('SHA-256', () => {
	it('FIPS 180-4 examples', () => {
		const cases: [string, string][] = [
			['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
			['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
			['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
			[
				'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
				'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1'
			]
		];
		for (const [text, hex] of cases) {
			expect(sha256Hex([enc(text)])).toBe(hex);
			expect(feed(new Sha256(), enc(text)).hex(), `"${text}" in parts`).toBe(hex);
		}
	});
	it('a million "a", in 4096-byte and uneven parts', () => {
		expect(feed(new Sha256(), million, 4096).hex()).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
		expect(feed(new Sha256(), million, 999).hex()).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
	});
	it('matches node:crypto for every length up to 300, fed whole and in parts', () => {
		const data = bytes(300, 9);
		for (let n = 0; n <= 300; n++) {
			const slice = data.subarray(0, n);
			const ref = createHash('sha256').update(slice).digest('hex');
			expect(sha256Hex([slice]), `length ${n}`).toBe(ref);
			expect(feed(new Sha256(), slice).hex(), `length ${n} in parts`).toBe(ref);
		}
	});
	it('hashes a few MB in 64 KiB + 1 parts the same as node:crypto', () => {
		const data = bytes(3_000_017, 3);
		const h = new Sha256();
		for (let at = 0; at < data.length; at += 65_537) h.update(data.subarray(at, at + 65_537));
		expect(h.hex()).toBe(createHash('sha256').update(data).digest('hex'));
	});
	it('sha256Hex takes the parts one after the other', () => {
		const data = bytes(1000, 4);
		expect(sha256Hex([data.subarray(0, 10), data.subarray(10, 10), data.subarray(10)])).toBe(createHash('sha256').update(data).digest('hex'));
	});
});
