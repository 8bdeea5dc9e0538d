import { readFileSync } from 'node:fs';
import { sveltekit } from '@sveltejs/kit/vite';
import { loadEnv, type Plugin } from 'vite';
import { defineConfig } from 'vitest/config';
import { resolveLicenseBuild } from './scripts/lib/license-build';

/**
 * The license public key the app embeds; a production build refuses the committed TEST key
 * (scripts/lib/license-build.ts). The refusal is raised when a build starts, so tools that only
 * read this config (svelte-check) are not stopped by it.
 */
function licenseKey(): Plugin {
	let refusal: Error | null = null;
	return {
		name: 'stemsafe-license-key',
		config(config, { command, mode }) {
			const testPublicKey = JSON.parse(readFileSync(new URL('./tests/edge/test-keys.json', import.meta.url), 'utf8')).TEST_LICENSE_PUBLIC_KEY;
			const env = loadEnv(mode, config.envDir || config.root || process.cwd(), ['VITE_', 'STEMSAFE_']);
			let values: Record<string, string>;
			try {
				const { publicKey, testBuild } = resolveLicenseBuild({ command, mode, env, testPublicKey });
				values = { VITE_LICENSE_PUBLIC_KEY: publicKey, VITE_LICENSE_TEST_BUILD: String(testBuild) };
			} catch (e) {
				refusal = e as Error;
				values = { VITE_LICENSE_PUBLIC_KEY: '', VITE_LICENSE_TEST_BUILD: 'false' };
			}
			return {
				define: Object.fromEntries(Object.entries(values).map(([k, v]) => [`import.meta.env.${k}`, JSON.stringify(v)])),
				// vitest reads import.meta.env from its own env, not from define
				test: { env: values }
			};
		},
		buildStart() {
			if (refusal) throw refusal;
		}
	};
}

export default defineConfig({
	plugins: [licenseKey(), sveltekit()],
	worker: { format: 'es' },
	optimizeDeps: { exclude: ['onnxruntime-web', '@echogarden/pffft-wasm'] },
	test: {
		include: ['tests/unit/**/*.test.ts', 'tests/edge/**/*.test.ts'],
		environment: 'node',
		testTimeout: 60_000
	}
});
