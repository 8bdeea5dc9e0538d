import { describe, expect, it } from 'vitest';
import {
	applyPolicy,
	describeExpiry,
	dueState,
	expiryOf,
	formatRemaining,
	isExpired,
	isRetentionPolicy,
	planPolicyChange,
	retentionMs,
	type PolicyItem,
	type RetentionPolicy
} from '../../src/lib/library/retention';
import { IN_PAGE_TOLERANCE_MS, MAX_UNSEEN_MS, confirmClock, isStoredClock, judgeClock } from '../../src/lib/library/clock';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const item = (over: Partial<{ savedAt: number; ownerTab: string; keep: boolean; retention: RetentionPolicy }> = {}) => ({
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

describe('each item keeps the retention it was saved with', () => {
	it('a later setting does not change the expiry of an item that carries its own', () => {
		const i = item({ retention: '7d' });
		const now = i.savedAt + 2 * DAY;
		expect(expiryOf(i, '1h')).toEqual({ kind: 'at', time: i.savedAt + 7 * DAY });
		expect(isExpired(i, '1h', now, new Set())).toBe(false);
		// "when this tab closes" chosen in a new tab: items of closed tabs saved under 7 days stay
		expect(isExpired(i, 'session', now, new Set(['new-tab']))).toBe(false);
		expect(describeExpiry(i, 'session', now, 'new-tab')).toMatch(/^Deleted in 5 days/);
	});

	it('an item saved under "when this tab closes" goes when its tab closes, whatever the setting is now', () => {
		const i = item({ retention: 'session', ownerTab: 'tab-a' });
		expect(isExpired(i, 'forever', 0, new Set(['tab-a']))).toBe(false);
		expect(isExpired(i, 'forever', 0, new Set(['tab-b']))).toBe(true);
	});
});

const saved = (id: string, over: Partial<PolicyItem> = {}): PolicyItem => ({ id, savedAt: 0, ownerTab: 'old-tab', keep: false, bytes: 1000, retention: '7d', ...over });

describe('changing the setting: what it would delete, before anything is deleted', () => {
	it('"when this tab closes" in a new tab lists the saved songs with their size, and applying it deletes none of them now', () => {
		const items = [saved('a', { bytes: 1_411_200 }), saved('b', { bytes: 2_000_000 }), saved('kept', { keep: true })];
		const change = planPolicyChange(items, '7d', 'session', 2 * HOUR, 'new-tab');
		expect(change.saved).toEqual({ ids: ['a', 'b'], bytes: 3_411_200 });
		expect(change.deleteNow).toEqual({ ids: [], bytes: 0 });
		// applied, they belong to the new tab: deleted when it closes, not now
		const applied = applyPolicy(items[0], 'session', 'new-tab');
		expect(applied).toMatchObject({ retention: 'session', ownerTab: 'new-tab' });
		expect(dueState(applied, 'session', { now: 2 * HOUR, trusted: 2 * HOUR }, new Set(['new-tab']))).toBe('keep');
	});

	it('a shorter timed setting names exactly the songs it would delete now, and their size', () => {
		const items = [saved('old', { savedAt: 0, bytes: 500 }), saved('new', { savedAt: 3 * DAY, bytes: 700 }), saved('same', { retention: '1d', savedAt: 0 })];
		const change = planPolicyChange(items, '7d', '1d', 3 * DAY + HOUR, 'tab');
		expect(change.saved.ids).toEqual(['old', 'new']); // 'same' is on 1 day already
		expect(change.deleteNow).toEqual({ ids: ['old'], bytes: 500 });
		expect(planPolicyChange(items, '7d', 'forever', 100 * DAY, 'tab').deleteNow.ids).toEqual([]);
	});

	it('items saved before records carried their retention count with the setting they had', () => {
		const legacy = saved('legacy', { retention: undefined, savedAt: 0 });
		expect(planPolicyChange([legacy], '7d', '7d', DAY, 't').saved.ids).toEqual([]);
		expect(planPolicyChange([legacy], '7d', '1h', DAY, 't').deleteNow.ids).toEqual(['legacy']);
	});
});

describe('auto-delete on a clock it can vouch for', () => {
	const i = item({ retention: '7d' });
	const due = i.savedAt + 7 * DAY;

	it('deletes what is due by the trusted time, asks about what is due only by a clock that ran ahead', () => {
		expect(dueState(i, '7d', { now: due, trusted: due }, new Set())).toBe('delete');
		expect(dueState(i, '7d', { now: due + DAY, trusted: due - 1 }, new Set())).toBe('ask');
		expect(dueState(i, '7d', { now: due - 1, trusted: due - 1 }, new Set())).toBe('keep');
		expect(dueState(item({ keep: true }), '1h', { now: 1e15, trusted: 0 }, new Set())).toBe('keep');
		// a closed tab's items do not depend on the clock
		expect(dueState(item({ retention: 'session' }), '7d', { now: 0, trusted: 0 }, new Set())).toBe('delete');
	});
});

describe('judging the clock', () => {
	const T = Date.UTC(2026, 10, 23, 9);
	const MIN = 60_000;

	it('a first visit has nothing to compare with: the clock is taken as it is', () => {
		const j = judgeClock({ wall: T, mono: 5 }, null, null);
		expect(j).toMatchObject({ trusted: T, ahead: 0, store: { trusted: T, doubt: false } });
	});

	it('in a page, wall time that moves with the monotonic clock is trusted (and so is a small drift)', () => {
		const anchor = { wall: T, mono: 1000 };
		expect(judgeClock({ wall: T + 7 * DAY, mono: 1000 + 7 * DAY }, anchor, null)).toMatchObject({ trusted: T + 7 * DAY, ahead: 0 });
		expect(judgeClock({ wall: T + MIN + IN_PAGE_TOLERANCE_MS, mono: 1000 + MIN }, anchor, null).ahead).toBe(0);
	});

	it('in a page, a forward jump of the wall clock is not trusted: only the monotonic time that passed is', () => {
		const anchor = { wall: T, mono: 1000 };
		const j = judgeClock({ wall: T + 8 * DAY, mono: 1000 + MIN }, anchor, { trusted: T, doubt: false });
		expect(j.trusted).toBe(T + MIN);
		expect(j.ahead).toBe(8 * DAY - MIN);
		expect(j.store).toEqual({ trusted: T + MIN, doubt: true });
		// a minute later it is still ahead, and the trusted time has moved one minute (the tolerance does not pile up)
		const k = judgeClock({ wall: T + 8 * DAY + MIN, mono: 1000 + 2 * MIN }, j.anchor, j.store);
		expect(k.trusted).toBe(T + 2 * MIN);
		expect(k.ahead).toBe(8 * DAY - MIN);
		// a 7-day item saved at T is due by the wall clock but not by the trusted time: asked, not deleted
		expect(dueState({ savedAt: T, ownerTab: 't', keep: false, retention: '7d' }, '7d', { now: T + 8 * DAY + MIN, trusted: k.trusted }, new Set())).toBe('ask');
	});

	it('the clock set back to the right time is trusted again', () => {
		const anchor = { wall: T + MIN, mono: 2000 };
		const j = judgeClock({ wall: T + 2 * MIN, mono: 2000 + MIN }, anchor, { trusted: T + MIN, doubt: true });
		expect(j).toMatchObject({ trusted: T + 2 * MIN, ahead: 0, store: { doubt: false } });
	});

	it('between visits, up to 30 days away is accepted; a longer gap is not trusted at all, so it cannot empty the library', () => {
		const stored = { trusted: T, doubt: false };
		expect(judgeClock({ wall: T + 8 * DAY, mono: 3 }, null, stored)).toMatchObject({ trusted: T + 8 * DAY, ahead: 0 });
		expect(judgeClock({ wall: T + MAX_UNSEEN_MS, mono: 3 }, null, stored).ahead).toBe(0);
		const far = judgeClock({ wall: T + 400 * DAY, mono: 3 }, null, stored);
		expect(far).toMatchObject({ trusted: T, ahead: 400 * DAY, store: { trusted: T, doubt: true } });
		expect(MAX_UNSEEN_MS).toBe(retentionMs('30d'));
		// every timed item saved before the jump is asked about, none deleted: 1 hour, 7 days, 30 days
		const clock = { now: T + 400 * DAY, trusted: far.trusted };
		for (const retention of ['1h', '7d', '30d'] as const) {
			expect(dueState({ savedAt: T - 60_000, ownerTab: 't', keep: false, retention }, '7d', clock, new Set())).toBe('ask');
		}
	});

	it('while an earlier jump is unanswered, no unseen time is accepted on the next visit', () => {
		const j = judgeClock({ wall: T + 8 * DAY, mono: 3 }, null, { trusted: T, doubt: true });
		expect(j).toMatchObject({ trusted: T, ahead: 8 * DAY, store: { trusted: T, doubt: true } });
	});

	it('a clock that went back is trusted (going back deletes nothing)', () => {
		expect(judgeClock({ wall: T - DAY, mono: 3 }, null, { trusted: T, doubt: false })).toMatchObject({ trusted: T - DAY, ahead: 0 });
	});

	it('once the user confirms the clock in one tab, another tab that saw the jump trusts it too', () => {
		const lagging = { wall: T, mono: 1000 }; // this tab's anchor from before the jump
		const confirmed = confirmClock({ wall: T + 8 * DAY, mono: 50 }); // in the other tab
		expect(confirmed.store).toEqual({ trusted: T + 8 * DAY, doubt: false });
		expect(judgeClock({ wall: T + 8 * DAY + MIN, mono: 1000 + 2 * MIN }, lagging, confirmed.store)).toMatchObject({ ahead: 0, trusted: T + 8 * DAY + MIN });
	});

	it('reads back only a well-formed stored clock', () => {
		expect(isStoredClock({ trusted: T, doubt: false })).toBe(true);
		expect(isStoredClock({ trusted: 'x', doubt: false })).toBe(false);
		expect(isStoredClock({ trusted: T })).toBe(false);
		expect(isStoredClock(null)).toBe(false);
	});
});
