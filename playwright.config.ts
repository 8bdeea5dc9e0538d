import { defineConfig } from '@playwright/test';

// Debian's chromium (apt install chromium); Playwright's own browser downloads are not used.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
	use: { baseURL: 'http://127.0.0.1:4173', acceptDownloads: true, headless: true },
	webServer: {
		command: 'npm run preview',
		url: 'http://127.0.0.1:4173',
		reuseExistingServer: !process.env.CI,
		timeout: 60_000
	},
	projects: [
		// WebGPU through SwiftShader: fp32 models only (no shader-f16).
		{ name: 'webgpu', use: { launchOptions: { executablePath, args: [...args, '--enable-unsafe-webgpu'] } } },
		{ name: 'wasm', use: { launchOptions: { executablePath, args } } }
	]
});
