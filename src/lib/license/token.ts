/**
 * The license token: `SSL1.<payload>.<signature>`, both parts base64url. The payload is JSON
 * claims (license id, plan, issued at, optional expiry; never an email or a name); the
 * signature is Ed25519 over the ASCII bytes of `SSL1.<payload>`. Signed by the edge function,
 * verified offline in the app with the public key built into it. WebCrypto only, so the same
 * code runs in browsers, Web Workers, Node 20 and workerd.
 */
import { fromBase64Url, toBase64Url } from './base64url';

export const TOKEN_VERSION = 'SSL1';
export const PLANS = ['full'] as const;
export type Plan = (typeof PLANS)[number];

export interface LicenseClaims {
	/** Random-looking license id (derived from the purchase, not from the buyer). */
	lid: string;
	plan: Plan;
	/** Issued at, seconds since the epoch. */
	iat: number;
	/** Optional expiry, seconds since the epoch. */
	exp?: number;
	/**
	 * The device this token unlocks (the random id the app keeps per browser profile). A token
	 * without it is a license *key*: it unlocks nothing by itself, it activates a device through the
	 * license function, which counts the devices (see device.ts).
	 */
	dev?: string;
}

export type LicenseFailure = 'malformed' | 'signature' | 'expired' | 'not-yet-valid' | 'revoked' | 'not-activated' | 'other-device';

export type LicenseCheck = { ok: true; claims: LicenseClaims } | { ok: false; reason: LicenseFailure; message: string };

const MESSAGES: Record<LicenseFailure, string> = {
	malformed: 'This is not a Stemsafe license key.',
	signature: 'This license key is not genuine (its signature does not match).',
	expired: 'This license key has expired.',
	'not-yet-valid': 'This license key is dated in the future; check the device clock.',
	revoked: 'This license key was revoked (the purchase was refunded).',
	'not-activated': 'This license key is not activated on this device yet.',
	'other-device': 'This license was activated on another device. Activate it here with your license key.'
};

const ALGORITHM = { name: 'Ed25519' } as const;
/** Tokens are short; anything longer is rejected before parsing. */
export const MAX_TOKEN_LENGTH = 1024;
/** Tolerated clock skew for `iat` in the future. */
const SKEW_SECONDS = 24 * 3600;

const encoder = new TextEncoder();

/** A device id: 16 random bytes in base64url (22 characters); up to 64 accepted. */
export const DEVICE_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

function fail(reason: LicenseFailure): LicenseCheck {
	return { ok: false, reason, message: MESSAGES[reason] };
}

function isClaims(value: unknown): value is LicenseClaims {
	if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
	const c = value as Record<string, unknown>;
	const known = new Set(['lid', 'plan', 'iat', 'exp', 'dev']);
	if (Object.keys(c).some((k) => !known.has(k))) return false;
	return (
		typeof c.lid === 'string' &&
		/^[A-Za-z0-9_-]{8,64}$/.test(c.lid) &&
		(PLANS as readonly unknown[]).includes(c.plan) &&
		Number.isSafeInteger(c.iat) &&
		(c.iat as number) > 0 &&
		(c.exp === undefined || (Number.isSafeInteger(c.exp) && (c.exp as number) > (c.iat as number))) &&
		(c.dev === undefined || (typeof c.dev === 'string' && DEVICE_ID_PATTERN.test(c.dev)))
	);
}

export interface ParsedToken {
	claims: LicenseClaims;
	signed: Uint8Array;
	signature: Uint8Array;
}

/** Splits and decodes a token; null when it is not well formed. Does not check the signature. */
export function parseToken(token: string): ParsedToken | null {
	const text = token.trim();
	if (text.length > MAX_TOKEN_LENGTH) return null;
	const parts = text.split('.');
	if (parts.length !== 3 || parts[0] !== TOKEN_VERSION) return null;
	const payload = fromBase64Url(parts[1]);
	const signature = fromBase64Url(parts[2]);
	if (!payload || !signature || signature.length !== 64) return null;
	let claims: unknown;
	try {
		claims = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
	} catch {
		return null;
	}
	if (!isClaims(claims)) return null;
	return { claims, signed: encoder.encode(`${parts[0]}.${parts[1]}`), signature };
}

export async function signLicense(claims: LicenseClaims, privateKey: CryptoKey): Promise<string> {
	if (!isClaims(claims)) throw new Error('Invalid license claims.');
	const head = `${TOKEN_VERSION}.${toBase64Url(encoder.encode(JSON.stringify(claims)))}`;
	const signature = new Uint8Array(await crypto.subtle.sign(ALGORITHM, privateKey, encoder.encode(head)));
	return `${head}.${toBase64Url(signature)}`;
}

export interface VerifyOptions {
	/** Seconds since the epoch; defaults to the clock. */
	now?: number;
	/** Revoked license ids (refunded purchases), where the caller has a list. */
	revoked?: ReadonlySet<string>;
}

export async function verifyLicense(token: string, publicKey: CryptoKey, options: VerifyOptions = {}): Promise<LicenseCheck> {
	if (typeof token !== 'string') return fail('malformed');
	const parsed = parseToken(token);
	if (!parsed) return fail('malformed');
	let genuine = false;
	try {
		genuine = await crypto.subtle.verify(ALGORITHM, publicKey, parsed.signature as BufferSource, parsed.signed as BufferSource);
	} catch {
		genuine = false;
	}
	if (!genuine) return fail('signature');
	const now = options.now ?? Math.floor(Date.now() / 1000);
	const { claims } = parsed;
	if (claims.exp !== undefined && now >= claims.exp) return fail('expired');
	if (claims.iat > now + SKEW_SECONDS) return fail('not-yet-valid');
	if (options.revoked?.has(claims.lid)) return fail('revoked');
	return { ok: true, claims };
}

/**
 * What unlocks full length on a device: a genuine token activated for exactly this device (its
 * `dev` claim is the device's id). A license key (no `dev`) or another device's token does not.
 */
export async function verifyDeviceToken(token: string, publicKey: CryptoKey, device: string | null, options: VerifyOptions = {}): Promise<LicenseCheck> {
	const check = await verifyLicense(token, publicKey, options);
	if (!check.ok) return check;
	if (check.claims.dev === undefined) return fail('not-activated');
	if (check.claims.dev !== device) return fail('other-device');
	return check;
}

/** The app's built-in key: the raw 32-byte Ed25519 public key, base64url. */
export async function importPublicKey(raw: string): Promise<CryptoKey> {
	const bytes = fromBase64Url(raw.trim());
	if (!bytes || bytes.length !== 32) throw new Error('The license public key must be 32 bytes, base64url.');
	return crypto.subtle.importKey('raw', bytes as BufferSource, ALGORITHM, false, ['verify']);
}

/** The edge function's secret: a PKCS#8 Ed25519 private key, standard base64 or base64url (DER). */
export async function importSigningKey(pkcs8: string, extractable = false): Promise<CryptoKey> {
	const text = pkcs8.trim().replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
	const bytes = fromBase64Url(text);
	if (!bytes) throw new Error('LICENSE_SIGNING_KEY must be a base64 PKCS#8 Ed25519 private key.');
	return crypto.subtle.importKey('pkcs8', bytes as BufferSource, ALGORITHM, extractable, ['sign']);
}
