// MD5 and SHA-256 over the shared 64-byte block framing (src/lib/hash): the published test
// vectors, node:crypto for every length around the padding boundaries, and any split of the
// input into updates giving the same digest.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Md5, md5Hex } from '../../src/lib/hash/md5';
import { Sha256, sha256Hex } from '../../src/lib/hash/sha256';
import { randomBytes } from './signals';

const enc = (s: string) => new TextEncoder().encode(s);

interface Hasher {
	update(b: Uint8Array): Hasher;
	hex(): string;
}

/** Feeds `data` in parts of varying size (1 to 23 bytes; after the first 200 bytes, `big`-byte runs if given). */
function feed(h: Hasher, data: Uint8Array, big = 0): string {
	let at = 0;
	for (let step = 1; at < data.length && (big === 0 || at < 200); at += step, step = ((step * 7) % 23) + 1) h.update(data.subarray(at, at + step));
	for (; at < data.length; at += big) h.update(data.subarray(at, at + big));
	return h.hex();
}

const million = new Uint8Array(1_000_000).fill(0x61); // "a" x 10^6

const ALGORITHMS: {
	name: string;
	node: string;
	make: () => Hasher;
	once: (b: Uint8Array) => string;
	/** The standard's examples, text -> hex. */
	vectors: [string, string][];
	millionA: string;
}[] = [
	{
		name: 'MD5 (RFC 1321 test suite)',
		node: 'md5',
		make: () => new Md5(),
		once: md5Hex,
		vectors: [
			['', 'd41d8cd98f00b204e9800998ecf8427e'],
			['a', '0cc175b9c0f1b6a831c399e269772661'],
			['abc', '900150983cd24fb0d6963f7d28e17f72'],
			['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
			['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
			['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
			['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a']
		],
		millionA: '7707d6ae4e027c70eea2a935c2296f21'
	},
	{
		name: 'SHA-256 (FIPS 180-4 examples)',
		node: 'sha256',
		make: () => new Sha256(),
		once: (b) => sha256Hex([b]),
		vectors: [
			['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
			['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
			['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
			[
				'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
				'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1'
			]
		],
		millionA: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0'
	}
];

for (const alg of ALGORITHMS) {
	describe(alg.name, () => {
		it('the published vectors, whole and in parts', () => {
			for (const [text, hex] of alg.vectors) {
				expect(alg.once(enc(text))).toBe(hex);
				expect(feed(alg.make(), enc(text)), `"${text}" in parts`).toBe(hex);
			}
		});
		it('a million "a", in 4096-byte and in uneven parts', () => {
			expect(feed(alg.make(), million, 4096)).toBe(alg.millionA);
			expect(feed(alg.make(), million, 999)).toBe(alg.millionA);
		});
		it('matches node:crypto for every length up to 300, fed whole and in parts', () => {
			const data = randomBytes(300, 5);
			for (let n = 0; n <= 300; n++) {
				const slice = data.subarray(0, n);
				const ref = createHash(alg.node).update(slice).digest('hex');
				expect(alg.once(slice), `length ${n}`).toBe(ref);
				expect(feed(alg.make(), slice), `length ${n} in parts`).toBe(ref);
			}
		});
		it('a few MB in 64 KiB + 1 parts', () => {
			const data = randomBytes(3_000_017, 3);
			const h = alg.make();
			for (let at = 0; at < data.length; at += 65_537) h.update(data.subarray(at, at + 65_537));
			expect(h.hex()).toBe(createHash(alg.node).update(data).digest('hex'));
		});
	});
}

it('Md5.digest is the 16 bytes of the hex', () => {
	const d = new Md5().update(enc('abc')).digest();
	expect(Buffer.from(d).toString('hex')).toBe('900150983cd24fb0d6963f7d28e17f72');
});

it('sha256Hex takes the parts one after the other', () => {
	const data = randomBytes(1000, 4);
	expect(sha256Hex([data.subarray(0, 10), data.subarray(10, 10), data.subarray(10)])).toBe(createHash('sha256').update(data).digest('hex'));
});
