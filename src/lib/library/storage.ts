/** Storage space and persistence (navigator.storage), and recognising a full disk. */
export interface StorageInfo {
	usage: number | null;
	quota: number | null;
	persisted: boolean | null;
}

export async function storageInfo(): Promise<StorageInfo> {
	const s = typeof navigator !== 'undefined' ? navigator.storage : undefined;
	const estimate = s?.estimate ? await s.estimate().catch(() => ({}) as StorageEstimate) : ({} as StorageEstimate);
	const persisted = s?.persisted ? await s.persisted().catch(() => null) : null;
	return { usage: estimate.usage ?? null, quota: estimate.quota ?? null, persisted };
}

/** Asks the browser not to evict this site's data under storage pressure. */
export async function requestPersistence(): Promise<boolean> {
	return (await navigator.storage?.persist?.()) ?? false;
}

/** A full disk / exceeded quota, however the browser words it. */
export function isQuotaError(e: unknown): boolean {
	if (!(e instanceof Error || e instanceof DOMException)) return false;
	return e.name === 'QuotaExceededError' || (e as DOMException).code === 22 || /quota/i.test(e.message);
}

export function formatBytes(bytes: number | null): string {
	if (bytes === null || !Number.isFinite(bytes)) return '–';
	const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
	let v = bytes;
	let u = 0;
	while (v >= 1000 && u < units.length - 1) {
		v /= 1000;
		u++;
	}
	return u === 0 ? `${Math.round(v)} ${units[0]}` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
