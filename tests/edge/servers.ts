/** Starts the fake Stripe API and the license function in workerd (wrangler's unstable_dev) for tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unstable_dev } from 'wrangler';
import { startFakeStripe } from '../../scripts/fake-stripe.mjs';
import { TEST_LICENSE_SIGNING_KEY, TEST_STRIPE_SECRET_KEY, TEST_WEBHOOK_SECRET } from './test-keys';

export const APP_URL = 'http://127.0.0.1:4999/';

export async function startLicenseServers(ports: { stripe: number; worker: number }, vars: Record<string, string> = {}) {
	const persistTo = mkdtempSync(join(tmpdir(), 'stemsafe-kv-'));
	const stripe = await startFakeStripe({
		port: ports.stripe,
		webhookUrl: `http://127.0.0.1:${ports.worker}/api/stripe-webhook`,
		webhookSecret: TEST_WEBHOOK_SECRET
	});
	const worker = await unstable_dev('edge/src/index.ts', {
		config: 'edge/wrangler.toml',
		port: ports.worker,
		ip: '127.0.0.1',
		persistTo,
		logLevel: 'error',
		experimental: { disableExperimentalWarning: true },
		vars: {
			APP_URL,
			STRIPE_PRICE_ID: stripe.price,
			STRIPE_SECRET_KEY: TEST_STRIPE_SECRET_KEY,
			STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
			LICENSE_SIGNING_KEY: TEST_LICENSE_SIGNING_KEY,
			STRIPE_API_HOST: '127.0.0.1',
			STRIPE_API_PORT: String(stripe.port),
			STRIPE_API_PROTOCOL: 'http',
			...vars
		}
	});
	return {
		stripe,
		worker,
		base: `http://127.0.0.1:${ports.worker}`,
		async stop() {
			await worker.stop();
			await stripe.close();
			rmSync(persistTo, { recursive: true, force: true });
		}
	};
}
