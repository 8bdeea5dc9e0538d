/**
 * Retention policy (pure): how long a finished song stays in the on-device library.
 * The setting applies to every item the user has not marked "keep until I delete";
 * changing it changes the expiry of existing items too.
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
}

export function expiryOf(item: RetainedItem, policy: RetentionPolicy): Expiry {
	if (item.keep || policy === 'forever') return { kind: 'never' };
	if (policy === 'session') return { kind: 'tab-close', ownerTab: item.ownerTab };
	return { kind: 'at', time: item.savedAt + retentionMs(policy)! };
}

/** Whether the item is due for deletion now. `aliveTabs` are the tabs still open (Web Locks). */
export function isExpired(item: RetainedItem, policy: RetentionPolicy, now: number, aliveTabs: ReadonlySet<string>): boolean {
	const e = expiryOf(item, policy);
	if (e.kind === 'at') return now >= e.time;
	if (e.kind === 'tab-close') return !aliveTabs.has(e.ownerTab);
	return false;
}

/** "in 6 days", "in 3 hours", "in 12 minutes", "in less than a minute". */
export function formatRemaining(ms: number): string {
	if (ms <= 0) return 'now';
	const minutes = Math.floor(ms / 60_000);
	if (minutes < 1) return 'in less than a minute';
	const plural = (n: number, unit: string) => `in ${n} ${unit}${n === 1 ? '' : 's'}`;
	// Rounded to the nearest unit (the exact date is shown next to it).
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
