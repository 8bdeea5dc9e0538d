/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Offline support: precaches the app shell, the onnxruntime-web binary and the bundled
 * models at install, then serves them cache-first. Never caches anything but our own
 * static files (user audio is never fetched, so it can never be cached).
 */
import { build, files, prerendered, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `stemsafe-${version}`;
// Worker bundles are not in `build`; scripts/precache-workers.mjs fills this in after the build.
const WORKER_ASSETS = '__STEMSAFE_WORKER_ASSETS__'
	.split(',')
	.filter((a) => a.startsWith('_app/'))
	.map((a) => `${location.pathname.split('/').slice(0, -1).join('/')}/${a}`);
const ASSETS = new Set([...build, ...files, ...prerendered, ...WORKER_ASSETS]);
const SHELL = prerendered.find((p) => p.endsWith('/')) ?? '/';

sw.addEventListener('install', (event) => {
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...ASSETS])));
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	if (event.data?.type === 'SKIP_WAITING') void sw.skipWaiting();
});

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	const url = new URL(request.url);
	if (request.method !== 'GET' || url.origin !== location.origin) return;
	event.respondWith(
		(async () => {
			const cache = await caches.open(CACHE);
			if (ASSETS.has(url.pathname)) {
				const hit = await cache.match(url.pathname);
				if (hit) return hit;
			}
			// A deep link (/some/path?x) is not a page of this single-page app: send the browser to the
			// app shell, keeping the query, when the network fails (offline) or has no such page.
			// Serving the shell under the deep URL would break its relative asset URLs.
			const toShell = async () => ((await cache.match(SHELL)) ? Response.redirect(new URL(SHELL, location.origin).href + url.search, 302) : null);
			try {
				const response = await fetch(request);
				if (request.mode === 'navigate' && response.status === 404) return (await toShell()) ?? response;
				return response;
			} catch (e) {
				if (request.mode === 'navigate') {
					const shell = await toShell();
					if (shell) return shell;
				}
				throw e;
			}
		})()
	);
});
