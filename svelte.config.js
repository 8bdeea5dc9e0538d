import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
// build/, or STEMSAFE_BUILD_DIR: npm test builds into build-test/ so a running npm start keeps its build
import { BUILD_DIR } from './scripts/lib/build-dir.mjs';
import { loadEnv } from 'vite';
import { cspDirectives } from './src/lib/security/headers.js';

// The license function's address (VITE_LICENSE_API, default /api): another origin joins connect-src.
const { VITE_LICENSE_API } = loadEnv(process.env.NODE_ENV === 'development' ? 'development' : 'production', process.cwd(), 'VITE_');

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ pages: BUILD_DIR, assets: BUILD_DIR, fallback: undefined, precompress: false, strict: true }),
		// Registered by src/lib/runtime/pwa.ts through workbox-window, so updates can be surfaced in the UI.
		serviceWorker: { register: false },
		// Content-Security-Policy of every page as a <meta> tag with the hash of SvelteKit's inline
		// bootstrap script (prerendered pages cannot carry nonces). frame-ancestors cannot be in a
		// <meta> policy (SvelteKit leaves it out there): the HTTP headers send it (src/lib/security/headers.js).
		csp: { mode: 'hash', directives: /** @type {any} */ (cspDirectives({ licenseApi: VITE_LICENSE_API })) }
	}
};

export default config;
