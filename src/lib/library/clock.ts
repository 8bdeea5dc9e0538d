/**
 * How far the library trusts the wall clock (pure). Timed retention deletes an item once the
 * clock passes its expiry, so a clock that jumps forward (set by hand, a wrong date after a
 * reboot, a bad time server) would delete the library by itself. The library therefore only
 * deletes without asking up to a time it can vouch for:
 *
 * - while a page is open, the wall clock's advance is checked against the page's monotonic
 *   clock (performance.now, which the wall clock cannot move): whatever the wall clock ran
 *   ahead of it, beyond IN_PAGE_TOLERANCE_MS, is a jump;
 * - between visits there is no monotonic clock. A gap of up to MAX_UNSEEN_MS since the last
 *   time a page vouched for the clock is accepted as time away (a forward jump that small cannot
 *   be told from it, and deletes only what that much time would have); a longer gap is not
 *   accepted at all, so a jump of months or years cannot empty the library: everything it would
 *   delete is asked about. While an earlier jump is unanswered (`doubt`), no unseen time is
 *   accepted either.
 *
 * Items due only through time nobody vouched for are asked about (count and size), never
 * deleted silently. A computer that sleeps with the tab open may stop the monotonic clock too:
 * that is asked about as well, which is safe.
 */
export const IN_PAGE_TOLERANCE_MS = 10 * 60_000;
export const MAX_UNSEEN_MS = 30 * 86_400_000;

/** One wall-clock reading with the page's monotonic clock at the same moment. */
export interface ClockReading {
	wall: number;
	mono: number;
}

/** What the library keeps between visits (settings database). */
export interface StoredClock {
	/** The latest wall-clock time a page vouched for. */
	trusted: number;
	/** Set while the wall clock is ahead of `trusted` and the user has not confirmed it. */
	doubt: boolean;
}

export interface ClockJudgement {
	/** Timed items due by this time go without asking. Never later than the wall clock. */
	trusted: number;
	/** How far the wall clock is ahead of `trusted` (0 when they agree). */
	ahead: number;
	/** The page's anchor for the next judgement. */
	anchor: ClockReading;
	/** What to keep for the next visit. */
	store: StoredClock;
}

export function isStoredClock(v: unknown): v is StoredClock {
	const c = v as StoredClock;
	return typeof c === 'object' && c !== null && Number.isFinite(c.trusted) && typeof c.doubt === 'boolean';
}

/**
 * `anchor`: this page's last judgement (null on a page's first); `stored`: the last visit's
 * (null if none; another open tab may have written it since, e.g. after the user confirmed).
 */
export function judgeClock(now: ClockReading, anchor: ClockReading | null, stored: StoredClock | null): ClockJudgement {
	let vouched: number;
	if (anchor) vouched = anchor.wall + Math.max(0, now.mono - anchor.mono);
	else if (stored) vouched = stored.doubt || now.wall - stored.trusted > MAX_UNSEEN_MS ? stored.trusted : now.wall;
	else vouched = now.wall; // nothing to compare with (a first visit)
	// another tab vouched for a later time (it saw the time pass, or the user confirmed the clock)
	if (stored && !stored.doubt) vouched = Math.max(vouched, stored.trusted);
	const consistent = now.wall <= vouched + (anchor ? IN_PAGE_TOLERANCE_MS : 0);
	if (consistent) return { trusted: now.wall, ahead: 0, anchor: now, store: { trusted: now.wall, doubt: false } };
	return { trusted: vouched, ahead: now.wall - vouched, anchor: { wall: vouched, mono: now.mono }, store: { trusted: vouched, doubt: true } };
}

/** The user confirmed the clock: it is trusted from now on. */
export function confirmClock(now: ClockReading): Pick<ClockJudgement, 'anchor' | 'store'> {
	return { anchor: now, store: { trusted: now.wall, doubt: false } };
}
