import { defineConfig } from '@playwright/test';

// Debian's chromium (apt install chromium); Playwright's own browser downloads are not used.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// E2E_PORT lets several checkouts run their e2e suites side by side.
const port = Number(process.env.E2E_PORT ?? 4173);
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
			reuseExistingServer: !process.env.CI,
			timeout: 60_000
		},
		{
			command: `node scripts/license-dev.mjs --worker-port ${licensePort} --stripe-port ${licensePort + 1} --app-url http://127.0.0.1:${port}/`,
			url: `http://127.0.0.1:${licensePort}/api/license/status?lid=healthcheck`,
			reuseExistingServer: !process.env.CI,
			timeout: 120_000
		}
	],
	projects: [
		// WebGPU through SwiftShader: fp32 models only (no shader-f16).
		{ name: 'webgpu', use: { launchOptions: { executablePath, args: [...args, '--enable-unsafe-webgpu'] } } },
		{ name: 'wasm', use: { launchOptions: { executablePath, args } } }
	]
});
