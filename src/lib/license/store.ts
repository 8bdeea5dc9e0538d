/**
 * The license on this device, in IndexedDB (idb-keyval): the token that unlocks this device (its
 * `dev` claim is this browser profile's device id, device.ts) and the license key that activates
 * other devices. Read by the page and by the separation worker, each verifying the token with the
 * public key built into the app. Nothing here touches the network, so a licensed device works
 * offline indefinitely; activating and releasing go through api.ts.
 */
import { del, get, setMany } from 'idb-keyval';
import { LICENSE_PUBLIC_KEY } from './build';
import { DEVICE_STORAGE_KEY, storedDeviceId } from './device';
import { importPublicKey, verifyDeviceToken, verifyLicense, type LicenseCheck, type LicenseClaims } from './token';

/** The token that unlocks this device. */
export const LICENSE_STORAGE_KEY = 'stemsafe:license';
/** The license key (no device): shown to the buyer, activates other devices. */
export const LICENSE_KEY_STORAGE_KEY = 'stemsafe:license-key';

export type LicenseState =
	| { kind: 'free'; key: string | null }
	| { kind: 'licensed'; claims: LicenseClaims; token: string; key: string | null }
	| { kind: 'invalid'; message: string; key: string | null };

let builtIn: Promise<CryptoKey> | null = null;

/** The app's public key, from VITE_LICENSE_PUBLIC_KEY at build time (see docs/license-server.md). */
export function builtInPublicKey(): Promise<CryptoKey> {
	builtIn ??= LICENSE_PUBLIC_KEY ? importPublicKey(LICENSE_PUBLIC_KEY) : Promise.reject(new Error('This build has no license public key.'));
	return builtIn;
}

async function withBuiltInKey(check: (key: CryptoKey) => Promise<LicenseCheck>): Promise<LicenseCheck> {
	let key: CryptoKey;
	try {
		key = await builtInPublicKey();
	} catch (e) {
		return { ok: false, reason: 'signature', message: `Licenses cannot be checked: ${e instanceof Error ? e.message : String(e)}` };
	}
	return check(key);
}

/** Whether a token or key is genuine (signed for this app), whatever device it is for. */
export function verifyWithBuiltInKey(token: string): Promise<LicenseCheck> {
	return withBuiltInKey((key) => verifyLicense(token, key));
}

/** The verified state of the stored license. A stored token that does not unlock this device counts as no license. */
export async function currentLicense(): Promise<LicenseState> {
	let token: unknown;
	let licenseKey: unknown;
	try {
		[token, licenseKey] = await Promise.all([get(LICENSE_STORAGE_KEY), get(LICENSE_KEY_STORAGE_KEY)]);
	} catch {
		return { kind: 'free', key: null }; // IndexedDB unavailable (e.g. some private modes): free tier
	}
	// A token stored before devices were counted is a license key: it activates this device.
	const key = typeof licenseKey === 'string' ? licenseKey : null;
	if (token === undefined || token === null) return { kind: 'free', key };
	if (typeof token !== 'string') return { kind: 'invalid', message: 'The stored license is not a license key.', key };
	const device = await storedDeviceId();
	const check = await withBuiltInKey((k) => verifyDeviceToken(token, k, device));
	if (check.ok) return { kind: 'licensed', claims: check.claims, token: token.trim(), key };
	return { kind: 'invalid', message: check.message, key: key ?? (check.reason === 'not-activated' ? token.trim() : null) };
}

/** Stores what an activation returned once the token verifies for this device; returns the check. */
export async function saveActivation(token: string, key: string | null): Promise<LicenseCheck> {
	const check = await withBuiltInKey(async (k) => verifyDeviceToken(token, k, await storedDeviceId()));
	if (check.ok) {
		const entries: [IDBValidKey, string][] = [[LICENSE_STORAGE_KEY, token.trim()]];
		if (key) entries.push([LICENSE_KEY_STORAGE_KEY, key.trim()]);
		await setMany(entries);
	}
	return check;
}

/** Forgets this device's token (after releasing its place), keeping the license key to activate again. */
export async function removeDeviceToken(): Promise<void> {
	await del(LICENSE_STORAGE_KEY);
}

/** Removes everything of the license from this device: token, key and device id. */
export async function removeLicense(): Promise<void> {
	await Promise.all([del(LICENSE_STORAGE_KEY), del(LICENSE_KEY_STORAGE_KEY), del(DEVICE_STORAGE_KEY)]);
}
