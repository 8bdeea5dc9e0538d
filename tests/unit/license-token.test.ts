import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from '../../src/lib/license/base64url';
import { importPublicKey, importSigningKey, parseToken, signLicense, verifyDeviceToken, verifyLicense, type LicenseClaims } from '../../src/lib/license/token';
import { TEST_LICENSE_PUBLIC_KEY, TEST_LICENSE_SIGNING_KEY } from '../edge/test-keys';

const claims: LicenseClaims = { lid: 'AbCdEfGhIjKlMnOp', plan: 'full', iat: 1_800_000_000 };
const now = claims.iat + 3600;

async function keys() {
	return { sign: await importSigningKey(TEST_LICENSE_SIGNING_KEY), verify: await importPublicKey(TEST_LICENSE_PUBLIC_KEY) };
}

function swapPayload(token: string, edit: (c: Record<string, unknown>) => Record<string, unknown>): string {
	const [v, payload, sig] = token.split('.');
	const json = JSON.parse(new TextDecoder().decode(fromBase64Url(payload)!));
	return [v, toBase64Url(new TextEncoder().encode(JSON.stringify(edit(json)))), sig].join('.');
}

describe('license tokens', () => {
	it('the committed test key pair belongs together', async () => {
		const { sign, verify } = await keys();
		const token = await signLicense(claims, sign);
		expect(await verifyLicense(token, verify, { now })).toEqual({ ok: true, claims });
	});

	it('accepts a valid token, with surrounding whitespace from a paste', async () => {
		const { sign, verify } = await keys();
		const token = await signLicense({ ...claims, exp: claims.iat + 86400 }, sign);
		expect(token).toMatch(/^SSL1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
		const check = await verifyLicense(`  ${token}\n`, verify, { now });
		expect(check).toEqual({ ok: true, claims: { ...claims, exp: claims.iat + 86400 } });
	});

	it('rejects a tampered payload', async () => {
		const { sign, verify } = await keys();
		const token = await signLicense({ ...claims, exp: claims.iat + 10 }, sign);
		const extended = swapPayload(token, (c) => ({ ...c, exp: c.iat as number + 10 ** 9 }));
		expect(await verifyLicense(extended, verify, { now: claims.iat })).toMatchObject({ ok: false, reason: 'signature' });
		// One flipped bit anywhere in the signature, too.
		const sig = fromBase64Url(token.split('.')[2])!;
		sig[10] ^= 1;
		const flipped = `${token.split('.').slice(0, 2).join('.')}.${toBase64Url(sig)}`;
		expect(await verifyLicense(flipped, verify, { now: claims.iat })).toMatchObject({ ok: false, reason: 'signature' });
	});

	it('rejects a token signed with another key', async () => {
		const { verify } = await keys();
		const other = (await crypto.subtle.generateKey({ name: 'Ed25519' }, false, ['sign', 'verify'])) as CryptoKeyPair;
		const forged = await signLicense(claims, other.privateKey);
		const check = await verifyLicense(forged, verify, { now });
		expect(check).toMatchObject({ ok: false, reason: 'signature' });
		if (!check.ok) expect(check.message).toMatch(/not genuine/);
		// and the other key does accept it: the token itself is well formed
		expect((await verifyLicense(forged, other.publicKey, { now })).ok).toBe(true);
	});

	it('rejects an expired token and one dated far in the future', async () => {
		const { sign, verify } = await keys();
		const token = await signLicense({ ...claims, exp: claims.iat + 100 }, sign);
		expect((await verifyLicense(token, verify, { now: claims.iat + 99 })).ok).toBe(true);
		expect(await verifyLicense(token, verify, { now: claims.iat + 100 })).toMatchObject({ ok: false, reason: 'expired' });
		expect(await verifyLicense(await signLicense(claims, sign), verify, { now: claims.iat - 2 * 86400 })).toMatchObject({ ok: false, reason: 'not-yet-valid' });
	});

	it('rejects a revoked license id', async () => {
		const { sign, verify } = await keys();
		const token = await signLicense(claims, sign);
		expect(await verifyLicense(token, verify, { now, revoked: new Set([claims.lid]) })).toMatchObject({ ok: false, reason: 'revoked' });
		expect((await verifyLicense(token, verify, { now, revoked: new Set(['someoneElse1']) })).ok).toBe(true);
	});

	it('rejects malformed tokens without throwing', async () => {
		const { sign, verify } = await keys();
		const good = await signLicense(claims, sign);
		const [, payload, sig] = good.split('.');
		const enc = (v: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(v)));
		const malformed = [
			'',
			'hello',
			`SSL2.${payload}.${sig}`,
			`SSL1.${payload}`,
			`SSL1.${payload}.${sig}.x`,
			`SSL1.${payload}.${sig.slice(0, -2)}`, // short signature
			`SSL1.${payload}=.${sig}`, // padding
			`SSL1.${payload.slice(0, -1)}*.${sig}`,
			`SSL1.${toBase64Url(new TextEncoder().encode('not json'))}.${sig}`,
			`SSL1.${enc([1, 2])}.${sig}`,
			`SSL1.${enc({ ...claims, plan: 'pro' })}.${sig}`,
			`SSL1.${enc({ ...claims, email: 'a@b.c' })}.${sig}`, // unknown (personal) fields are not accepted
			`SSL1.${enc({ ...claims, iat: 1.5 })}.${sig}`,
			`SSL1.${enc({ ...claims, exp: claims.iat - 1 })}.${sig}`,
			`SSL1.${enc({ ...claims, lid: 'x' })}.${sig}`,
			`SSL1.${enc({ ...claims, dev: 'short' })}.${sig}`,
			`SSL1.${enc({ ...claims, dev: 42 })}.${sig}`,
			'x'.repeat(5000),
			null,
			42
		];
		for (const token of malformed) {
			const check = await verifyLicense(token as string, verify, { now });
			expect(check, String(token).slice(0, 40)).toMatchObject({ ok: false, reason: 'malformed' });
		}
		expect(parseToken(good)?.claims).toEqual(claims);
	});

	it('refuses bad key material with a clear message', async () => {
		await expect(importPublicKey('abc')).rejects.toThrow(/32 bytes/);
		await expect(importSigningKey('***')).rejects.toThrow(/PKCS#8/);
		await expect(signLicense({ ...claims, plan: 'gold' as 'full' }, (await keys()).sign)).rejects.toThrow(/Invalid license claims/);
	});

	it('reads the signing key in the forms people paste (base64, base64url, PEM)', async () => {
		const { verify } = await keys();
		const pem = `-----BEGIN PRIVATE KEY-----\n${TEST_LICENSE_SIGNING_KEY}\n-----END PRIVATE KEY-----\n`;
		const url = TEST_LICENSE_SIGNING_KEY.replace(/\+/g, '-').replace(/\//g, '_');
		for (const form of [pem, url]) {
			expect((await verifyLicense(await signLicense(claims, await importSigningKey(form)), verify, { now })).ok).toBe(true);
		}
	});

	it('unlocks a device only with a token activated for that device', async () => {
		const { sign, verify } = await keys();
		const device = 'Zm9vYmFyYmF6cXV1eDEyMw';
		const token = await signLicense({ ...claims, dev: device }, sign);
		expect(await verifyDeviceToken(token, verify, device, { now })).toEqual({ ok: true, claims: { ...claims, dev: device } });
		expect(await verifyDeviceToken(token, verify, 'b3RoZXJkZXZpY2VpZDEyMw', { now })).toMatchObject({ ok: false, reason: 'other-device' });
		expect(await verifyDeviceToken(token, verify, null, { now })).toMatchObject({ ok: false, reason: 'other-device' });
		// The license key (no device) is genuine but unlocks nothing by itself.
		const key = await signLicense(claims, sign);
		expect((await verifyLicense(key, verify, { now })).ok).toBe(true);
		expect(await verifyDeviceToken(key, verify, device, { now })).toMatchObject({ ok: false, reason: 'not-activated', message: expect.stringMatching(/not activated on this device/) });
		// Moving the token to another device by editing its claim breaks the signature.
		const moved = swapPayload(token, (c) => ({ ...c, dev: 'b3RoZXJkZXZpY2VpZDEyMw' }));
		expect(await verifyDeviceToken(moved, verify, 'b3RoZXJkZXZpY2VpZDEyMw', { now })).toMatchObject({ ok: false, reason: 'signature' });
	});
});
