/** Service worker registration (workbox-window) and the app's offline state. */
import { Workbox } from 'workbox-window';

export type OfflineState = 'unsupported' | 'installing' | 'ready' | 'update-available' | 'error';

export function registerServiceWorker(base: string, dev: boolean, onState: (s: OfflineState) => void): Workbox | null {
	if (!('serviceWorker' in navigator)) {
		onState('unsupported');
		return null;
	}
	const wb = new Workbox(`${base}/service-worker.js`, { type: dev ? 'module' : 'classic', scope: `${base}/` });
	wb.addEventListener('waiting', () => onState('update-available'));
	wb.register()
		.then(async () => {
			onState('installing');
			await navigator.serviceWorker.ready;
			onState('ready');
			reloadOnceForIsolation();
		})
		.catch(() => onState('error'));
	return wb;
}

/** Activates a waiting service worker and reloads into the new version. */
export function applyUpdate(wb: Workbox): void {
	wb.addEventListener('controlling', () => location.reload());
	wb.messageSkipWaiting();
}

/**
 * On a host that sends no COOP/COEP headers the service worker adds them, but only to pages it
 * serves: once it controls this page, one reload makes it cross-origin isolated (WASM threads).
 */
function reloadOnceForIsolation(): void {
	const key = 'stemsafe:isolation-reload';
	if (globalThis.crossOriginIsolated || !navigator.serviceWorker.controller || sessionStorage.getItem(key)) return;
	sessionStorage.setItem(key, '1');
	location.reload();
}
