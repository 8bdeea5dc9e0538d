/**
 * First-load bytes: serves build/ with scripts/serve.mjs, opens the app in Debian's
 * Chromium with an empty profile, waits until the model is ready and the offline cache is
 * filled, and sums what crossed the network (encoded bytes, i.e. after compression), per
 * file type. usage: npm run bench:load [-- port]
 */
import { chromium, type Request } from '@playwright/test';
import { spawn } from 'node:child_process';

const port = Number(process.argv[2] ?? 4391);
const server = spawn(process.execPath, ['scripts/serve.mjs', String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve, reject) => {
	server.stdout!.on('data', (d: Buffer) => d.toString().includes('http://') && resolve());
	server.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
});

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-quic']
});
try {
	for (const backend of ['wasm', 'webgpu']) {
		const context = await browser.newContext();
		const requests: Request[] = [];
		context.on('requestfinished', (r) => requests.push(r));
		const page = await context.newPage();
		await page.goto(`http://127.0.0.1:${port}/?backend=${backend}`);
		await page.getByTestId('model-state').filter({ hasText: /Model ready|unavailable/ }).waitFor({ timeout: 300_000 });
		await page.locator('[data-testid=offline-state][data-state=ready]').waitFor({ timeout: 300_000 });
		const byType = new Map<string, { count: number; encoded: number; decoded: number }>();
		for (const r of requests) {
			const sizes = await r.sizes();
			const response = await r.response();
			const decoded = Number(response?.headers()['content-length'] ?? sizes.responseBodySize);
			const ext = new URL(r.url()).pathname.match(/\.([a-z0-9]+)$/)?.[1] ?? 'html';
			const entry = byType.get(ext) ?? { count: 0, encoded: 0, decoded: 0 };
			entry.count++;
			entry.encoded += sizes.responseBodySize + sizes.responseHeadersSize;
			entry.decoded += Number.isFinite(decoded) ? decoded : 0;
			byType.set(ext, entry);
		}
		const mb = (b: number) => (b / 1e6).toFixed(2).padStart(7);
		let total = 0;
		console.log(`\nfirst load, ${backend} (model ready + offline cache filled):`);
		for (const [ext, e] of [...byType].sort((a, b) => b[1].encoded - a[1].encoded)) {
			total += e.encoded;
			console.log(`  .${ext.padEnd(12)} ${String(e.count).padStart(3)} requests ${mb(e.encoded)} MB over the network`);
		}
		console.log(`  total ${mb(total)} MB`);
		await context.close();
	}
} finally {
	await browser.close();
	server.kill();
}
