/**
 * This browser profile's device id for licensing: 16 random bytes (base64url), made once and kept
 * in IndexedDB next to the license. It identifies nothing but "the same browser profile again",
 * so that activating again (a reload, a lost token) takes no second place of the license's device
 * limit. It is sent only to the license function, when a license is activated or released.
 */
import { get, update } from 'idb-keyval';
import { toBase64Url } from './base64url';
import { DEVICE_ID_PATTERN } from './token';

export const DEVICE_STORAGE_KEY = 'stemsafe:device';

const isDeviceId = (value: unknown): value is string => typeof value === 'string' && DEVICE_ID_PATTERN.test(value);

/** The stored device id, or null when there is none (a device never activated). Never creates one. */
export async function storedDeviceId(): Promise<string | null> {
	try {
		const value: unknown = await get(DEVICE_STORAGE_KEY);
		return isDeviceId(value) ? value : null;
	} catch {
		return null;
	}
}

/** The device id, made and stored on first use (in one transaction, so two tabs agree on it). */
export async function deviceId(): Promise<string> {
	const existing = await storedDeviceId();
	if (existing) return existing;
	await update(DEVICE_STORAGE_KEY, (old) => (isDeviceId(old) ? old : newDeviceId()));
	const id = await storedDeviceId();
	if (!id) throw new Error('This browser could not store the device id (IndexedDB is unavailable).');
	return id;
}

export function newDeviceId(): string {
	return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}
