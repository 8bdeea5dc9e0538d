/** Issuing licenses: which Stripe sessions count as paid, the license id, the revocation list in KV. */
import type Stripe from 'stripe';
import { toBase64Url } from '../../src/lib/license/base64url';
import { importPublicKey, importSigningKey, signLicense, verifyLicense, type LicenseClaims } from '../../src/lib/license/token';
import { HttpError } from './http';
import type { Env, KV } from './env';

/** Marks sessions created by this function, so other payments on the same Stripe account never unlock anything. */
export const PRODUCT = 'stemsafe-full-length';

/** The license id: a hash of the Checkout Session id, so re-fetching gives the same id and the token carries no Stripe ids. */
export async function licenseId(sessionId: string): Promise<string> {
	const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`stemsafe-license:${sessionId}`));
	return toBase64Url(new Uint8Array(digest).slice(0, 16));
}

export const kvKeys = {
	event: (id: string) => `event:${id}`,
	paymentLicense: (paymentIntent: string) => `pi:${paymentIntent}`,
	revokedPayment: (paymentIntent: string) => `revoked:pi:${paymentIntent}`,
	revokedLicense: (lid: string) => `revoked:lid:${lid}`
};

export function paymentIntentId(value: string | Stripe.PaymentIntent | null | undefined): string | null {
	if (!value) return null;
	return typeof value === 'string' ? value : value.id;
}

/** A fully refunded charge revokes the license; partial refunds (goodwill) do not. */
export function chargeRefunded(charge: string | Stripe.Charge | null | undefined): boolean {
	return !!charge && typeof charge !== 'string' && (charge.refunded || charge.amount_refunded >= charge.amount);
}

export async function isRevoked(kv: KV, paymentIntent: string | null, lid: string): Promise<boolean> {
	const [byLicense, byPayment] = await Promise.all([
		kv.get(kvKeys.revokedLicense(lid)),
		paymentIntent ? kv.get(kvKeys.revokedPayment(paymentIntent)) : Promise.resolve(null)
	]);
	return byLicense !== null || byPayment !== null;
}

export async function recordPaidSession(kv: KV, session: Stripe.Checkout.Session): Promise<string | null> {
	const pi = paymentIntentId(session.payment_intent);
	const lid = await licenseId(session.id);
	if (pi) await kv.put(kvKeys.paymentLicense(pi), lid);
	return lid;
}

export async function revokePayment(kv: KV, paymentIntent: string): Promise<string | null> {
	await kv.put(kvKeys.revokedPayment(paymentIntent), '1');
	const lid = await kv.get(kvKeys.paymentLicense(paymentIntent));
	if (lid) await kv.put(kvKeys.revokedLicense(lid), '1');
	return lid;
}

interface Keys {
	secret: string;
	sign: Promise<CryptoKey>;
	verify: Promise<CryptoKey>;
}
let keys: Keys | null = null;

/** The signing key and its public half (for tokens the app sends back), imported once per secret. */
function licenseKeys(env: Env): Keys {
	if (!keys || keys.secret !== env.LICENSE_SIGNING_KEY) {
		const secret = env.LICENSE_SIGNING_KEY;
		keys = { secret, sign: importSigningKey(secret), verify: publicHalf(secret) };
	}
	return keys;
}

async function publicHalf(pkcs8: string): Promise<CryptoKey> {
	const extractable = await importSigningKey(pkcs8, true);
	const jwk = (await crypto.subtle.exportKey('jwk', extractable)) as JsonWebKey;
	if (!jwk.x) throw new Error('LICENSE_SIGNING_KEY has no public half.');
	return importPublicKey(jwk.x);
}

/**
 * A token for `lid`: with `dev`, the token that unlocks that device; without, the license key that
 * activates devices (shown to the buyer to use on another device).
 */
export async function issueToken(env: Env, lid: string, dev?: string, now = Math.floor(Date.now() / 1000)): Promise<{ token: string; claims: LicenseClaims }> {
	const days = Number(env.LICENSE_DAYS ?? '0');
	const claims: LicenseClaims = { lid, plan: 'full', iat: now };
	if (Number.isFinite(days) && days > 0) claims.exp = now + Math.round(days * 86400);
	if (dev !== undefined) claims.dev = dev;
	return { token: await signLicense(claims, await licenseKeys(env).sign), claims };
}

/** The claims of a token this function signed (a license key or a device's token), or a 400/403 saying why not. */
export async function verifyOwnToken(env: Env, token: unknown): Promise<LicenseClaims> {
	if (typeof token !== 'string' || !token.trim()) throw new HttpError(400, 'bad_key', 'Send the license key.');
	const check = await verifyLicense(token, await licenseKeys(env).verify);
	if (!check.ok) throw new HttpError(check.reason === 'malformed' ? 400 : 403, 'bad_key', check.message);
	return check.claims;
}
