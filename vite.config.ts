import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
	plugins: [sveltekit()],
	worker: { format: 'es' },
	optimizeDeps: { exclude: ['onnxruntime-web', '@echogarden/pffft-wasm'] },
	test: {
		include: ['tests/unit/**/*.test.ts', 'tests/edge/**/*.test.ts'],
		environment: 'node',
		testTimeout: 60_000
	}
});
