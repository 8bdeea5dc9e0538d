/**
 * Calls to the license function (edge/). Only two things ever go there: a request for a checkout
 * URL (no body) and a Stripe Checkout Session id or a license id. Never audio or file names.
 */

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

/** Creates a Stripe Checkout Session; returns the hosted checkout URL to send the browser to. */
export async function startCheckout(api?: string): Promise<string> {
	const { url } = await call<{ url?: unknown }>('/checkout', { method: 'POST' }, api);
	if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new LicenseApiError('The license service sent no checkout address.', 'bad_response');
	return url;
}

/** The signed license token for a paid Checkout Session. */
export async function fetchLicenseToken(sessionId: string, api?: string): Promise<string> {
	const { token } = await call<{ token?: unknown }>(`/license?session_id=${encodeURIComponent(sessionId)}`, {}, api);
	if (typeof token !== 'string') throw new LicenseApiError('The license service sent no license.', 'bad_response');
	return token;
}

/** Whether a license id was revoked (refunded). Only asked when restoring a key while online. */
export async function isLicenseRevoked(lid: string, api?: string): Promise<boolean> {
	const { revoked } = await call<{ revoked?: unknown }>(`/license/status?lid=${encodeURIComponent(lid)}`, {}, api);
	return revoked === true;
}
