/** The license function's device bookkeeping and webhook checks, as pure functions (the HTTP side: tests/edge). */
import { describe, expect, it } from 'vitest';
import { devicePolicy, parseDeviceRecord, planActivation, planRelease, type DeviceRecord } from '../../edge/src/devices';
import { HttpError } from '../../edge/src/http';
import { checkSignatureTime, eventObject, signatureTimestamp } from '../../edge/src/stripe-event';

const DAY = 86400;
const policy = { limit: 3, replaceEvery: 30 * DAY };
const dev = (n: number) => `device-${String(n).padStart(12, '0')}`;
const T0 = 1_700_000_000;

function activated(...ids: number[]): DeviceRecord {
	return { devices: ids.map((n, i) => ({ id: dev(n), at: T0 + i })) };
}

describe('device limit', () => {
	it('adds devices up to the limit, and an active device again for free', () => {
		let record: DeviceRecord | null = null;
		for (const n of [1, 2, 3]) {
			const plan = planActivation(record, dev(n), T0 + n, policy);
			expect(plan).toMatchObject({ ok: true, changed: true, replaced: [] });
			record = plan.ok ? plan.record : null;
		}
		expect(record!.devices.map((d) => d.id)).toEqual([dev(1), dev(2), dev(3)]);
		expect(planActivation(record, dev(2), T0 + 9, policy)).toEqual({ ok: true, record, changed: false, replaced: [] });
	});

	it('refuses a fourth device with the way to move the license', () => {
		const plan = planActivation(activated(1, 2, 3), dev(4), T0 + 10, policy);
		expect(plan.ok).toBe(false);
		if (plan.ok) return;
		expect(plan.code).toBe('device_limit');
		expect(plan.message).toContain('already active on 3 devices');
		expect(plan.message).toContain('“Move the license off this device”');
		expect(plan.message).toContain('once every 30 days');
	});

	it('replaces the device activated longest ago, then not again for 30 days', () => {
		const first = planActivation(activated(1, 2, 3), dev(4), T0 + 10, policy, true);
		expect(first).toMatchObject({ ok: true, changed: true, replaced: [dev(1)] });
		if (!first.ok) return;
		expect(first.record.devices.map((d) => d.id)).toEqual([dev(2), dev(3), dev(4)]);
		expect(first.record.replacedAt).toBe(T0 + 10);
		const soon = planActivation(first.record, dev(5), T0 + 10 + 29 * DAY, policy, true);
		expect(soon).toMatchObject({ ok: false, code: 'device_limit_wait', retryAt: T0 + 10 + 30 * DAY });
		const later = planActivation(first.record, dev(5), T0 + 10 + 30 * DAY, policy, true);
		expect(later).toMatchObject({ ok: true, replaced: [dev(2)] });
	});

	it('keeps only the newest when the limit was lowered, and never replaces below the limit', () => {
		const plan = planActivation(activated(1, 2, 3, 4, 5), dev(6), T0 + 10, { limit: 2, replaceEvery: 0 }, true);
		expect(plan).toMatchObject({ ok: true, replaced: [dev(1), dev(2), dev(3), dev(4)] });
		if (plan.ok) expect(plan.record.devices.map((d) => d.id)).toEqual([dev(5), dev(6)]);
		expect(planActivation(activated(1), dev(2), T0, policy, true)).toMatchObject({ ok: true, replaced: [] });
	});

	it('releases a device once', () => {
		const { record, released } = planRelease(activated(1, 2, 3), dev(2));
		expect(released).toBe(true);
		expect(record.devices.map((d) => d.id)).toEqual([dev(1), dev(3)]);
		expect(planRelease(record, dev(2)).released).toBe(false);
		expect(planRelease(null, dev(2))).toEqual({ record: { devices: [] }, released: false });
	});

	it('reads stored records defensively and the policy from the vars', () => {
		expect(parseDeviceRecord(null)).toBeNull();
		expect(parseDeviceRecord('not json')).toEqual({ devices: [] });
		expect(parseDeviceRecord(JSON.stringify({ devices: [{ id: dev(1), at: 5 }, { id: 'x', at: 1 }, null, { id: dev(2) }], replacedAt: 'soon' }))).toEqual({
			devices: [{ id: dev(1), at: 5 }]
		});
		expect(devicePolicy({})).toEqual({ limit: 3, replaceEvery: 30 * DAY });
		expect(devicePolicy({ DEVICE_LIMIT: '5', DEVICE_REPLACE_DAYS: '7' })).toEqual({ limit: 5, replaceEvery: 7 * DAY });
		expect(devicePolicy({ DEVICE_LIMIT: '0', DEVICE_REPLACE_DAYS: '-1' })).toEqual({ limit: 3, replaceEvery: 30 * DAY });
	});
});

describe('webhook checks', () => {
	const now = 1_700_000_000;
	const status = (f: () => unknown) => {
		try {
			f();
			return null;
		} catch (e) {
			return e instanceof HttpError ? `${e.status} ${e.code} ${e.message}` : String(e);
		}
	};

	it('accepts timestamps within 300 s either way and refuses others, both directions', () => {
		expect(signatureTimestamp(`t=${now},v1=abc`)).toBe(now);
		expect(signatureTimestamp(`v1=abc, t=${now}`)).toBe(now);
		expect(signatureTimestamp('v1=abc')).toBeNull();
		expect(signatureTimestamp('t=soon,v1=abc')).toBeNull();
		for (const d of [-300, 0, 300]) expect(status(() => checkSignatureTime(`t=${now + d},v1=x`, now))).toBeNull();
		expect(status(() => checkSignatureTime(`t=${now + 301},v1=x`, now))).toMatch(/^400 bad_signature .*301 s in the future, outside the tolerance of 300 s/);
		expect(status(() => checkSignatureTime(`t=${now + 10 * 365 * DAY},v1=x`, now))).toMatch(/in the future/);
		expect(status(() => checkSignatureTime(`t=${now - 301},v1=x`, now))).toMatch(/in the past/);
		expect(status(() => checkSignatureTime('v1=x', now))).toMatch(/^400 bad_signature .*no timestamp/);
	});

	it('reads data.object or answers 400', () => {
		const object = { id: 'cs_1' };
		expect(eventObject({ type: 'x', data: { object } })).toBe(object);
		for (const data of [undefined, null, {}, { object: null }, { object: 'cs_1' }, { object: [1] }]) {
			expect(status(() => eventObject({ type: 'charge.refunded', data: data as never }))).toBe('400 bad_event The charge.refunded event has no data.object.');
		}
	});
});
