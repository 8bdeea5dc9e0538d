// Serves the production build (build/) exactly as a static host would, on localhost only:
// precompressed .br/.gz files when the browser accepts them (scripts/compress.mjs writes
// them), the cross-origin isolation headers multi-threaded WebAssembly needs, and the app's
// security headers (src/lib/security/headers.js; the handler is scripts/lib/static-server.mjs).
// Without LICENSE_API_PROXY (npm start) /api/* says that purchases are not available in this local
// mode (scripts/lib/local-mode.mjs). usage: node scripts/serve.mjs [port]
import { createServer } from 'node:http';
import { existsSync } from 'node:fs';
import { BUILD_PATH } from './lib/build-dir.mjs';
import { answerLocalMode } from './lib/local-mode.mjs';
import { staticHandler } from './lib/static-server.mjs';

const dir = BUILD_PATH; // build/, or STEMSAFE_BUILD_DIR (npm test serves build-test/)
if (!existsSync(`${dir}index.html`)) {
	console.error('No build found: run `npm run build:test` (or `npm run build` with your license key) first.');
	process.exit(1);
}
const port = Number(process.argv[2] ?? process.env.PORT ?? 4173);
// LICENSE_API_PROXY=http://127.0.0.1:8791 forwards /api/* to a local license function (e2e, local dev),
// the way a deployment routes /api on the app's domain to the Cloudflare Worker.
const apiProxy = process.env.LICENSE_API_PROXY ? new URL(process.env.LICENSE_API_PROXY) : null;
createServer(staticHandler({ dir, apiProxy, licenseApi: process.env.VITE_LICENSE_API, noApi: answerLocalMode })).listen(port, '127.0.0.1', () =>
	console.log(`Stemsafe: http://127.0.0.1:${port}/`)
);
