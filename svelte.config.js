import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	kit: {
		adapter: adapter({ pages: 'build', assets: 'build', fallback: undefined, precompress: false, strict: true }),
		// Registered by src/lib/runtime/pwa.ts through workbox-window, so updates can be surfaced in the UI.
		serviceWorker: { register: false }
	}
};

export default config;
