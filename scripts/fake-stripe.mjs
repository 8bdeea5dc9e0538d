// A fake Stripe API on 127.0.0.1 for tests and local development of the license function.
// Implements only what edge/ uses, in Stripe's wire format, so the real stripe SDK talks to it
// (host/port/protocol settings): GET /v1/prices/:id, POST /v1/checkout/sessions, GET /v1/checkout/sessions/:id
// (expand payment_intent, payment_intent.latest_charge), plus a hosted checkout page that "pays"
// and redirects to success_url, and /__fake/* controls for tests (refunds, delayed payments, prices).
// When a webhook URL and secret are given it delivers signed events like Stripe does.
//
// usage: node scripts/fake-stripe.mjs [port]   (env: FAKE_STRIPE_WEBHOOK_URL, FAKE_STRIPE_WEBHOOK_SECRET)
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import Stripe from 'stripe';

// The app's one price of the full-length unlock (what it shows before checkout).
const PRICE = JSON.parse(readFileSync(new URL('../src/lib/license/price.json', import.meta.url), 'utf8'));
const PRICES = { price_test_fulllength: { amount: PRICE.amount, currency: PRICE.currency.toLowerCase() } };

const id = (prefix) => `${prefix}_test_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

function stripeError(res, status, message, extra = {}) {
	res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
	res.end(JSON.stringify({ error: { type: 'invalid_request_error', message, ...extra } }));
}

function send(res, status, body) {
	res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
	res.end(JSON.stringify(body));
}

async function readBody(req) {
	const chunks = [];
	for await (const c of req) chunks.push(c);
	return Buffer.concat(chunks).toString('utf8');
}

const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * @param {{ port?: number, webhookUrl?: string, webhookSecret?: string, log?: (line: string) => void }} options
 */
export async function startFakeStripe(options = {}) {
	const sessions = new Map();
	// this server's prices (a test may change one: POST /__fake/price/<id>?amount=&currency=)
	const prices = structuredClone(PRICES);
	const intents = new Map();
	const charges = new Map();
	const events = [];
	const stripe = new Stripe('sk_test_fake');
	const log = options.log ?? (() => {});
	let base = '';

	async function deliver(type, object) {
		const event = { id: id('evt'), object: 'event', api_version: '2025-01-01', created: now(), type, livemode: false, data: { object } };
		events.push(event);
		if (!options.webhookUrl || !options.webhookSecret) return { event, status: null };
		const payload = JSON.stringify(event);
		const header = stripe.webhooks.generateTestHeaderString({ payload, secret: options.webhookSecret });
		try {
			const r = await fetch(options.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload });
			log(`webhook ${type} → ${r.status}`);
			return { event, status: r.status };
		} catch (e) {
			log(`webhook ${type} failed: ${e}`);
			return { event, status: null };
		}
	}

	function view(session, expand) {
		const out = { ...session };
		if (expand.includes('payment_intent') || expand.includes('payment_intent.latest_charge')) {
			const pi = session.payment_intent && intents.get(session.payment_intent);
			if (pi) {
				out.payment_intent = { ...pi };
				if (expand.includes('payment_intent.latest_charge') && pi.latest_charge) out.payment_intent.latest_charge = { ...charges.get(pi.latest_charge) };
			}
		}
		return out;
	}

	function pay(session) {
		const pi = { id: id('pi'), object: 'payment_intent', amount: session.amount_total, currency: session.currency, status: 'succeeded', latest_charge: null, created: now() };
		const charge = { id: id('ch'), object: 'charge', amount: session.amount_total, amount_refunded: 0, refunded: false, currency: session.currency, payment_intent: pi.id, paid: true, status: 'succeeded', created: now() };
		pi.latest_charge = charge.id;
		intents.set(pi.id, pi);
		charges.set(charge.id, charge);
		session.payment_intent = pi.id;
		session.status = 'complete';
	}

	const server = createServer(async (req, res) => {
		try {
			const url = new URL(req.url ?? '/', base);
			const parts = url.pathname.split('/').filter(Boolean);
			if (url.pathname.startsWith('/v1/')) {
				if (!/^Bearer sk_test_\w+$/.test(req.headers.authorization ?? '')) return stripeError(res, 401, 'Invalid API Key provided.');
			}
			if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
				const form = new URLSearchParams(await readBody(req));
				const price = prices[form.get('line_items[0][price]') ?? ''];
				if (form.get('mode') !== 'payment') return stripeError(res, 400, 'mode must be payment', { param: 'mode' });
				if (!price) return stripeError(res, 400, `No such price: '${form.get('line_items[0][price]')}'`, { code: 'resource_missing', param: 'line_items[0][price]' });
				if (form.get('line_items[0][quantity]') !== '1') return stripeError(res, 400, 'quantity must be 1', { param: 'line_items[0][quantity]' });
				for (const p of ['success_url', 'cancel_url']) if (!/^https?:\/\//.test(form.get(p) ?? '')) return stripeError(res, 400, `Invalid URL: ${p}`, { param: p });
				const metadata = {};
				for (const [k, v] of form) {
					const m = /^metadata\[(.+)\]$/.exec(k);
					if (m) metadata[m[1]] = v;
				}
				const session = {
					id: id('cs'),
					object: 'checkout.session',
					mode: 'payment',
					status: 'open',
					payment_status: 'unpaid',
					amount_total: price.amount,
					currency: price.currency,
					success_url: form.get('success_url'),
					cancel_url: form.get('cancel_url'),
					metadata,
					payment_intent: null,
					livemode: false,
					created: now(),
					url: ''
				};
				session.url = `${base}/pay/${session.id}`;
				sessions.set(session.id, session);
				return send(res, 200, session);
			}
			if (req.method === 'GET' && parts[0] === 'v1' && parts[1] === 'prices' && parts[2]) {
				const price = prices[parts[2]];
				if (!price) return stripeError(res, 404, `No such price: '${parts[2]}'`, { code: 'resource_missing', param: 'price' });
				return send(res, 200, { id: parts[2], object: 'price', active: true, type: 'one_time', unit_amount: price.amount, currency: price.currency, livemode: false });
			}
			if (req.method === 'GET' && parts[0] === 'v1' && parts[1] === 'checkout' && parts[2] === 'sessions' && parts[3]) {
				const session = sessions.get(parts[3]);
				if (!session) return stripeError(res, 404, `No such checkout.session: '${parts[3]}'`, { code: 'resource_missing', param: 'session' });
				return send(res, 200, view(session, url.searchParams.getAll('expand[]').concat(url.searchParams.getAll('expand[0]'))));
			}
			if (parts[0] === 'pay' && parts[1]) {
				const session = sessions.get(parts[1]);
				if (!session) return stripeError(res, 404, 'No such checkout page.');
				if (req.method === 'GET') {
					res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
					return res.end(`<!doctype html><title>Fake Stripe Checkout</title><h1>Fake Stripe Checkout</h1>
<p>Stemsafe full length: <b data-testid="amount">${(session.amount_total / 100).toFixed(2)} ${session.currency.toUpperCase()}</b></p>
<form method="post"><button type="submit" data-testid="pay">Pay</button></form>
<p><a href="${escapeHtml(session.cancel_url)}" data-testid="cancel-checkout">Cancel</a></p>`);
				}
				if (req.method === 'POST') {
					if (session.status === 'open') {
						pay(session);
						session.payment_status = 'paid';
						await deliver('checkout.session.completed', view(session, []));
					}
					res.writeHead(303, { location: session.success_url.replace('{CHECKOUT_SESSION_ID}', session.id) });
					return res.end();
				}
			}
			// Test controls.
			if (req.method === 'POST' && parts[0] === '__fake' && parts[1] === 'price' && prices[parts[2]]) {
				const price = prices[parts[2]];
				price.amount = Number(url.searchParams.get('amount') ?? price.amount);
				price.currency = (url.searchParams.get('currency') ?? price.currency).toLowerCase();
				return send(res, 200, { id: parts[2], ...price });
			}
			if (req.method === 'POST' && parts[0] === '__fake' && parts[2]) {
				const session = sessions.get(parts[2]);
				if (!session) return stripeError(res, 404, 'No such session.');
				if (parts[1] === 'pay' || parts[1] === 'complete-async') {
					// pay: card payment; complete-async: a delayed method (session complete, money not yet in)
					pay(session);
					session.payment_status = parts[1] === 'pay' ? 'paid' : 'unpaid';
					const delivery = await deliver('checkout.session.completed', view(session, []));
					return send(res, 200, { session, event: delivery.event, webhookStatus: delivery.status });
				}
				if (parts[1] === 'async-succeed') {
					session.payment_status = 'paid';
					const delivery = await deliver('checkout.session.async_payment_succeeded', view(session, []));
					return send(res, 200, { session, event: delivery.event, webhookStatus: delivery.status });
				}
				if (parts[1] === 'refund') {
					const charge = charges.get(intents.get(session.payment_intent)?.latest_charge);
					if (!charge) return stripeError(res, 400, 'Nothing to refund.');
					const amount = Number(url.searchParams.get('amount') ?? charge.amount);
					charge.amount_refunded = Math.min(charge.amount, charge.amount_refunded + amount);
					charge.refunded = charge.amount_refunded >= charge.amount;
					const delivery = await deliver('charge.refunded', { ...charge });
					return send(res, 200, { charge, event: delivery.event, webhookStatus: delivery.status });
				}
			}
			stripeError(res, 404, `Unrecognized request URL (${req.method}: ${url.pathname}).`);
		} catch (e) {
			stripeError(res, 500, String(e));
		}
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', resolve);
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	base = `http://127.0.0.1:${port}`;
	return {
		port,
		url: base,
		price: Object.keys(PRICES)[0],
		sessions,
		events,
		close: () => new Promise((resolve) => server.close(() => resolve(undefined)))
	};
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	const port = Number(process.argv[2] ?? process.env.PORT ?? 8792);
	const fake = await startFakeStripe({
		port,
		webhookUrl: process.env.FAKE_STRIPE_WEBHOOK_URL,
		webhookSecret: process.env.FAKE_STRIPE_WEBHOOK_SECRET,
		log: (line) => console.log(`[fake-stripe] ${line}`)
	});
	console.log(`Fake Stripe: ${fake.url} (price ${fake.price})`);
}
