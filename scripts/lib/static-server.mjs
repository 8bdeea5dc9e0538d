// The request handler of scripts/serve.mjs: the production build served as a static host would,
// with the app's security headers (src/lib/security/headers.js: cross-origin isolation, CSP,
// nosniff, referrer and permissions policies), precompressed .br/.gz files, and /api/* forwarded
// to a local license function when asked to.
import { request } from 'node:http';
import { extname } from 'node:path';
import sirv from 'sirv';
import { CONTENT_TYPES, cspDirectives, securityHeaders } from '../../src/lib/security/headers.js';

/**
 * A page (an HTML document) rather than a file: `/`, `/privacy/`, `/privacy`, `/x.html`.
 * @param {string} pathname
 */
export function isPagePath(pathname) {
	const last = pathname.split('/').pop() ?? '';
	return last === '' || last.endsWith('.html') || !last.includes('.');
}

/**
 * @param {{ dir: string, apiProxy?: URL | null, licenseApi?: string, noApi?: (res: import('node:http').ServerResponse) => void }} options
 *   licenseApi: VITE_LICENSE_API of the build, when it is another origin (added to connect-src);
 *   noApi: what /api/* answers without a proxy (else: not found)
 * @returns {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void}
 */
export function staticHandler({ dir, apiProxy = null, licenseApi, noApi }) {
	const directives = cspDirectives({ licenseApi });
	const page = securityHeaders('page', directives);
	const file = securityHeaders('file', directives);
	const assets = sirv(dir, {
		dev: false,
		etag: true,
		single: false,
		extensions: ['html'],
		brotli: true,
		gzip: true,
		setHeaders(res, pathname) {
			const type = CONTENT_TYPES[/** @type {keyof typeof CONTENT_TYPES} */ (extname(pathname))];
			if (type) res.setHeader('Content-Type', type);
		}
	});
	return (req, res) => {
		const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
		const api = pathname.startsWith('/api/');
		for (const [name, value] of Object.entries(!api && isPagePath(pathname) ? page : file)) res.setHeader(name, value);
		if (apiProxy && api) {
			const upstream = request(new URL(req.url ?? '/', apiProxy), { method: req.method, headers: { ...req.headers, host: apiProxy.host, 'cf-connecting-ip': req.socket.remoteAddress ?? '' } }, (r) => {
				res.writeHead(r.statusCode ?? 502, r.headers);
				r.pipe(res);
			});
			upstream.on('error', () => res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"unreachable","message":"The license service is not running."}}'));
			return void req.pipe(upstream);
		}
		if (noApi && api) return noApi(res);
		// The service worker must never be served stale, or updates would not be noticed.
		if (pathname === '/service-worker.js') res.setHeader('Cache-Control', 'no-cache');
		assets(req, res, () => {
			res.statusCode = 404;
			res.setHeader('Content-Type', 'text/plain; charset=utf-8');
			res.end('Not found');
		});
	};
}
