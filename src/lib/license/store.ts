/**
 * The license on this device: one token in IndexedDB (idb-keyval), read by the page and by
 * the separation worker, each verifying it with the public key built into the app. Nothing
 * here touches the network, so a licensed device works offline indefinitely.
 */
import { del, get, set } from 'idb-keyval';
import { importPublicKey, verifyLicense, type LicenseCheck, type LicenseClaims } from './token';

export const LICENSE_STORAGE_KEY = 'stemsafe:license';

export type LicenseState =
	| { kind: 'free' }
	| { kind: 'licensed'; claims: LicenseClaims; token: string }
	| { kind: 'invalid'; message: string };

let builtIn: Promise<CryptoKey> | null = null;

/** The app's public key, from VITE_LICENSE_PUBLIC_KEY at build time (see .env and README). */
export function builtInPublicKey(): Promise<CryptoKey> {
	const raw = import.meta.env.VITE_LICENSE_PUBLIC_KEY as string | undefined;
	builtIn ??= raw ? importPublicKey(raw) : Promise.reject(new Error('This build has no license public key.'));
	return builtIn;
}

export async function verifyWithBuiltInKey(token: string): Promise<LicenseCheck> {
	let key: CryptoKey;
	try {
		key = await builtInPublicKey();
	} catch (e) {
		return { ok: false, reason: 'signature', message: `Licenses cannot be checked: ${e instanceof Error ? e.message : String(e)}` };
	}
	return verifyLicense(token, key);
}

/** The verified state of the stored license. A stored token that does not verify counts as no license. */
export async function currentLicense(): Promise<LicenseState> {
	let token: unknown;
	try {
		token = await get(LICENSE_STORAGE_KEY);
	} catch {
		return { kind: 'free' }; // IndexedDB unavailable (e.g. some private modes): free tier
	}
	if (token === undefined || token === null) return { kind: 'free' };
	if (typeof token !== 'string') return { kind: 'invalid', message: 'The stored license is not a license key.' };
	const check = await verifyWithBuiltInKey(token);
	return check.ok ? { kind: 'licensed', claims: check.claims, token: token.trim() } : { kind: 'invalid', message: check.message };
}

/** Verifies and then stores a token; returns the check so the caller can show why it was refused. */
export async function saveLicense(token: string): Promise<LicenseCheck> {
	const check = await verifyWithBuiltInKey(token);
	if (check.ok) await set(LICENSE_STORAGE_KEY, token.trim());
	return check;
}

export async function removeLicense(): Promise<void> {
	await del(LICENSE_STORAGE_KEY);
}
