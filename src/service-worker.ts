/// <reference types="@sveltejs/kit" />
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/**
 * Offline support: precaches the app shell and the worker bundles at install and serves them
 * cache-first. The large runtime files (onnxruntime-web's .wasm, bundled models) are not
 * precached: the separation worker downloads the one it needs once and keeps it in
 * RUNTIME_CACHE (src/lib/runtime/asset-cache.ts), which this worker also serves and prunes.
 * Never caches anything but our own static files (user audio is never fetched).
 *
 * Hosts that cannot send COOP/COEP headers: responses served here get them added, so after
 * the first load the page is cross-origin isolated anyway (src/lib/runtime/pwa.ts reloads once).
 * They get the rest of the app's security headers with them (src/lib/security/headers.js).
 */
import { build, files, prerendered, version } from '$service-worker';
import { RUNTIME_CACHE } from '$lib/runtime/asset-cache';
import { cspDirectives, securityHeaders } from '$lib/security/headers.js';

const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = `stemsafe-${version}`;
const scope = location.pathname.split('/').slice(0, -1).join('/');
// Worker bundles are not in `build`; scripts/precache-workers.mjs fills this in after the build.
const WORKER_ASSETS = '__STEMSAFE_WORKER_ASSETS__'
	.split(',')
	.filter((a) => a.startsWith('_app/'))
	.map((a) => `${scope}/${a}`);
const isRuntimeAsset = (path: string) => /\.(wasm|onnx)$/.test(path);
const ALL = [...build, ...files, ...prerendered, ...WORKER_ASSETS].filter((p) => !p.endsWith('/_headers'));
const ASSETS = new Set(ALL.filter((p) => !isRuntimeAsset(p)));
const RUNTIME_ASSETS = new Set(ALL.filter(isRuntimeAsset));
const SHELL = prerendered.find((p) => p.endsWith('/')) ?? '/';

sw.addEventListener('install', (event) => {
	event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll([...ASSETS])));
});

sw.addEventListener('activate', (event) => {
	event.waitUntil(
		(async () => {
			for (const key of await caches.keys()) if (key !== CACHE && key !== RUNTIME_CACHE) await caches.delete(key);
			// Runtime files of earlier versions (content-hashed names, replaced models) go.
			const runtime = await caches.open(RUNTIME_CACHE);
			for (const request of await runtime.keys()) {
				if (!RUNTIME_ASSETS.has(new URL(request.url).pathname)) await runtime.delete(request);
			}
			await sw.clients.claim();
		})()
	);
});

sw.addEventListener('message', (event) => {
	if (event.data?.type === 'SKIP_WAITING') void sw.skipWaiting();
});

const directives = cspDirectives({ licenseApi: import.meta.env.VITE_LICENSE_API });
const headersFor = { page: securityHeaders('page', directives), file: securityHeaders('file', directives) };

/** A response from a host that sent no isolation headers gets them, with the other security headers. */
function isolated(response: Response, request: Request): Response {
	if (response.status === 0 || response.type === 'opaque' || response.headers.get('Cross-Origin-Embedder-Policy')) return response;
	const headers = new Headers(response.headers);
	for (const [name, value] of Object.entries(headersFor[request.mode === 'navigate' ? 'page' : 'file'])) {
		if (!headers.has(name) || name.startsWith('Cross-Origin-')) headers.set(name, value);
	}
	return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

sw.addEventListener('fetch', (event) => {
	const request = event.request;
	const url = new URL(request.url);
	if (request.method !== 'GET' || url.origin !== location.origin) return;
	event.respondWith(
		(async () => {
			if (ASSETS.has(url.pathname)) {
				const hit = await (await caches.open(CACHE)).match(url.pathname);
				if (hit) return isolated(hit, request);
			}
			if (RUNTIME_ASSETS.has(url.pathname)) {
				const hit = await (await caches.open(RUNTIME_CACHE)).match(url.pathname);
				if (hit) return isolated(hit, request);
			}
			// A deep link (/some/path?x) is not a page of this single-page app: send the browser to the
			// app shell, keeping the query, when the network fails (offline) or has no such page.
			// Serving the shell under the deep URL would break its relative asset URLs.
			const toShell = async () =>
				(await (await caches.open(CACHE)).match(SHELL)) ? Response.redirect(new URL(SHELL, location.origin).href + url.search, 302) : null;
			try {
				const response = await fetch(request);
				if (request.mode === 'navigate' && response.status === 404) return (await toShell()) ?? response;
				return isolated(response, request);
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
