import { afterEach, describe, expect, it, vi } from 'vitest';
import { activateLicense, isCheckoutUrl, LicenseApiError, redeemSession, releaseDevice, startCheckout } from '../../src/lib/license/api';

function answer(status: number, body: unknown) {
	return vi.fn(async (_url: string, _init?: RequestInit) => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status }));
}

afterEach(() => vi.unstubAllGlobals());

describe('license API client', () => {
	it('posts to /checkout with no body and returns the hosted checkout URL', async () => {
		const fetch = answer(200, { id: 'cs_test_1', url: 'https://checkout.stripe.com/c/pay/cs_test_1' });
		vi.stubGlobal('fetch', fetch);
		expect(await startCheckout('https://app.example/api', false)).toBe('https://checkout.stripe.com/c/pay/cs_test_1');
		const [url, init] = fetch.mock.calls[0];
		expect(url).toBe('https://app.example/api/checkout');
		expect(init).toMatchObject({ method: 'POST', credentials: 'omit' });
		expect(init?.body).toBeUndefined();
	});

	it('follows only a Stripe Checkout URL', async () => {
		for (const url of [
			'javascript:alert(1)',
			'https://checkout.stripe.com.evil.example/c/pay/cs_1',
			'https://evil.example/checkout.stripe.com/c/pay/cs_1',
			'http://checkout.stripe.com/c/pay/cs_1',
			'https://user:pw@checkout.stripe.com/c/pay/cs_1',
			'https://checkout.stripe.com:8443/c/pay/cs_1',
			'http://127.0.0.1:8792/pay/cs_test_1',
			'//checkout.stripe.com/c/pay/cs_1',
			'not a url'
		]) {
			vi.stubGlobal('fetch', answer(200, { url }));
			await expect(startCheckout('/api', false), url).rejects.toMatchObject({ code: 'bad_checkout_url' });
			expect(isCheckoutUrl(url, false), url).toBe(false);
		}
		vi.stubGlobal('fetch', answer(200, { id: 'cs_1' }));
		await expect(startCheckout('/api', false)).rejects.toMatchObject({ code: 'bad_response' });
		expect(isCheckoutUrl('https://checkout.stripe.com/c/pay/cs_live_a1#fidkdWxOYHwnPyd1blpxYHZxWjA0', false)).toBe(true);
	});

	it('follows the fake Stripe on this computer in a test build only', async () => {
		vi.stubGlobal('fetch', answer(200, { url: 'http://127.0.0.1:8792/pay/cs_test_1' }));
		expect(await startCheckout('/api', true)).toBe('http://127.0.0.1:8792/pay/cs_test_1');
		expect(isCheckoutUrl('http://localhost:8792/pay/cs_test_1', true)).toBe(true);
		expect(isCheckoutUrl('http://192.168.1.2:8792/pay/cs_test_1', true)).toBe(false);
		expect(isCheckoutUrl('https://evil.example/pay', true)).toBe(false);
	});

	it('redeems a session for this device and returns its token and the license key', async () => {
		const fetch = answer(200, { token: 'SSL1.a.b', key: 'SSL1.c.d', license: {} });
		vi.stubGlobal('fetch', fetch);
		expect(await redeemSession('cs_test_a&b', 'device-0123456789ab', { api: '/api' })).toEqual({ token: 'SSL1.a.b', key: 'SSL1.c.d' });
		expect(fetch.mock.calls[0][0]).toBe('/api/license?session_id=cs_test_a%26b&device=device-0123456789ab');
		await redeemSession('cs_test_1', 'device-0123456789ab', { replaceOldest: true });
		expect(fetch.mock.calls[1][0]).toBe('/api/license?session_id=cs_test_1&device=device-0123456789ab&replace=oldest');
	});

	it('activates with the license key and releases with the device token, as small JSON bodies', async () => {
		const fetch = answer(200, { token: 'SSL1.a.b', license: {} });
		vi.stubGlobal('fetch', fetch);
		expect(await activateLicense('  SSL1.key.sig\n', 'device-0123456789ab', { api: '/api' })).toEqual({ token: 'SSL1.a.b', key: null });
		const [url, init] = fetch.mock.calls[0];
		expect(url).toBe('/api/license/activate');
		expect(init).toMatchObject({ method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' } });
		expect(JSON.parse(String(init?.body))).toEqual({ key: 'SSL1.key.sig', device: 'device-0123456789ab' });
		await activateLicense('SSL1.key.sig', 'device-0123456789ab', { replaceOldest: true });
		expect(JSON.parse(String(fetch.mock.calls[1][1]?.body))).toEqual({ key: 'SSL1.key.sig', device: 'device-0123456789ab', replaceOldest: true });

		const release = answer(200, { released: true, active: 2 });
		vi.stubGlobal('fetch', release);
		expect(await releaseDevice('SSL1.tok.sig', '/api')).toEqual({ released: true, active: 2 });
		expect(release.mock.calls[0][0]).toBe('/api/license/release');
		expect(JSON.parse(String(release.mock.calls[0][1]?.body))).toEqual({ token: 'SSL1.tok.sig' });
	});

	it("turns the function's JSON errors, other HTTP errors and network failures into messages", async () => {
		vi.stubGlobal('fetch', answer(402, { error: { code: 'not_paid', message: 'This purchase is not paid yet.' } }));
		await expect(redeemSession('cs_test_1', 'device-0123456789ab')).rejects.toMatchObject({ code: 'not_paid', message: 'This purchase is not paid yet.' });
		vi.stubGlobal('fetch', answer(409, { error: { code: 'device_limit', message: 'This license is already active on 3 devices.' } }));
		await expect(activateLicense('SSL1.k.s', 'device-0123456789ab')).rejects.toMatchObject({ code: 'device_limit' });
		vi.stubGlobal('fetch', answer(502, '<html>Bad gateway</html>'));
		await expect(redeemSession('cs_test_1', 'device-0123456789ab')).rejects.toMatchObject({ code: 'http_502', message: 'The license service answered 502.' });
		vi.stubGlobal('fetch', answer(200, { key: 'SSL1.c.d' }));
		await expect(redeemSession('cs_test_1', 'device-0123456789ab')).rejects.toMatchObject({ code: 'bad_response' });
		vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
		const error = await redeemSession('cs_test_1', 'device-0123456789ab').catch((e) => e);
		expect(error).toBeInstanceOf(LicenseApiError);
		expect(error.code).toBe('network');
	});
});
