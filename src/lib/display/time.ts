export function formatDuration(seconds: number | null): string {
	if (seconds === null || !Number.isFinite(seconds)) return '–';
	const s = Math.max(0, Math.round(seconds));
	const m = Math.floor(s / 60);
	return `${m}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A playback time for a clip of `duration` seconds: short clips get fractions so a 0.3 s
 * clip does not read "0:00 / 0:00" ("0:00.25 / 0:00.30"); long ones m:ss.
 */
export function formatClock(seconds: number, duration: number): string {
	if (!Number.isFinite(seconds)) return '–';
	const digits = duration < 10 ? 2 : duration < 60 ? 1 : 0;
	const t = Math.max(0, seconds);
	const m = Math.floor(t / 60);
	const s = t - m * 60;
	const sec = digits ? s.toFixed(digits).padStart(3 + digits, '0') : String(Math.floor(s)).padStart(2, '0');
	return `${m}:${sec}`;
}

/** A clip's length in words: "0.25 s", "12.3 s", "3:05". */
export function formatLength(seconds: number | null): string {
	if (seconds === null || !Number.isFinite(seconds)) return '–';
	if (seconds < 10) return `${seconds.toFixed(seconds < 1 ? 2 : 1)} s`;
	return formatDuration(seconds);
}
