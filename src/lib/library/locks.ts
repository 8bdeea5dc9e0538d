/**
 * Coordination between tabs: one Web Lock serialises every change to the library's index
 * and files; each tab holds a lock named after itself for its lifetime, so any tab can
 * tell which tabs are still open (for "delete when the tab closes" and interrupted jobs).
 */
const INDEX_LOCK = 'stemsafe-library-index';
const TAB_LOCK_PREFIX = 'stemsafe-tab:';

const locks = (): LockManager | null => (typeof navigator !== 'undefined' && navigator.locks) || null;

/** Runs `fn` while holding the library lock (all tabs of this origin queue on it). */
export async function withIndexLock<T>(fn: () => Promise<T>): Promise<T> {
	const manager = locks();
	if (!manager) return fn();
	return manager.request(INDEX_LOCK, { mode: 'exclusive' }, fn) as Promise<T>;
}

/** Holds a presence lock (a tab id or a page-load id) until the page goes away. */
export function holdPresence(tabId: string): void {
	void locks()?.request(TAB_LOCK_PREFIX + tabId, { mode: 'exclusive' }, () => new Promise<void>(() => undefined));
}

/** Presence ids (tabs and page loads) that are open now, plus `self`. */
export async function alivePresence(self: string[]): Promise<Set<string>> {
	const alive = new Set(self);
	const manager = locks();
	if (!manager) return alive;
	const { held = [], pending = [] } = await manager.query();
	for (const l of [...held, ...pending]) if (l.name?.startsWith(TAB_LOCK_PREFIX)) alive.add(l.name.slice(TAB_LOCK_PREFIX.length));
	return alive;
}

/** Whether `aliveTabs` can be trusted (without Web Locks, other tabs are invisible). */
export const canSeeOtherTabs = (): boolean => locks() !== null;
