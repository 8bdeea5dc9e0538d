/**
 * The TEST license key pair (made with `node scripts/license-keygen.mjs`) and fake Stripe secrets,
 * kept in test-keys.json so the Node scripts can read them too. The private key is public in this
 * repository, so it must never sign real licenses: production builds set VITE_LICENSE_PUBLIC_KEY to
 * their own key and refuse this one (scripts/lib/license-build.ts); test builds (`npm run build:test`,
 * which the e2e tests serve, the dev server, vitest) embed its public half and say so in the app.
 */
import keys from './test-keys.json';

export const { TEST_LICENSE_SIGNING_KEY, TEST_LICENSE_PUBLIC_KEY, TEST_WEBHOOK_SECRET, TEST_STRIPE_SECRET_KEY } = keys;
