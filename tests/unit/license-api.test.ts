import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchLicenseToken, isLicenseRevoked, LicenseApiError, startCheckout } from '../../src/lib/license/api';

function answer(status: number, body: unknown) {
	return vi.fn(async (_url: string, _init?: RequestInit) => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status }));
}

afterEach(() => vi.unstubAllGlobals());

describe('license API client', () => {
	it('posts to /checkout with no body and returns the hosted checkout URL', async () => {
		const fetch = answer(200, { id: 'cs_test_1', url: 'https://checkout.stripe.com/c/pay/cs_test_1' });
		vi.stubGlobal('fetch', fetch);
		expect(await startCheckout('https://app.example/api')).toBe('https://checkout.stripe.com/c/pay/cs_test_1');
		const [url, init] = fetch.mock.calls[0];
		expect(url).toBe('https://app.example/api/checkout');
		expect(init).toMatchObject({ method: 'POST', credentials: 'omit' });
		expect(init?.body).toBeUndefined();
	});

	it('refuses a checkout answer that is not an http(s) URL', async () => {
		vi.stubGlobal('fetch', answer(200, { url: 'javascript:alert(1)' }));
		await expect(startCheckout()).rejects.toMatchObject({ code: 'bad_response' });
	});

	it('passes the session id encoded and returns the token', async () => {
		const fetch = answer(200, { token: 'SSL1.a.b', license: {} });
		vi.stubGlobal('fetch', fetch);
		expect(await fetchLicenseToken('cs_test_a&b', '/api')).toBe('SSL1.a.b');
		expect(fetch.mock.calls[0][0]).toBe('/api/license?session_id=cs_test_a%26b');
	});

	it("turns the function's JSON errors, other HTTP errors and network failures into messages", async () => {
		vi.stubGlobal('fetch', answer(402, { error: { code: 'not_paid', message: 'This purchase is not paid yet.' } }));
		await expect(fetchLicenseToken('cs_test_1')).rejects.toMatchObject({ code: 'not_paid', message: 'This purchase is not paid yet.' });
		vi.stubGlobal('fetch', answer(502, '<html>Bad gateway</html>'));
		await expect(fetchLicenseToken('cs_test_1')).rejects.toMatchObject({ code: 'http_502', message: 'The license service answered 502.' });
		vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
		const error = await fetchLicenseToken('cs_test_1').catch((e) => e);
		expect(error).toBeInstanceOf(LicenseApiError);
		expect(error.code).toBe('network');
	});

	it('reads the revocation status of a license id', async () => {
		vi.stubGlobal('fetch', answer(200, { lid: 'abcdefgh', revoked: true }));
		expect(await isLicenseRevoked('abcdefgh')).toBe(true);
		vi.stubGlobal('fetch', answer(200, { lid: 'abcdefgh', revoked: false }));
		expect(await isLicenseRevoked('abcdefgh')).toBe(false);
	});
});
