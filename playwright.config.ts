import { defineConfig } from '@playwright/test';

// Debian's chromium (apt install chromium); Playwright's own browser downloads are not used.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The tests' own port (E2E_PORT lets several checkouts run side by side): never npm start's 4173,
// and a server already there is an error, never reused, so a running `npm start` (another build,
// no license service) cannot stand in for the tests' server. The build served is build/, or
// STEMSAFE_BUILD_DIR's (npm test: build-test/), passed to serve.mjs through the environment.
const port = Number(process.env.E2E_PORT ?? 4183);
// The license function (wrangler dev) and the fake Stripe API it talks to (scripts/license-dev.mjs).
const licensePort = Number(process.env.LICENSE_E2E_PORT ?? 8791);
const args = [
	'--no-sandbox',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-quic'
];

export default defineConfig({
	testDir: 'tests/e2e',
	timeout: 10 * 60_000,
	expect: { timeout: 30_000 },
	workers: 1,
	fullyParallel: false,
	reporter: [['list']],
	use: { baseURL: `http://127.0.0.1:${port}`, acceptDownloads: true, headless: true },
	webServer: [
		{
			command: `node scripts/serve.mjs ${port}`,
			env: { LICENSE_API_PROXY: `http://127.0.0.1:${licensePort}` },
			url: `http://127.0.0.1:${port}`,
			reuseExistingServer: false,
			timeout: 60_000
		},
		{
			command: `node scripts/license-dev.mjs --worker-port ${licensePort} --stripe-port ${licensePort + 1} --app-url http://127.0.0.1:${port}/`,
			url: `http://127.0.0.1:${licensePort}/api/license/status?lid=healthcheck`,
			reuseExistingServer: false,
			timeout: 120_000
		}
	],
	projects: [
		// WebGPU through SwiftShader: fp32 models only (no shader-f16).
		{ name: 'webgpu', use: { launchOptions: { executablePath, args: [...args, '--enable-unsafe-webgpu'] } } },
		{ name: 'wasm', use: { launchOptions: { executablePath, args } } }
	]
});
