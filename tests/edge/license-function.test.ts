/**
 * The license function running in workerd (wrangler unstable_dev), talking through the real
 * stripe SDK to the fake Stripe API in scripts/fake-stripe.mjs. Ports 8793 (Stripe) and 8794 (worker).
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPublicKey, signLicense, verifyLicense } from '../../src/lib/license/token';
import { FULL_LENGTH_PRICE, formatPrice } from '../../src/lib/license/price';
import { APP_URL, startLicenseServers } from './servers';
import { TEST_LICENSE_PUBLIC_KEY, TEST_WEBHOOK_SECRET } from './test-keys';

const APP_ORIGIN = new URL(APP_URL).origin;
const RATE_LIMIT = 40;
let servers: Awaited<ReturnType<typeof startLicenseServers>>;
let ipCounter = 0;
const sdk = new Stripe('sk_test_unused');

/** Every test gets its own client IP so the per-IP limit only bites where a test wants it to. */
function api(path: string, init: RequestInit & { ip?: string } = {}) {
	const headers = new Headers(init.headers);
	if (!headers.has('origin')) headers.set('origin', APP_ORIGIN);
	headers.set('cf-connecting-ip', init.ip ?? `198.51.100.${++ipCounter}`);
	return fetch(`${servers.base}${path}`, { ...init, headers, redirect: 'manual' });
}

async function checkout(): Promise<{ id: string; url: string }> {
	const r = await api('/api/checkout', { method: 'POST' });
	expect(r.status).toBe(200);
	return r.json();
}

async function webhook(payload: string, header: string | null) {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	if (header !== null) headers['stripe-signature'] = header;
	const r = await fetch(`${servers.base}/api/stripe-webhook`, { method: 'POST', headers, body: payload });
	return { status: r.status, body: (await r.json()) as Record<string, any> };
}

function event(type: string, object: Record<string, unknown>) {
	return JSON.stringify({ id: `evt_test_${Math.random().toString(36).slice(2)}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data: { object } });
}

/** A device id as the app makes them: 16 random bytes, base64url. */
function newDevice(): string {
	return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64url');
}

async function paidSession(): Promise<string> {
	const { id, url } = await checkout();
	expect((await fetch(url, { method: 'POST', redirect: 'manual' })).status).toBe(303);
	return id;
}

function redeem(sessionId: string, device: string, extra = '') {
	return api(`/api/license?session_id=${sessionId}&device=${device}${extra}`);
}

/** A paid session redeemed on three new devices: their ids and tokens, and the license key. */
async function threeDevices() {
	const id = await paidSession();
	const devices = [newDevice(), newDevice(), newDevice()];
	const tokens: string[] = [];
	let key = '';
	for (const device of devices) {
		const r = await redeem(id, device);
		expect(r.status).toBe(200);
		const body = await r.json();
		tokens.push(body.token);
		key = body.key;
	}
	return { id, devices, tokens, key };
}

function post(path: string, body: unknown) {
	return api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

beforeAll(async () => {
	servers = await startLicenseServers({ stripe: 8793, worker: 8794 }, { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) });
}, 120_000);

afterAll(async () => {
	await servers?.stop();
});

describe('checkout', () => {
	it('creates a Checkout Session for the configured price with URLs back to the app', async () => {
		const r = await api('/api/checkout', { method: 'POST' });
		expect(r.status).toBe(200);
		expect(r.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
		const { id, url } = await r.json();
		expect(url).toBe(`${servers.stripe.url}/pay/${id}`);
		const session = servers.stripe.sessions.get(id)!;
		expect(session.success_url).toBe(`${APP_URL}?session_id={CHECKOUT_SESSION_ID}`);
		expect(session.cancel_url).toBe(`${APP_URL}?checkout=cancelled`);
		expect(session.amount_total).toBe(FULL_LENGTH_PRICE.amount); // the price the app shows
	});

	it('refuses to open a checkout whose Stripe Price differs from the price the app shows', async () => {
		const setPrice = (amount: number, currency: string) => fetch(`${servers.stripe.url}/__fake/price/${servers.stripe.price}?amount=${amount}&currency=${currency}`, { method: 'POST' });
		try {
			await setPrice(FULL_LENGTH_PRICE.amount + 100, FULL_LENGTH_PRICE.currency);
			const r = await api('/api/checkout', { method: 'POST' });
			expect(r.status).toBe(500);
			const { error } = await r.json();
			expect(error.code).toBe('price_mismatch');
			expect(error.message).toContain(`but the app shows ${formatPrice(FULL_LENGTH_PRICE, 'en')}`);
			await setPrice(FULL_LENGTH_PRICE.amount, 'usd');
			expect((await api('/api/checkout', { method: 'POST' })).status).toBe(FULL_LENGTH_PRICE.currency === 'USD' ? 200 : 500);
		} finally {
			await setPrice(FULL_LENGTH_PRICE.amount, FULL_LENGTH_PRICE.currency);
		}
		expect((await api('/api/checkout', { method: 'POST' })).status).toBe(200);
	});

	it('refuses parameters, oversized bodies, other origins and wrong methods with JSON errors', async () => {
		const withBody = await api('/api/checkout', { method: 'POST', body: JSON.stringify({ email: 'a@b.c' }) });
		expect(withBody.status).toBe(400);
		expect((await withBody.json()).error.code).toBe('unexpected_body');
		const big = await api('/api/checkout', { method: 'POST', body: 'x'.repeat(64 * 1024) });
		expect(big.status).toBe(413);
		expect((await big.json()).error.code).toBe('too_large');
		const other = await api('/api/checkout', { method: 'POST', headers: { origin: 'https://evil.example' } });
		expect(other.status).toBe(403);
		expect(other.headers.get('access-control-allow-origin')).toBeNull();
		const wrong = await api('/api/checkout');
		expect(wrong.status).toBe(405);
		const missing = await api('/api/nothing');
		expect(missing.status).toBe(404);
		expect((await missing.json()).error.message).toBe('Not found.');
	});

	it('answers CORS preflights for the app origin only', async () => {
		const ok = await api('/api/checkout', { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } });
		expect(ok.status).toBe(204);
		expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
		const bad = await api('/api/checkout', { method: 'OPTIONS', headers: { origin: 'http://127.0.0.1:5000' } });
		expect(bad.status).toBe(403);
		expect(bad.headers.get('access-control-allow-origin')).toBeNull();
	});
});

describe('license', () => {
	it('is refused before payment and issued after the hosted checkout pays', async () => {
		const { id, url } = await checkout();
		const device = newDevice();
		const early = await redeem(id, device);
		expect(early.status).toBe(402);
		expect((await early.json()).error.code).toBe('not_paid');

		const pay = await fetch(url, { method: 'POST', redirect: 'manual' });
		expect(pay.status).toBe(303);
		expect(pay.headers.get('location')).toBe(`${APP_URL}?session_id=${id}`);
		// The fake delivered checkout.session.completed to the worker, signed, and it was accepted.
		expect(servers.stripe.events.at(-1)?.type).toBe('checkout.session.completed');

		const r = await redeem(id, device);
		expect(r.status).toBe(200);
		const { token, key, license } = await r.json();
		const publicKey = await importPublicKey(TEST_LICENSE_PUBLIC_KEY);
		const check = await verifyLicense(token, publicKey);
		expect(check).toEqual({ ok: true, claims: license });
		expect(Object.keys(license).sort()).toEqual(['dev', 'iat', 'lid', 'plan']); // no expiry configured, no personal data
		expect(license.plan).toBe('full');
		expect(license.dev).toBe(device); // the token unlocks this device only
		expect(Math.abs(license.iat - Date.now() / 1000)).toBeLessThan(120);
		expect(token).not.toContain(id);
		// The license key (for other devices) is the same license without a device.
		const keyCheck = await verifyLicense(key, publicKey);
		expect(keyCheck.ok && keyCheck.claims).toEqual({ lid: license.lid, plan: 'full', iat: license.iat });
		// Fetching again (a reload) gives the same license id and takes no second place.
		const again = await (await redeem(id, device)).json();
		expect(again.license.lid).toBe(license.lid);
	});

	it('rejects malformed and unknown session ids', async () => {
		const bad = await redeem('../../v1/charges', newDevice());
		expect(bad.status).toBe(400);
		expect((await bad.json()).error.code).toBe('bad_session_id');
		const unknown = await redeem('cs_test_doesnotexist', newDevice());
		expect(unknown.status).toBe(404);
		expect((await unknown.json()).error.code).toBe('unknown_session');
	});

	it('waits for delayed payments (async_payment_succeeded)', async () => {
		const { id } = await checkout();
		const completed = await (await fetch(`${servers.stripe.url}/__fake/complete-async/${id}`, { method: 'POST' })).json();
		expect(completed.webhookStatus).toBe(200);
		const device = newDevice();
		expect((await redeem(id, device)).status).toBe(402);
		const succeeded = await (await fetch(`${servers.stripe.url}/__fake/async-succeed/${id}`, { method: 'POST' })).json();
		expect(succeeded.event.type).toBe('checkout.session.async_payment_succeeded');
		expect(succeeded.webhookStatus).toBe(200);
		expect((await redeem(id, device)).status).toBe(200);
	});

	it('revokes a license when its charge is refunded in full, not for a partial refund', async () => {
		const { id, url } = await checkout();
		await fetch(url, { method: 'POST', redirect: 'manual' });
		const device = newDevice();
		const { license, key } = await (await redeem(id, device)).json();
		expect((await (await api(`/api/license/status?lid=${license.lid}`)).json()).revoked).toBe(false);

		const partial = await (await fetch(`${servers.stripe.url}/__fake/refund/${id}?amount=100`, { method: 'POST' })).json();
		expect(partial.webhookStatus).toBe(200);
		expect((await redeem(id, device)).status).toBe(200);

		const full = await (await fetch(`${servers.stripe.url}/__fake/refund/${id}`, { method: 'POST' })).json();
		expect(full.charge.refunded).toBe(true);
		expect(full.webhookStatus).toBe(200);
		const refused = await redeem(id, device);
		expect(refused.status).toBe(403);
		expect((await refused.json()).error.code).toBe('revoked');
		expect((await (await api(`/api/license/status?lid=${license.lid}`)).json()).revoked).toBe(true);
		// Its license key no longer activates anything either.
		const activation = await post('/api/license/activate', { key, device: newDevice() });
		expect(activation.status).toBe(403);
		expect((await activation.json()).error.code).toBe('revoked');
	});

	it('requires a well-formed device id', async () => {
		const id = await paidSession();
		for (const device of ['', 'short', 'a'.repeat(65), 'bad/chars-and-more!']) {
			const r = await api(`/api/license?session_id=${id}&device=${encodeURIComponent(device)}`);
			expect(r.status).toBe(400);
			expect((await r.json()).error.code).toBe('bad_device');
		}
	});
});

describe('devices', () => {
	it('activates a license on at most 3 devices; past that it says how to move it', async () => {
		const { id, devices, key } = await threeDevices();
		// A fourth device, by the checkout session or by the license key: refused with the way out.
		for (const r of [await redeem(id, newDevice()), await post('/api/license/activate', { key, device: newDevice() })]) {
			expect(r.status).toBe(409);
			const { error } = await r.json();
			expect(error.code).toBe('device_limit');
			expect(error.message).toContain('already active on 3 devices');
			expect(error.message).toContain('Move the license off this device');
		}
		// The devices already counted keep working (a reload, a lost token: activate again).
		const again = await post('/api/license/activate', { key, device: devices[1] });
		expect(again.status).toBe(200);
		expect((await again.json()).license.dev).toBe(devices[1]);
	});

	it('moves a license: the device left releases its place, the new one takes it', async () => {
		const { devices, tokens, key } = await threeDevices();
		const fourth = newDevice();
		expect((await post('/api/license/activate', { key, device: fourth })).status).toBe(409);

		// Releasing needs that device's own token; the license key (no device) or a forged token release nothing.
		const withKey = await post('/api/license/release', { token: key });
		expect(withKey.status).toBe(400);
		const forged = await post('/api/license/release', { token: tokens[1].slice(0, -4) + 'AAAA' });
		expect(forged.status).toBe(403);
		expect((await forged.json()).error.code).toBe('bad_key');

		const released = await post('/api/license/release', { token: tokens[1] });
		expect(released.status).toBe(200);
		expect(await released.json()).toEqual({ released: true, active: 2 });
		expect(await (await post('/api/license/release', { token: tokens[1] })).json()).toEqual({ released: false, active: 2 });

		const moved = await post('/api/license/activate', { key, device: fourth });
		expect(moved.status).toBe(200);
		const { token, license } = await moved.json();
		expect(license.dev).toBe(fourth);
		expect((await verifyLicense(token, await importPublicKey(TEST_LICENSE_PUBLIC_KEY))).ok).toBe(true);
		expect((await post('/api/license/activate', { key, device: newDevice() })).status).toBe(409);
	});

	it('replaces the device activated longest ago from a new one, once per 30 days', async () => {
		const { devices, key } = await threeDevices();
		const replacing = await post('/api/license/activate', { key, device: newDevice(), replaceOldest: true });
		expect(replacing.status).toBe(200);
		// The oldest device lost its place (it would need a new activation), the two others kept theirs.
		expect((await post('/api/license/activate', { key, device: devices[2] })).status).toBe(200);
		const oldest = await post('/api/license/activate', { key, device: devices[0] });
		expect(oldest.status).toBe(409);
		const soon = await post('/api/license/activate', { key, device: devices[0], replaceOldest: true });
		expect(soon.status).toBe(409);
		const { error } = await soon.json();
		expect(error.code).toBe('device_limit_wait');
		expect(error.message).toMatch(/next time that is possible is \d{4}-\d{2}-\d{2}/);
	});

	it('refuses keys it did not sign and bodies that are not JSON objects', async () => {
		const forgedKey = await (async () => {
			const pair = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
			return signLicense({ lid: 'forgedLicense0001', plan: 'full', iat: Math.floor(Date.now() / 1000) }, pair.privateKey);
		})();
		const forged = await post('/api/license/activate', { key: forgedKey, device: newDevice() });
		expect(forged.status).toBe(403);
		expect((await forged.json()).error.message).toContain('not genuine');
		expect((await post('/api/license/activate', { key: 'SSL1.x.y', device: newDevice() })).status).toBe(400);
		expect((await post('/api/license/activate', { device: newDevice() })).status).toBe(400);
		const notJson = await api('/api/license/activate', { method: 'POST', body: 'key=abc' });
		expect(notJson.status).toBe(400);
		expect((await notJson.json()).error.code).toBe('bad_json');
		expect((await api('/api/license/activate')).status).toBe(405);
	});
});

describe('webhook', () => {
	it('accepts a correctly signed event once and ignores its replay', async () => {
		const payload = event('charge.refunded', { id: 'ch_test_x', object: 'charge', amount: 900, amount_refunded: 900, refunded: true, payment_intent: 'pi_test_replay' });
		const header = sdk.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET });
		const first = await webhook(payload, header);
		expect(first).toMatchObject({ status: 200, body: { received: true, outcome: 'revoked' } });
		const replay = await webhook(payload, header);
		expect(replay).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
	});

	it('rejects a bad signature, a stale timestamp and a missing header', async () => {
		const payload = event('checkout.session.completed', { id: 'cs_test_x', object: 'checkout.session', payment_status: 'paid', metadata: {} });
		const forged = sdk.webhooks.generateTestHeaderString({ payload, secret: 'whsec_not_the_secret' });
		const bad = await webhook(payload, forged);
		expect(bad.status).toBe(400);
		expect(bad.body.error.code).toBe('bad_signature');

		const tampered = await webhook(payload.replace('"paid"', '"unpaid"'), sdk.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET }));
		expect(tampered.status).toBe(400);

		const stale = sdk.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) - 600 });
		const old = await webhook(payload, stale);
		expect(old.status).toBe(400);
		expect(old.body.error.message).toMatch(/tolerance/i);

		// A timestamp far in the future is refused too (the SDK alone only refuses old ones).
		const ahead = sdk.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET, timestamp: Math.floor(Date.now() / 1000) + 600 });
		const future = await webhook(payload, ahead);
		expect(future.status).toBe(400);
		expect(future.body.error.message).toMatch(/in the future, outside the tolerance/);
		const noTime = await webhook(payload, ahead.replace(/^t=\d+,/, ''));
		expect(noTime.status).toBe(400);

		expect((await webhook(payload, null)).status).toBe(400);
		// The same payload correctly signed now is accepted, so the rejections above were about the signature.
		const good = await webhook(payload, sdk.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET }));
		expect(good).toMatchObject({ status: 200, body: { outcome: 'not-ours' } });
	});

	it('answers a signed event without data.object with 400, not 500', async () => {
		for (const data of [{}, { object: null }, { object: 'cs_test_x' }, null]) {
			for (const type of ['checkout.session.completed', 'charge.refunded', 'customer.created']) {
				const payload = JSON.stringify({ id: `evt_test_${Math.random().toString(36).slice(2)}`, object: 'event', type, created: Math.floor(Date.now() / 1000), data });
				const r = await webhook(payload, sdk.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET }));
				expect(r.status).toBe(400);
				expect(r.body.error.code).toBe('bad_event');
				expect(r.body.error.message).toContain('data.object');
			}
		}
		const noId = JSON.stringify({ object: 'event', type: 'charge.refunded', data: { object: {} } });
		const r = await webhook(noId, sdk.webhooks.generateTestHeaderString({ payload: noId, secret: TEST_WEBHOOK_SECRET }));
		expect(r.status).toBe(400);
	});
});

describe('rate limit', () => {
	it('limits requests per client IP per minute', async () => {
		const statuses: number[] = [];
		for (let i = 0; i <= RATE_LIMIT; i++) statuses.push((await api('/api/license/status?lid=abcdefgh1234', { ip: '203.0.113.7' })).status);
		expect(statuses.slice(0, RATE_LIMIT).every((s) => s === 200)).toBe(true);
		const limited = await api('/api/license/status?lid=abcdefgh1234', { ip: '203.0.113.7' });
		expect(statuses[RATE_LIMIT]).toBe(429);
		expect(limited.status).toBe(429);
		expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
		expect((await limited.json()).error.code).toBe('rate_limited');
		expect((await api('/api/license/status?lid=abcdefgh1234', { ip: '203.0.113.8' })).status).toBe(200);
	});
});
