/**
 * Retention policy (pure): how long a finished song stays in the on-device library.
 * Each item keeps the retention it was saved with (`retention` on its record). Changing the
 * setting applies to songs saved afterwards; it reaches items already saved only when the user
 * applies it to them, after being told how many would be deleted now and their size
 * (planPolicyChange). Items saved before records carried their retention follow the setting
 * until it is next changed; they are then pinned to the setting they had. "Keep until I
 * delete" overrides all of this. Timed expiries also depend on a trusted clock (clock.ts).
 */
export type RetentionPolicy = 'session' | '1h' | '1d' | '7d' | '30d' | 'forever';

export const DEFAULT_RETENTION: RetentionPolicy = '7d';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const RETENTION_OPTIONS: { value: RetentionPolicy; label: string; ms: number | null }[] = [
	{ value: 'session', label: 'when this tab closes', ms: null },
	{ value: '1h', label: 'after 1 hour', ms: HOUR },
	{ value: '1d', label: 'after 1 day', ms: DAY },
	{ value: '7d', label: 'after 7 days', ms: 7 * DAY },
	{ value: '30d', label: 'after 30 days', ms: 30 * DAY },
	{ value: 'forever', label: 'never (keep until I delete)', ms: null }
];

export function isRetentionPolicy(v: unknown): v is RetentionPolicy {
	return RETENTION_OPTIONS.some((o) => o.value === v);
}

const optionOf = (policy: RetentionPolicy) => RETENTION_OPTIONS.find((o) => o.value === policy);

export function retentionMs(policy: RetentionPolicy): number | null {
	return optionOf(policy)?.ms ?? null;
}

/** How the setting reads after "deleted", e.g. "after 7 days". */
export function retentionLabel(policy: RetentionPolicy): string {
	return optionOf(policy)?.label ?? policy;
}

/** What decides when one item goes. */
export type Expiry =
	| { kind: 'at'; time: number } // a moment on the clock
	| { kind: 'tab-close'; ownerTab: string } // when the tab that made it closes
	| { kind: 'never' };

export interface RetainedItem {
	savedAt: number;
	ownerTab: string;
	keep: boolean;
	/** The retention the item was saved with (absent on items saved before records carried it: the setting applies). */
	retention?: RetentionPolicy;
}

/** `policy`: the setting, for items that carry no retention of their own. */
export function expiryOf(item: RetainedItem, fallback: RetentionPolicy): Expiry {
	const policy = item.retention ?? fallback;
	if (item.keep || policy === 'forever') return { kind: 'never' };
	if (policy === 'session') return { kind: 'tab-close', ownerTab: item.ownerTab };
	return { kind: 'at', time: item.savedAt + retentionMs(policy)! };
}

/** Whether the item is due for deletion now. `aliveTabs` are the tabs still open (Web Locks). */
export function isExpired(item: RetainedItem, policy: RetentionPolicy, now: number, aliveTabs: ReadonlySet<string>): boolean {
	return dueState(item, policy, { now, trusted: now }, aliveTabs) === 'delete';
}

/** The wall clock now, and the latest time the library vouches for (clock.ts; at most `now`). */
export interface RetentionClock {
	now: number;
	trusted: number;
}

/**
 * What auto-delete does with one item: 'delete' it, 'keep' it, or 'ask' — it is due by the wall
 * clock but not by the time the library vouches for (the clock jumped forward), so only the
 * user may delete it. A closed tab's items do not depend on the clock.
 */
export function dueState(item: RetainedItem, policy: RetentionPolicy, clock: RetentionClock, aliveTabs: ReadonlySet<string>): 'delete' | 'keep' | 'ask' {
	const e = expiryOf(item, policy);
	if (e.kind === 'tab-close') return aliveTabs.has(e.ownerTab) ? 'keep' : 'delete';
	if (e.kind === 'never' || clock.now < e.time) return 'keep';
	return e.time <= clock.trusted ? 'delete' : 'ask';
}

/** A saved item as a setting change sees it. */
export interface PolicyItem extends RetainedItem {
	id: string;
	bytes: number;
}

export interface ItemCount {
	ids: string[];
	bytes: number;
}

export interface PolicyChange {
	from: RetentionPolicy;
	to: RetentionPolicy;
	/** Saved items whose retention the change would alter if applied to them (not "keep", not already on `to`). */
	saved: ItemCount;
	/** Of those, the ones applying the change would delete now. */
	deleteNow: ItemCount;
}

const count = (items: PolicyItem[]): ItemCount => ({ ids: items.map((i) => i.id), bytes: items.reduce((n, i) => n + i.bytes, 0) });

/**
 * What changing the setting from `from` to `to` means for the items saved so far, for the
 * question the user answers. Applied to them, "when this tab closes" hands them to this tab
 * (deleted when it closes, not now); a timed choice deletes the ones already older than it.
 */
export function planPolicyChange(items: PolicyItem[], from: RetentionPolicy, to: RetentionPolicy, now: number, thisTab: string): PolicyChange {
	const saved = items.filter((i) => !i.keep && (i.retention ?? from) !== to);
	const deleteNow = saved.filter((i) => {
		const e = expiryOf(applyPolicy(i, to, thisTab), to);
		return e.kind === 'at' && e.time <= now;
	});
	return { from, to, saved: count(saved), deleteNow: count(deleteNow) };
}

/** An item with the retention `to` applied to it ("when this tab closes": this tab's). */
export function applyPolicy<T extends RetainedItem>(item: T, to: RetentionPolicy, thisTab: string): T {
	return { ...item, retention: to, ...(to === 'session' ? { ownerTab: thisTab } : {}) };
}

/** "in 6 days", "in 3 hours", "in 12 minutes", "in less than a minute". */
export function formatRemaining(ms: number): string {
	if (ms <= 0) return 'now';
	return ms < 60_000 ? 'in less than a minute' : `in ${formatSpan(ms)}`;
}

/** "6 days", "3 hours", "12 minutes", rounded to the nearest unit ("less than a minute" below one). */
export function formatSpan(ms: number): string {
	if (ms < 60_000) return 'less than a minute';
	const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
	if (ms < 2 * HOUR) return plural(Math.round(ms / 60_000), 'minute');
	if (ms < 2 * DAY) return plural(Math.round(ms / HOUR), 'hour');
	return plural(Math.round(ms / DAY), 'day');
}

/** The sentence shown on each item. */
export function describeExpiry(item: RetainedItem, policy: RetentionPolicy, now: number, thisTab: string): string {
	const e = expiryOf(item, policy);
	if (e.kind === 'never') return item.keep ? 'Kept until you delete it' : 'Kept until you delete it (retention setting)';
	if (e.kind === 'tab-close') {
		return e.ownerTab === thisTab ? 'Deleted when this tab closes' : 'Deleted when the tab that made it closes';
	}
	return `Deleted ${formatRemaining(e.time - now)} (${new Date(e.time).toLocaleString()})`;
}
