export function formatDuration(seconds: number | null): string {
	if (seconds === null || !Number.isFinite(seconds)) return '–';
	const s = Math.max(0, Math.round(seconds));
	const m = Math.floor(s / 60);
	return `${m}:${String(s % 60).padStart(2, '0')}`;
}
