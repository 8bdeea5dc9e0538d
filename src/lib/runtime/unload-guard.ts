/**
 * The browser's "Leave site? Changes you made may not be saved." question while `busy()` says
 * that leaving now would lose work (a song being separated or saved). Returns the remover.
 */
export function warnBeforeUnload(target: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>, busy: () => boolean): () => void {
	const listener = (e: Event) => {
		if (!busy()) return;
		e.preventDefault();
		if (typeof BeforeUnloadEvent !== 'undefined' && e instanceof BeforeUnloadEvent) e.returnValue = ''; // older browsers ask only when this is set
	};
	target.addEventListener('beforeunload', listener);
	return () => target.removeEventListener('beforeunload', listener);
}
