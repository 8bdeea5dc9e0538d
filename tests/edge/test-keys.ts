/**
 * The TEST license key pair (made with `node scripts/license-keygen.mjs`). Its private half is
 * public in this repository, so it must never sign real licenses: production builds set
 * VITE_LICENSE_PUBLIC_KEY to their own key (README, "Full-length unlock"). `.env` holds the
 * public half so that `npm run build` (which the e2e tests serve) accepts licenses from the
 * test worker.
 */
export const TEST_LICENSE_SIGNING_KEY = 'MC4CAQAwBQYDK2VwBCIEIH7WP8gIzSu8m/pxWTSrGMZ8H0nupT/A+cXH6X7p967y';
export const TEST_LICENSE_PUBLIC_KEY = 'c6x-1hFcwZPEYQQwA94cq6ETMXj4yQ_5xTRQGkmNw9I';
export const TEST_WEBHOOK_SECRET = 'whsec_test_stemsafe_local_only';
export const TEST_STRIPE_SECRET_KEY = 'sk_test_stemsafe_fake';
