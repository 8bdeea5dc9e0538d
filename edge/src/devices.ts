/**
 * The devices a license is active on, kept by the license function in Workers KV (one record per
 * license id): at most DEVICE_LIMIT (default 3). A device is a random id the app makes once per
 * browser profile; activating it again is free. Moving a license: the device being left releases
 * itself (the app's "Move the license off this device"); a device that can no longer be opened is
 * replaced from the new one (the one activated longest ago, at most once every REPLACE_DAYS days,
 * default 30), so a shared key cannot rotate through devices quickly. See docs/license-server.md.
 *
 * KV is eventually consistent: two activations of one license racing at two locations within
 * about a minute could both be counted as the third device. That slack is accepted (a Durable
 * Object would close it); the limit is about casual sharing, not a security boundary.
 */
import { HttpError } from './http';
import type { KV } from './env';
import { DEVICE_ID_PATTERN as DEVICE_ID } from '../../src/lib/license/token';
import { DEVICE_LIMIT, DEVICE_REPLACE_DAYS } from '../../src/lib/license/policy';

export const DEFAULT_DEVICE_LIMIT = DEVICE_LIMIT;
export const DEFAULT_REPLACE_DAYS = DEVICE_REPLACE_DAYS;

export interface DeviceRecord {
	/** Active devices, oldest activation first: the random device id and when it was activated (s). */
	devices: { id: string; at: number }[];
	/** When a device was last replaced from another one (s). */
	replacedAt?: number;
}

export interface DevicePolicy {
	limit: number;
	/** Seconds between two replacements of a device from another one. */
	replaceEvery: number;
}

export type Activation =
	| { ok: true; record: DeviceRecord; changed: boolean; replaced: string[] }
	| { ok: false; code: 'device_limit' | 'device_limit_wait'; message: string; retryAt?: number };

const day = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

export function limitMessage(limit: number, replaceDays: number): string {
	return (
		`This license is already active on ${limit} devices, the most it can be. To move it here, open Stemsafe on one of them ` +
		'and choose “Move the license off this device”, then activate here again. If you can no longer open one of them, ' +
		`release the one activated longest ago from here (possible once every ${replaceDays} days).`
	);
}

/** What activating `device` does to a license's record (pure). */
export function planActivation(record: DeviceRecord | null, device: string, now: number, policy: DevicePolicy, replaceOldest = false): Activation {
	const current: DeviceRecord = record ?? { devices: [] };
	if (current.devices.some((d) => d.id === device)) return { ok: true, record: current, changed: false, replaced: [] };
	if (current.devices.length < policy.limit) {
		return { ok: true, record: { ...current, devices: [...current.devices, { id: device, at: now }] }, changed: true, replaced: [] };
	}
	const replaceDays = Math.round(policy.replaceEvery / 86400);
	if (!replaceOldest) return { ok: false, code: 'device_limit', message: limitMessage(policy.limit, replaceDays) };
	const nextReplace = (current.replacedAt ?? -Infinity) + policy.replaceEvery;
	if (now < nextReplace) {
		return {
			ok: false,
			code: 'device_limit_wait',
			retryAt: nextReplace,
			message:
				`A device of this license was already released from another one on ${day(current.replacedAt!)}; the next time that is possible is ${day(nextReplace)}. ` +
				'Until then, move the license from one of its devices (“Move the license off this device”).'
		};
	}
	// Keep the most recent (limit - 1) activations and add this device.
	const cut = current.devices.length - (policy.limit - 1);
	const kept = current.devices.slice(cut);
	const replaced = current.devices.slice(0, cut).map((d) => d.id);
	return { ok: true, record: { devices: [...kept, { id: device, at: now }], replacedAt: now }, changed: true, replaced };
}

/** What releasing `device` does (pure): the record without it, and whether it was there. */
export function planRelease(record: DeviceRecord | null, device: string): { record: DeviceRecord; released: boolean } {
	const current: DeviceRecord = record ?? { devices: [] };
	const devices = current.devices.filter((d) => d.id !== device);
	return { record: { ...current, devices }, released: devices.length !== current.devices.length };
}

/** A stored record, or an empty one when there is none or it is not readable. */
export function parseDeviceRecord(text: string | null): DeviceRecord | null {
	if (text === null) return null;
	try {
		const value = JSON.parse(text) as Partial<DeviceRecord>;
		const devices = Array.isArray(value.devices)
			? value.devices.filter((d): d is { id: string; at: number } => !!d && typeof d.id === 'string' && DEVICE_ID.test(d.id) && Number.isFinite(d.at))
			: [];
		return { devices, ...(Number.isFinite(value.replacedAt) ? { replacedAt: value.replacedAt } : {}) };
	} catch {
		return { devices: [] };
	}
}

export function devicePolicy(env: { DEVICE_LIMIT?: string; DEVICE_REPLACE_DAYS?: string }): DevicePolicy {
	const limit = Math.floor(Number(env.DEVICE_LIMIT ?? DEFAULT_DEVICE_LIMIT));
	const days = Number(env.DEVICE_REPLACE_DAYS ?? DEFAULT_REPLACE_DAYS);
	return {
		limit: Number.isFinite(limit) && limit >= 1 ? Math.min(limit, 100) : DEFAULT_DEVICE_LIMIT,
		replaceEvery: Math.round((Number.isFinite(days) && days >= 0 ? days : DEFAULT_REPLACE_DAYS) * 86400)
	};
}

export const deviceKey = (lid: string) => `devices:${lid}`;

/** A device id from a request, or a 400. */
export function deviceId(value: unknown): string {
	if (typeof value !== 'string' || !DEVICE_ID.test(value)) throw new HttpError(400, 'bad_device', 'device must be the device id the app makes (16–64 base64url characters).');
	return value;
}

/** Activates `device` for license `lid` in KV, or throws the 409 that says how to move the license. */
export async function activateDevice(kv: KV, lid: string, device: string, policy: DevicePolicy, replaceOldest: boolean, now = Math.floor(Date.now() / 1000)): Promise<DeviceRecord> {
	deviceId(device);
	const plan = planActivation(parseDeviceRecord(await kv.get(deviceKey(lid))), device, now, policy, replaceOldest);
	if (!plan.ok) throw new HttpError(409, plan.code, plan.message);
	if (plan.changed) await kv.put(deviceKey(lid), JSON.stringify(plan.record));
	return plan.record;
}

/** Frees `device`'s place on license `lid`; false when it held none. */
export async function releaseDevice(kv: KV, lid: string, device: string): Promise<{ released: boolean; active: number }> {
	const plan = planRelease(parseDeviceRecord(await kv.get(deviceKey(lid))), device);
	if (plan.released) await kv.put(deviceKey(lid), JSON.stringify(plan.record));
	return { released: plan.released, active: plan.record.devices.length };
}
