// Serves the production build (build/) exactly as a static host would, on localhost only.
// usage: node scripts/serve.mjs [port]
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import sirv from 'sirv';

const dir = new URL('../build/', import.meta.url).pathname;
if (!existsSync(`${dir}index.html`)) {
	console.error('No build found: run `npm run build` first.');
	process.exit(1);
}
const port = Number(process.argv[2] ?? process.env.PORT ?? 4173);
const assets = sirv(dir, { dev: false, etag: true, single: false, extensions: ['html'] });
createServer((req, res) => {
	// The service worker must never be served stale, or updates would not be noticed.
	if (req.url?.startsWith('/service-worker.js')) res.setHeader('Cache-Control', 'no-cache');
	assets(req, res, () => {
		res.statusCode = 404;
		res.end('Not found');
	});
}).listen(port, '127.0.0.1', () => console.log(`Stemsafe: http://127.0.0.1:${port}/`));
