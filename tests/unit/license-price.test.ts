import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FULL_LENGTH_PRICE, formatPrice } from '../../src/lib/license/price';
import { startFakeStripe } from '../../scripts/fake-stripe.mjs';

describe('the full-length price', () => {
	it('comes from price.json and reads as money', () => {
		const json = JSON.parse(readFileSync(new URL('../../src/lib/license/price.json', import.meta.url), 'utf8'));
		expect(FULL_LENGTH_PRICE).toEqual({ amount: json.amount, currency: json.currency.toUpperCase() });
		expect(Number.isInteger(FULL_LENGTH_PRICE.amount) && FULL_LENGTH_PRICE.amount > 0).toBe(true);
		expect(formatPrice({ amount: 900, currency: 'EUR' }, 'en-US')).toBe('€9.00');
		expect(formatPrice({ amount: 1250, currency: 'USD' }, 'en-US')).toBe('$12.50');
	});

	it('is what the fake Stripe charges at checkout', async () => {
		const fake = await startFakeStripe({ port: 0, log: () => undefined });
		try {
			const form = new URLSearchParams({ mode: 'payment', 'line_items[0][price]': fake.price, 'line_items[0][quantity]': '1', success_url: 'http://127.0.0.1/?session_id={CHECKOUT_SESSION_ID}', cancel_url: 'http://127.0.0.1/' });
			const r = await fetch(`${fake.url}/v1/checkout/sessions`, { method: 'POST', body: form, headers: { authorization: 'Bearer sk_test_x', 'content-type': 'application/x-www-form-urlencoded' } });
			const session = (await r.json()) as { amount_total: number; currency: string };
			expect({ amount: session.amount_total, currency: session.currency.toUpperCase() }).toEqual(FULL_LENGTH_PRICE);
			const price = (await (await fetch(`${fake.url}/v1/prices/${fake.price}`, { headers: { authorization: 'Bearer sk_test_x' } })).json()) as { unit_amount: number; currency: string };
			expect({ amount: price.unit_amount, currency: price.currency.toUpperCase() }).toEqual(FULL_LENGTH_PRICE);
		} finally {
			await fake.close();
		}
	});
});
