import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// COOP/COEP make the page cross-origin isolated, which lets onnxruntime-web use
// multi-threaded WASM (SharedArrayBuffer). The service worker adds the same headers
// when the app is served from a static host that cannot set them.
const isolation = {
	'Cross-Origin-Opener-Policy': 'same-origin',
	'Cross-Origin-Embedder-Policy': 'require-corp'
};

export default defineConfig({
	plugins: [sveltekit()],
	server: { headers: isolation },
	preview: { headers: isolation },
	worker: { format: 'es' },
	optimizeDeps: { exclude: ['onnxruntime-web'] },
	test: {
		include: ['tests/unit/**/*.test.ts'],
		environment: 'node',
		testTimeout: 60_000
	}
});
