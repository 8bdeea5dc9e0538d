import { describe, expect, it } from 'vitest';
import { describeExpiry, expiryOf, formatRemaining, isExpired, isRetentionPolicy, retentionMs } from '../../src/lib/library/retention';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const item = (over: Partial<{ savedAt: number; ownerTab: string; keep: boolean }> = {}) => ({
	savedAt: 1_000_000,
	ownerTab: 'tab-a',
	keep: false,
	...over
});

describe('retention policy', () => {
	it('maps every timed choice to its duration', () => {
		expect(retentionMs('1h')).toBe(HOUR);
		expect(retentionMs('1d')).toBe(DAY);
		expect(retentionMs('7d')).toBe(7 * DAY);
		expect(retentionMs('30d')).toBe(30 * DAY);
		expect(retentionMs('session')).toBeNull();
		expect(retentionMs('forever')).toBeNull();
		expect(isRetentionPolicy('7d')).toBe(true);
		expect(isRetentionPolicy('8d')).toBe(false);
	});

	it('expires exactly at savedAt + duration', () => {
		const i = item();
		expect(expiryOf(i, '7d')).toEqual({ kind: 'at', time: i.savedAt + 7 * DAY });
		expect(isExpired(i, '7d', i.savedAt + 7 * DAY - 1, new Set())).toBe(false);
		expect(isExpired(i, '7d', i.savedAt + 7 * DAY, new Set())).toBe(true);
		expect(isExpired(i, '1h', i.savedAt + HOUR + 5, new Set())).toBe(true);
	});

	it('changing the setting changes the expiry of existing items', () => {
		const i = item();
		const now = i.savedAt + 2 * DAY;
		expect(isExpired(i, '7d', now, new Set())).toBe(false);
		expect(isExpired(i, '1d', now, new Set())).toBe(true);
		expect(isExpired(i, '30d', now, new Set())).toBe(false);
	});

	it('"keep until I delete" and "forever" never expire', () => {
		expect(isExpired(item({ keep: true }), '1h', Number.MAX_SAFE_INTEGER, new Set())).toBe(false);
		expect(isExpired(item(), 'forever', Number.MAX_SAFE_INTEGER, new Set())).toBe(false);
		expect(isExpired(item({ keep: true }), 'session', 0, new Set())).toBe(false);
	});

	it('"when the tab closes" expires once the owning tab is gone, whatever the clock says', () => {
		expect(isExpired(item(), 'session', 0, new Set(['tab-a']))).toBe(false);
		expect(isExpired(item(), 'session', 0, new Set(['tab-b']))).toBe(true);
	});

	it('describes the expiry for people', () => {
		const i = item();
		expect(describeExpiry(i, '7d', i.savedAt, 'tab-a')).toMatch(/^Deleted in 7 days \(/);
		expect(describeExpiry(i, '1h', i.savedAt + 20 * 60_000, 'tab-a')).toMatch(/^Deleted in 40 minutes/);
		expect(describeExpiry(i, 'session', 0, 'tab-a')).toBe('Deleted when this tab closes');
		expect(describeExpiry(i, 'session', 0, 'tab-b')).toBe('Deleted when the tab that made it closes');
		expect(describeExpiry(item({ keep: true }), '7d', 0, 'tab-a')).toBe('Kept until you delete it');
		expect(formatRemaining(30_000)).toBe('in less than a minute');
		expect(formatRemaining(60_000)).toBe('in 1 minute');
		expect(formatRemaining(3 * HOUR)).toBe('in 3 hours');
		expect(formatRemaining(DAY + HOUR)).toBe('in 25 hours');
		expect(formatRemaining(2 * DAY)).toBe('in 2 days');
		expect(formatRemaining(7 * DAY - 60_000)).toBe('in 7 days');
		expect(formatRemaining(6.4 * DAY)).toBe('in 6 days');
		expect(formatRemaining(90_000)).toBe('in 2 minutes');
		expect(formatRemaining(-1)).toBe('now');
	});
});
