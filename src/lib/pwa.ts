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
		})
		.catch(() => onState('error'));
	return wb;
}

/** Activates a waiting service worker and reloads into the new version. */
export function applyUpdate(wb: Workbox): void {
	wb.addEventListener('controlling', () => location.reload());
	wb.messageSkipWaiting();
}
