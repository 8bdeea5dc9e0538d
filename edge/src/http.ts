/** Small HTTP helpers for the edge function: JSON errors, CORS for one origin, body size limit, rate limit. */

export class HttpError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string
	) {
		super(message);
	}
}

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }
	});
}

export function errorResponse(e: HttpError, headers: HeadersInit = {}): Response {
	return json({ error: { code: e.code, message: e.message } }, e.status, headers);
}

/** CORS headers when the request comes from the app's origin; requests from any other origin get none. */
export function corsHeaders(requestOrigin: string | null, appOrigin: string): Record<string, string> {
	if (requestOrigin !== appOrigin) return {};
	return {
		'access-control-allow-origin': appOrigin,
		'access-control-allow-methods': 'GET, POST, OPTIONS',
		'access-control-allow-headers': 'content-type',
		'access-control-max-age': '600',
		vary: 'Origin'
	};
}

/** Reads the body as text, refusing more than `limit` bytes whether or not Content-Length is honest. */
export async function readBody(request: Request, limit: number): Promise<string> {
	const declared = Number(request.headers.get('content-length') ?? '0');
	if (declared > limit) throw new HttpError(413, 'too_large', `Request body over ${limit} bytes.`);
	if (!request.body) return '';
	const reader = request.body.getReader();
	const parts: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > limit) {
			await reader.cancel();
			throw new HttpError(413, 'too_large', `Request body over ${limit} bytes.`);
		}
		parts.push(value);
	}
	const bytes = new Uint8Array(size);
	let offset = 0;
	for (const p of parts) {
		bytes.set(p, offset);
		offset += p.byteLength;
	}
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		throw new HttpError(400, 'bad_encoding', 'The request body is not UTF-8.');
	}
}

/** A small JSON object body (an API call's parameters); 400 when it is not one. */
export async function readJsonObject(request: Request, limit: number): Promise<Record<string, unknown>> {
	const text = await readBody(request, limit);
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw new HttpError(400, 'bad_json', 'The request body must be a JSON object.');
	}
	if (!value || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'bad_json', 'The request body must be a JSON object.');
	return value as Record<string, unknown>;
}

/**
 * Fixed-window per-IP rate limit, in memory per isolate: cheap and with no KV writes, but each
 * Cloudflare isolate (and location) counts on its own, so it bounds abuse per isolate rather than
 * globally. Stripe's own API limits and the signed webhooks are the other line of defence.
 */
export class RateLimiter {
	private readonly windows = new Map<string, { start: number; count: number }>();

	constructor(
		private readonly limit: number,
		private readonly windowMs = 60_000
	) {}

	/** Returns the seconds to wait, or 0 when the request may go ahead. */
	take(key: string, now = Date.now()): number {
		if (this.windows.size > 10_000) {
			for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
		}
		const w = this.windows.get(key);
		if (!w || now - w.start >= this.windowMs) {
			this.windows.set(key, { start: now, count: 1 });
			return 0;
		}
		if (w.count >= this.limit) return Math.ceil((w.start + this.windowMs - now) / 1000);
		w.count++;
		return 0;
	}
}
