// Serves the production build (build/) exactly as a static host would, on localhost only:
// precompressed .br/.gz files when the browser accepts them (scripts/compress.mjs writes
// them), and the cross-origin isolation headers multi-threaded WebAssembly needs.
// Without LICENSE_API_PROXY (npm start) /api/* says that purchases are not available in this local
// mode (scripts/lib/local-mode.mjs). usage: node scripts/serve.mjs [port]
import { createServer, request } from 'node:http';
import { existsSync } from 'node:fs';
import { BUILD_PATH } from './lib/build-dir.mjs';
import { answerLocalMode } from './lib/local-mode.mjs';
import sirv from 'sirv';

const dir = BUILD_PATH; // build/, or STEMSAFE_BUILD_DIR (npm test serves build-test/)
if (!existsSync(`${dir}index.html`)) {
	console.error('No build found: run `npm run build` first.');
	process.exit(1);
}
const port = Number(process.argv[2] ?? process.env.PORT ?? 4173);
// LICENSE_API_PROXY=http://127.0.0.1:8791 forwards /api/* to a local license function (e2e, local dev),
// the way a deployment routes /api on the app's domain to the Cloudflare Worker.
const apiProxy = process.env.LICENSE_API_PROXY ? new URL(process.env.LICENSE_API_PROXY) : null;
const assets = sirv(dir, { dev: false, etag: true, single: false, extensions: ['html'], brotli: true, gzip: true });
createServer((req, res) => {
	// SharedArrayBuffer (WASM threads) needs a cross-origin isolated page. Keep in step with
	// static/_headers and the service worker's fallback (src/service-worker.ts).
	res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
	res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
	if (apiProxy && req.url?.startsWith('/api/')) {
		const upstream = request(new URL(req.url, apiProxy), { method: req.method, headers: { ...req.headers, host: apiProxy.host, 'cf-connecting-ip': req.socket.remoteAddress ?? '' } }, (r) => {
			res.writeHead(r.statusCode ?? 502, r.headers);
			r.pipe(res);
		});
		upstream.on('error', () => res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"unreachable","message":"The license service is not running."}}'));
		return void req.pipe(upstream);
	}
	if (req.url?.startsWith('/api/')) return answerLocalMode(res);
	// The service worker must never be served stale, or updates would not be noticed.
	if (req.url?.startsWith('/service-worker.js')) res.setHeader('Cache-Control', 'no-cache');
	assets(req, res, () => {
		res.statusCode = 404;
		res.end('Not found');
	});
}).listen(port, '127.0.0.1', () => console.log(`Stemsafe: http://127.0.0.1:${port}/`));
