/**
 * Calls to the license function (edge/). Only these things ever go there: a request for a checkout
 * URL (no body), a Stripe Checkout Session id, the license key or this device's token, and this
 * browser profile's random device id. Never audio or file names.
 */
import { TEST_BUILD } from './build';

/** VITE_LICENSE_API at build time; default: same origin, /api. */
export const LICENSE_API = ((import.meta.env.VITE_LICENSE_API as string | undefined) || '/api').replace(/\/+$/, '');

export class LicenseApiError extends Error {
	constructor(
		message: string,
		readonly code: string
	) {
		super(message);
		this.name = 'LicenseApiError';
	}
}

async function call<T>(path: string, init: RequestInit = {}, api = LICENSE_API): Promise<T> {
	let response: Response;
	try {
		response = await fetch(`${api}${path}`, { ...init, cache: 'no-store', credentials: 'omit' });
	} catch {
		throw new LicenseApiError('The license service could not be reached. Check your connection and try again.', 'network');
	}
	let body: unknown = null;
	try {
		body = await response.json();
	} catch {
		// not JSON: reported below
	}
	if (!response.ok) {
		const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
		throw new LicenseApiError(error?.message ?? `The license service answered ${response.status}.`, error?.code ?? `http_${response.status}`);
	}
	if (!body || typeof body !== 'object') throw new LicenseApiError('The license service sent an unexpected answer.', 'bad_response');
	return body as T;
}

/** Stripe's hosted checkout pages (Checkout Sessions' `url`). */
export const STRIPE_CHECKOUT_ORIGIN = 'https://checkout.stripe.com';

/**
 * Whether the app may send the browser to `url` for payment: Stripe Checkout only, so that a
 * compromised or impersonated license service cannot send buyers to a look-alike page. A test
 * build also follows the fake Stripe's pages on this computer (scripts/fake-stripe.mjs).
 */
export function isCheckoutUrl(url: string, testBuild = TEST_BUILD): boolean {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		return false;
	}
	if (parsed.username || parsed.password) return false;
	if (parsed.origin === STRIPE_CHECKOUT_ORIGIN) return true;
	return testBuild && parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
}

/** Creates a Stripe Checkout Session; returns the hosted checkout URL to send the browser to. */
export async function startCheckout(api?: string, testBuild = TEST_BUILD): Promise<string> {
	const { url } = await call<{ url?: unknown }>('/checkout', { method: 'POST' }, api);
	if (typeof url !== 'string') throw new LicenseApiError('The license service sent no checkout address.', 'bad_response');
	if (!isCheckoutUrl(url, testBuild)) throw new LicenseApiError('The license service sent a checkout address that is not Stripe Checkout; it was not opened.', 'bad_checkout_url');
	return url;
}

export interface Activation {
	/** The token that unlocks this device. */
	token: string;
	/** The license key, when the answer carries it (after a purchase). */
	key: string | null;
}

export interface ActivateOptions {
	/** Past the device limit: release the device activated longest ago (once every 30 days). */
	replaceOldest?: boolean;
	api?: string;
}

function activation(body: { token?: unknown; key?: unknown }): Activation {
	if (typeof body.token !== 'string') throw new LicenseApiError('The license service sent no license.', 'bad_response');
	return { token: body.token, key: typeof body.key === 'string' ? body.key : null };
}

/** The license key and this device's token for a paid Checkout Session. */
export async function redeemSession(sessionId: string, device: string, { replaceOldest = false, api }: ActivateOptions = {}): Promise<Activation> {
	const query = new URLSearchParams({ session_id: sessionId, device });
	if (replaceOldest) query.set('replace', 'oldest');
	return activation(await call(`/license?${query}`, {}, api));
}

/** This device's token from the license key (using a license on another device). */
export async function activateLicense(key: string, device: string, { replaceOldest = false, api }: ActivateOptions = {}): Promise<Activation> {
	const body = JSON.stringify({ key: key.trim(), device, ...(replaceOldest ? { replaceOldest: true } : {}) });
	return activation(await call('/license/activate', { method: 'POST', headers: { 'content-type': 'application/json' }, body }, api));
}

/** Frees this device's place among the license's devices (the token is this device's own). */
export async function releaseDevice(token: string, api?: string): Promise<{ released: boolean; active: number }> {
	const body = await call<{ released?: unknown; active?: unknown }>('/license/release', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) }, api);
	return { released: body.released === true, active: typeof body.active === 'number' ? body.active : 0 };
}
