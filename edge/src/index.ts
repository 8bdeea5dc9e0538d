/**
 * Stemsafe license function (Cloudflare Workers). Nothing else than:
 *   POST /api/checkout                    → a Stripe Checkout Session for the full-length unlock; returns its URL
 *   GET  /api/license?session_id&device   → once that session is paid (and not refunded): the license key and
 *                                           the token that unlocks this device (at most DEVICE_LIMIT devices)
 *   POST /api/license/activate {key, device, replaceOldest?} → a device's token from the license key
 *   POST /api/license/release {token}     → frees the place of the device that token unlocks (moving a license)
 *   POST /api/stripe-webhook              → Stripe events: paid sessions, refunds (revocation list in KV)
 *   GET  /api/license/status?lid          → whether a license id was revoked
 * It never receives audio, file names, emails or names: requests carry at most a session id, a license
 * key or token, and the random device id the app makes per browser profile.
 */
import Stripe from 'stripe';
import { required, type Env } from './env';
import { HttpError, RateLimiter, corsHeaders, errorResponse, json, readBody, readJsonObject } from './http';
import { activateDevice, deviceId, devicePolicy, releaseDevice } from './devices';
import { SIGNATURE_TOLERANCE_SECONDS, checkSignatureTime, eventObject } from './stripe-event';
import { FULL_LENGTH_PRICE, formatPrice } from '../../src/lib/license/price';
import { PRODUCT, chargeRefunded, isRevoked, issueToken, kvKeys, licenseId, paymentIntentId, recordPaidSession, revokePayment, verifyOwnToken } from './license';

/** API requests carry no more than a tiny JSON body; Stripe events are larger. */
const API_BODY_LIMIT = 1024;
const WEBHOOK_BODY_LIMIT = 256 * 1024;
/** Processed webhook event ids are kept this long (Stripe retries for up to 3 days). */
const EVENT_TTL_SECONDS = 30 * 24 * 3600;

let limiter: { limit: number; instance: RateLimiter } | null = null;

function rateLimiter(env: Env): RateLimiter {
	const limit = Math.max(1, Number(env.RATE_LIMIT_PER_MINUTE ?? '30') || 30);
	if (!limiter || limiter.limit !== limit) limiter = { limit, instance: new RateLimiter(limit) };
	return limiter.instance;
}

function stripeClient(env: Env): Stripe {
	return new Stripe(required(env, 'STRIPE_SECRET_KEY'), {
		httpClient: Stripe.createFetchHttpClient(),
		maxNetworkRetries: 1,
		timeout: 15_000,
		...(env.STRIPE_API_HOST ? { host: env.STRIPE_API_HOST } : {}),
		...(env.STRIPE_API_PORT ? { port: Number(env.STRIPE_API_PORT) } : {}),
		...(env.STRIPE_API_PROTOCOL ? { protocol: env.STRIPE_API_PROTOCOL as 'http' | 'https' } : {})
	});
}

const cryptoProvider = Stripe.createSubtleCryptoProvider();

function appUrls(env: Env): { app: URL; origin: string } {
	const app = new URL(required(env, 'APP_URL'));
	return { app, origin: app.origin };
}

async function checkout(request: Request, env: Env): Promise<Response> {
	const body = await readBody(request, API_BODY_LIMIT);
	if (body.trim() && body.trim() !== '{}') throw new HttpError(400, 'unexpected_body', 'This endpoint takes no parameters.');
	const { app } = appUrls(env);
	const success = new URL(app);
	success.search = 'session_id={CHECKOUT_SESSION_ID}';
	const cancel = new URL(app);
	cancel.search = 'checkout=cancelled';
	const stripe = stripeClient(env);
	const priceId = required(env, 'STRIPE_PRICE_ID');
	// The app shows its price (src/lib/license/price.json) before checkout: a Stripe Price that
	// charges anything else is refused before anyone pays.
	const price = await stripe.prices.retrieve(priceId);
	const charged = { amount: price.unit_amount ?? -1, currency: price.currency.toUpperCase() };
	if (charged.amount !== FULL_LENGTH_PRICE.amount || charged.currency !== FULL_LENGTH_PRICE.currency) {
		throw new HttpError(
			500,
			'price_mismatch',
			`Checkout is closed: the Stripe Price charges ${charged.amount >= 0 ? formatPrice(charged, 'en') : 'a variable amount'}, but the app shows ${formatPrice(FULL_LENGTH_PRICE, 'en')}. Set one to match the other (src/lib/license/price.json).`
		);
	}
	const session = await stripe.checkout.sessions.create({
		mode: 'payment',
		line_items: [{ price: priceId, quantity: 1 }],
		// Stripe would percent-encode the braces of the template; keep them literal.
		success_url: success.href.replace('%7BCHECKOUT_SESSION_ID%7D', '{CHECKOUT_SESSION_ID}'),
		cancel_url: cancel.href,
		metadata: { product: PRODUCT }
	});
	if (!session.url) throw new HttpError(502, 'stripe', 'Stripe returned no checkout URL.');
	return json({ id: session.id, url: session.url });
}

const SESSION_ID = /^cs_[A-Za-z0-9_]{1,250}$/;

async function license(url: URL, env: Env): Promise<Response> {
	const sessionId = url.searchParams.get('session_id') ?? '';
	if (!SESSION_ID.test(sessionId)) throw new HttpError(400, 'bad_session_id', 'session_id must be a Stripe Checkout Session id (cs_…).');
	const device = deviceId(url.searchParams.get('device'));
	let session: Stripe.Checkout.Session;
	try {
		session = await stripeClient(env).checkout.sessions.retrieve(sessionId, { expand: ['payment_intent.latest_charge'] });
	} catch (e) {
		if (e instanceof Stripe.errors.StripeInvalidRequestError && e.statusCode === 404) {
			throw new HttpError(404, 'unknown_session', 'No such checkout session.');
		}
		throw e;
	}
	if (session.metadata?.product !== PRODUCT || session.mode !== 'payment') {
		throw new HttpError(404, 'unknown_session', 'This checkout session is not a Stemsafe purchase.');
	}
	if (session.status !== 'complete' || session.payment_status !== 'paid') {
		// Delayed payment methods complete the session first and are paid later (async_payment_succeeded).
		throw new HttpError(402, 'not_paid', 'This purchase is not paid yet. Try again once the payment has gone through.');
	}
	const pi = session.payment_intent;
	const lid = await licenseId(session.id);
	const refunded = typeof pi === 'object' && pi !== null && chargeRefunded(pi.latest_charge);
	if (refunded || (await isRevoked(env.LICENSE_KV, paymentIntentId(pi), lid))) {
		throw new HttpError(403, 'revoked', 'This purchase was refunded; its license is revoked.');
	}
	await recordPaidSession(env.LICENSE_KV, session);
	await activateDevice(env.LICENSE_KV, lid, device, devicePolicy(env), url.searchParams.get('replace') === 'oldest');
	const key = await issueToken(env, lid);
	const { token, claims } = await issueToken(env, lid, device);
	return json({ token, key: key.token, license: claims });
}

/** A device's token from the license key (restoring on another device, or after its token was lost). */
async function activate(request: Request, env: Env): Promise<Response> {
	const body = await readJsonObject(request, API_BODY_LIMIT);
	const device = deviceId(body.device);
	const { lid } = await verifyOwnToken(env, body.key);
	if (await isRevoked(env.LICENSE_KV, null, lid)) throw new HttpError(403, 'revoked', 'This purchase was refunded; its license is revoked.');
	await activateDevice(env.LICENSE_KV, lid, device, devicePolicy(env), body.replaceOldest === true);
	const { token, claims } = await issueToken(env, lid, device);
	return json({ token, license: claims });
}

/** Frees a device's place: the app sends that device's own token, then forgets it. */
async function release(request: Request, env: Env): Promise<Response> {
	const body = await readJsonObject(request, API_BODY_LIMIT);
	const claims = await verifyOwnToken(env, body.token);
	if (!claims.dev) throw new HttpError(400, 'bad_key', 'Send the token of the device to release, not the license key.');
	return json(await releaseDevice(env.LICENSE_KV, claims.lid, claims.dev));
}

async function licenseStatus(url: URL, env: Env): Promise<Response> {
	const lid = url.searchParams.get('lid') ?? '';
	if (!/^[A-Za-z0-9_-]{8,64}$/.test(lid)) throw new HttpError(400, 'bad_license_id', 'lid must be a license id.');
	return json({ lid, revoked: (await env.LICENSE_KV.get(kvKeys.revokedLicense(lid))) !== null });
}

async function webhook(request: Request, env: Env): Promise<Response> {
	const signature = request.headers.get('stripe-signature');
	if (!signature) throw new HttpError(400, 'no_signature', 'Missing Stripe-Signature header.');
	const body = await readBody(request, WEBHOOK_BODY_LIMIT);
	// The SDK refuses old timestamps only; a signature dated far ahead would stay replayable until then.
	checkSignatureTime(signature, Math.floor(Date.now() / 1000));
	let event: Stripe.Event;
	try {
		// Checks the HMAC over the raw body and that the timestamp is within Stripe's 300 s tolerance.
		event = await stripeClient(env).webhooks.constructEventAsync(body, signature, required(env, 'STRIPE_WEBHOOK_SECRET'), SIGNATURE_TOLERANCE_SECONDS, cryptoProvider);
	} catch (e) {
		throw new HttpError(400, 'bad_signature', `Webhook signature verification failed: ${e instanceof Error ? e.message : String(e)}`);
	}
	if (typeof event?.id !== 'string' || !event.id || typeof event.type !== 'string') throw new HttpError(400, 'bad_event', 'The webhook event has no id or type.');
	const object = eventObject<object>(event); // every Stripe event has one
	const kv = env.LICENSE_KV;
	// Replays (same event id) are acknowledged without acting twice. KV is eventually consistent, so two
	// deliveries racing within seconds could both run; every handler below is idempotent, so that is harmless.
	if ((await kv.get(kvKeys.event(event.id))) !== null) return json({ received: true, duplicate: true, id: event.id });
	let outcome: string;
	switch (event.type) {
		case 'checkout.session.completed':
		case 'checkout.session.async_payment_succeeded': {
			const session = object as Stripe.Checkout.Session;
			if (session.metadata?.product !== PRODUCT) outcome = 'not-ours';
			else if (session.payment_status !== 'paid') outcome = 'awaiting-payment';
			else {
				await recordPaidSession(kv, session);
				outcome = 'paid';
			}
			break;
		}
		case 'charge.refunded': {
			const charge = object as Stripe.Charge;
			const pi = paymentIntentId(charge.payment_intent);
			if (!pi || !chargeRefunded(charge)) outcome = 'partial-refund';
			else {
				await revokePayment(kv, pi);
				outcome = 'revoked';
			}
			break;
		}
		default:
			outcome = 'ignored';
	}
	await kv.put(kvKeys.event(event.id), outcome, { expirationTtl: EVENT_TTL_SECONDS });
	return json({ received: true, id: event.id, type: event.type, outcome });
}

export default {
	async fetch(request: Request, env: Env): Promise<Response> {
		const url = new URL(request.url);
		const origin = request.headers.get('origin');
		let cors: Record<string, string> = {};
		try {
			const { origin: appOrigin } = appUrls(env);
			cors = corsHeaders(origin, appOrigin);
			if (url.pathname === '/api/stripe-webhook') {
				if (request.method !== 'POST') throw new HttpError(405, 'method', 'Use POST.');
				return await webhook(request, env);
			}
			if (!url.pathname.startsWith('/api/')) throw new HttpError(404, 'not_found', 'Not found.');
			// Browsers send Origin on cross-origin requests and on POSTs: only the app may call this API.
			if (origin !== null && origin !== appOrigin) throw new HttpError(403, 'origin', 'This origin may not use the license API.');
			if (request.method === 'OPTIONS') return new Response(null, { status: 204, headers: cors });
			const ip = request.headers.get('cf-connecting-ip') ?? 'unknown';
			const wait = rateLimiter(env).take(ip);
			if (wait > 0) return errorResponse(new HttpError(429, 'rate_limited', `Too many requests; try again in ${wait} s.`), { ...cors, 'retry-after': String(wait) });
			const route = `${request.method} ${url.pathname}`;
			if (route === 'POST /api/checkout') return withCors(await checkout(request, env), cors);
			if (route === 'GET /api/license') return withCors(await license(url, env), cors);
			if (route === 'GET /api/license/status') return withCors(await licenseStatus(url, env), cors);
			if (route === 'POST /api/license/activate') return withCors(await activate(request, env), cors);
			if (route === 'POST /api/license/release') return withCors(await release(request, env), cors);
			if (['/api/checkout', '/api/license', '/api/license/status', '/api/license/activate', '/api/license/release'].includes(url.pathname)) throw new HttpError(405, 'method', 'Method not allowed.');
			throw new HttpError(404, 'not_found', 'Not found.');
		} catch (e) {
			if (e instanceof HttpError) return errorResponse(e, cors);
			if (e instanceof Stripe.errors.StripeError) {
				console.error('stripe error', e.type, e.message);
				return errorResponse(new HttpError(502, 'stripe', 'The payment service did not answer as expected. Please try again.'), cors);
			}
			console.error('license function error', e);
			return errorResponse(new HttpError(500, 'internal', 'Internal error.'), cors);
		}
	}
};

function withCors(response: Response, cors: Record<string, string>): Response {
	for (const [k, v] of Object.entries(cors)) response.headers.set(k, v);
	return response;
}
