/**
 * The license function running in workerd (wrangler unstable_dev), talking through the real
 * stripe SDK to the fake Stripe API in scripts/fake-stripe.mjs. Ports 8793 (Stripe) and 8794 (worker).
 */
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importPublicKey, parseToken, verifyLicense } from '../../src/lib/license/token';
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
		expect(session.amount_total).toBe(900);
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
		const early = await api(`/api/license?session_id=${id}`);
		expect(early.status).toBe(402);
		expect((await early.json()).error.code).toBe('not_paid');

		const pay = await fetch(url, { method: 'POST', redirect: 'manual' });
		expect(pay.status).toBe(303);
		expect(pay.headers.get('location')).toBe(`${APP_URL}?session_id=${id}`);
		// The fake delivered checkout.session.completed to the worker, signed, and it was accepted.
		expect(servers.stripe.events.at(-1)?.type).toBe('checkout.session.completed');

		const r = await api(`/api/license?session_id=${id}`);
		expect(r.status).toBe(200);
		const { token, license } = await r.json();
		const check = await verifyLicense(token, await importPublicKey(TEST_LICENSE_PUBLIC_KEY));
		expect(check).toEqual({ ok: true, claims: license });
		expect(Object.keys(license).sort()).toEqual(['iat', 'lid', 'plan']); // no expiry configured, no personal data
		expect(license.plan).toBe('full');
		expect(Math.abs(license.iat - Date.now() / 1000)).toBeLessThan(120);
		expect(token).not.toContain(id);
		// Fetching again (another device, a reload) gives the same license id.
		const again = await (await api(`/api/license?session_id=${id}`)).json();
		expect(again.license.lid).toBe(license.lid);
	});

	it('rejects malformed and unknown session ids', async () => {
		const bad = await api('/api/license?session_id=../../v1/charges');
		expect(bad.status).toBe(400);
		expect((await bad.json()).error.code).toBe('bad_session_id');
		const unknown = await api('/api/license?session_id=cs_test_doesnotexist');
		expect(unknown.status).toBe(404);
		expect((await unknown.json()).error.code).toBe('unknown_session');
	});

	it('waits for delayed payments (async_payment_succeeded)', async () => {
		const { id } = await checkout();
		const completed = await (await fetch(`${servers.stripe.url}/__fake/complete-async/${id}`, { method: 'POST' })).json();
		expect(completed.webhookStatus).toBe(200);
		expect((await api(`/api/license?session_id=${id}`)).status).toBe(402);
		const succeeded = await (await fetch(`${servers.stripe.url}/__fake/async-succeed/${id}`, { method: 'POST' })).json();
		expect(succeeded.event.type).toBe('checkout.session.async_payment_succeeded');
		expect(succeeded.webhookStatus).toBe(200);
		expect((await api(`/api/license?session_id=${id}`)).status).toBe(200);
	});

	it('revokes a license when its charge is refunded in full, not for a partial refund', async () => {
		const { id, url } = await checkout();
		await fetch(url, { method: 'POST', redirect: 'manual' });
		const { license } = await (await api(`/api/license?session_id=${id}`)).json();
		expect((await (await api(`/api/license/status?lid=${license.lid}`)).json()).revoked).toBe(false);

		const partial = await (await fetch(`${servers.stripe.url}/__fake/refund/${id}?amount=100`, { method: 'POST' })).json();
		expect(partial.webhookStatus).toBe(200);
		expect((await api(`/api/license?session_id=${id}`)).status).toBe(200);

		const full = await (await fetch(`${servers.stripe.url}/__fake/refund/${id}`, { method: 'POST' })).json();
		expect(full.charge.refunded).toBe(true);
		expect(full.webhookStatus).toBe(200);
		const refused = await api(`/api/license?session_id=${id}`);
		expect(refused.status).toBe(403);
		expect((await refused.json()).error.code).toBe('revoked');
		expect((await (await api(`/api/license/status?lid=${license.lid}`)).json()).revoked).toBe(true);
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

		expect((await webhook(payload, null)).status).toBe(400);
		// The same payload correctly signed now is accepted, so the rejections above were about the signature.
		const good = await webhook(payload, sdk.webhooks.generateTestHeaderString({ payload, secret: TEST_WEBHOOK_SECRET }));
		expect(good).toMatchObject({ status: 200, body: { outcome: 'not-ours' } });
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
