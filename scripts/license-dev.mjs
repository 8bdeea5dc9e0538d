// Local license stack without a Stripe account: the fake Stripe API (scripts/fake-stripe.mjs) and
// the license function in workerd (`wrangler dev`), wired to each other with the TEST keys from
// tests/edge/test-keys.json. Used by `npm run edge:dev` and by the Playwright e2e setup.
//
// usage: node scripts/license-dev.mjs [--worker-port 8791] [--stripe-port 8792] [--app-url http://127.0.0.1:4173/]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFakeStripe } from './fake-stripe.mjs';

const { values } = parseArgs({
	options: {
		'worker-port': { type: 'string', default: process.env.LICENSE_WORKER_PORT ?? '8791' },
		'stripe-port': { type: 'string', default: process.env.FAKE_STRIPE_PORT ?? '8792' },
		'app-url': { type: 'string', default: process.env.LICENSE_APP_URL ?? 'http://127.0.0.1:4173/' }
	}
});
const root = new URL('..', import.meta.url).pathname;
// The function shares src/lib/license with the app, whose tsconfig extends the one SvelteKit
// generates; write it first in a fresh checkout (esbuild warns about a missing base otherwise).
if (!existsSync(join(root, '.svelte-kit/tsconfig.json'))) execFileSync(join(root, 'node_modules/.bin/svelte-kit'), ['sync'], { cwd: root, stdio: 'inherit' });
const keys = JSON.parse(readFileSync(join(root, 'tests/edge/test-keys.json'), 'utf8'));
const workerPort = Number(values['worker-port']);
const stripe = await startFakeStripe({
	port: Number(values['stripe-port']),
	webhookUrl: `http://127.0.0.1:${workerPort}/api/stripe-webhook`,
	webhookSecret: keys.TEST_WEBHOOK_SECRET,
	log: (line) => console.log(`[fake-stripe] ${line}`)
});
console.log(`Fake Stripe: ${stripe.url}`);

// A fresh KV (revocations, processed events) per run.
const persist = mkdtempSync(join(tmpdir(), 'stemsafe-license-'));
const vars = {
	APP_URL: values['app-url'],
	STRIPE_PRICE_ID: stripe.price,
	STRIPE_SECRET_KEY: keys.TEST_STRIPE_SECRET_KEY,
	STRIPE_WEBHOOK_SECRET: keys.TEST_WEBHOOK_SECRET,
	LICENSE_SIGNING_KEY: keys.TEST_LICENSE_SIGNING_KEY,
	STRIPE_API_HOST: '127.0.0.1',
	STRIPE_API_PORT: String(stripe.port),
	STRIPE_API_PROTOCOL: 'http'
};
const args = ['dev', '--config', 'edge/wrangler.toml', '--ip', '127.0.0.1', '--port', String(workerPort), '--persist-to', persist, '--show-interactive-dev-session=false'];
for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}:${v}`);
// Nothing here reaches the network: no telemetry (also `send_metrics = false` in wrangler.toml), no
// update check (it runs with the banner), and no download of the `Request.cf` sample object, which
// the license function never reads (miniflare skips it under NODE_ENV=test in wrangler 4.50; newer
// wranglers read CLOUDFLARE_CF_FETCH_ENABLED).
const quiet = { WRANGLER_SEND_METRICS: 'false', WRANGLER_HIDE_BANNER: 'true', NODE_ENV: 'test', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
const wrangler = spawn(join(root, 'node_modules/.bin/wrangler'), args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...quiet } });

const stop = async () => {
	wrangler.kill('SIGTERM');
	await stripe.close();
	rmSync(persist, { recursive: true, force: true });
	process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
wrangler.on('exit', (code) => {
	console.error(`wrangler exited (${code})`);
	void stripe.close().then(() => process.exit(code ?? 1));
});
