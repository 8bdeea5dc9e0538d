import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';
// build/, or STEMSAFE_BUILD_DIR: npm test builds into build-test/ so a running npm start keeps its build
import { BUILD_DIR } from './scripts/lib/build-dir.mjs';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ pages: BUILD_DIR, assets: BUILD_DIR, fallback: undefined, precompress: false, strict: true }),
		// Registered by src/lib/runtime/pwa.ts through workbox-window, so updates can be surfaced in the UI.
		serviceWorker: { register: false }
	}
};

export default config;
