/** Bindings, vars and secrets of the license function (see edge/wrangler.toml and docs/license-server.md). */

/** The subset of Workers KV used here. */
export interface KV {
	get(key: string): Promise<string | null>;
	put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
}

export interface Env {
	LICENSE_KV: KV;
	/** Secrets. */
	STRIPE_SECRET_KEY: string;
	STRIPE_WEBHOOK_SECRET: string;
	LICENSE_SIGNING_KEY: string;
	/** Vars. */
	STRIPE_PRICE_ID: string;
	/** Where the app lives; success/cancel URLs point here and CORS allows only its origin. */
	APP_URL: string;
	/** License lifetime in days; "0" or empty: no expiry. */
	LICENSE_DAYS?: string;
	RATE_LIMIT_PER_MINUTE?: string;
	/** Devices one license may be active on at once (default 3). */
	DEVICE_LIMIT?: string;
	/** Days between two replacements of a device from another one (default 30). */
	DEVICE_REPLACE_DAYS?: string;
	/** Only for tests and local development against a fake Stripe. */
	STRIPE_API_HOST?: string;
	STRIPE_API_PORT?: string;
	STRIPE_API_PROTOCOL?: string;
}

export function required(env: Env, name: 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET' | 'LICENSE_SIGNING_KEY' | 'STRIPE_PRICE_ID' | 'APP_URL'): string {
	const value = env[name];
	if (!value) throw new Error(`${name} is not configured.`);
	return value;
}
