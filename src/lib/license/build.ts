/**
 * Build-time license settings, set by the license build check in vite.config.ts
 * (scripts/lib/license-build.ts): the public key that verifies license tokens, and whether this
 * is a test build, whose key is the committed TEST key (anyone can sign licenses for it).
 */
export const LICENSE_PUBLIC_KEY = (import.meta.env.VITE_LICENSE_PUBLIC_KEY as string | undefined) || null;
export const TEST_BUILD = import.meta.env.VITE_LICENSE_TEST_BUILD === 'true';
