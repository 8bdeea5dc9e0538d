/** Which license key a build embeds: production builds refuse the committed TEST key (scripts/lib/license-build.ts). */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LicenseBuildError, resolveLicenseBuild } from '../../scripts/lib/license-build';
import { TEST_LICENSE_PUBLIC_KEY } from '../edge/test-keys';

const OWN_KEY = 'Wn2hq0gYkP4hM4WJzKQpQvM3o1m0yJc7o8Xb6f3qZ9A';
const build = (env: Record<string, string | undefined>, command: 'build' | 'serve' = 'build', mode = 'production') =>
	resolveLicenseBuild({ command, mode, env, testPublicKey: TEST_LICENSE_PUBLIC_KEY });

describe('license key of a build', () => {
	it('refuses a production build with the committed TEST key, saying what to do', () => {
		expect(() => build({ VITE_LICENSE_PUBLIC_KEY: TEST_LICENSE_PUBLIC_KEY })).toThrow(LicenseBuildError);
		expect(() => build({ VITE_LICENSE_PUBLIC_KEY: ` ${TEST_LICENSE_PUBLIC_KEY}\n` })).toThrow(/Refusing to build for production with the committed TEST license key.*STEMSAFE_TEST_BUILD=1/);
		expect(() => build({ VITE_LICENSE_PUBLIC_KEY: TEST_LICENSE_PUBLIC_KEY, STEMSAFE_TEST_BUILD: '0' })).toThrow(/TEST license key/);
	});

	it('refuses a production build without a key, and a key that is not one', () => {
		expect(() => build({})).toThrow(/no license public key.*license-keygen/);
		expect(() => build({ VITE_LICENSE_PUBLIC_KEY: '  ' })).toThrow(/no license public key/);
		expect(() => build({ VITE_LICENSE_PUBLIC_KEY: 'abc' })).toThrow(/43 characters/);
		expect(() => build({ STEMSAFE_TEST_BUILD: 'yes' })).toThrow(/must be 1 or 0/);
	});

	it('builds for production with its own key, as a real build', () => {
		expect(build({ VITE_LICENSE_PUBLIC_KEY: OWN_KEY })).toEqual({ publicKey: OWN_KEY, testBuild: false });
	});

	it('makes a test build when told to (or for the dev server and vitest), with the TEST key by default', () => {
		expect(build({ STEMSAFE_TEST_BUILD: '1' })).toEqual({ publicKey: TEST_LICENSE_PUBLIC_KEY, testBuild: true });
		expect(build({ STEMSAFE_TEST_BUILD: '1', VITE_LICENSE_PUBLIC_KEY: TEST_LICENSE_PUBLIC_KEY })).toEqual({ publicKey: TEST_LICENSE_PUBLIC_KEY, testBuild: true });
		expect(build({}, 'serve', 'development')).toEqual({ publicKey: TEST_LICENSE_PUBLIC_KEY, testBuild: true });
		expect(build({}, 'build', 'test')).toEqual({ publicKey: TEST_LICENSE_PUBLIC_KEY, testBuild: true });
		// Told it is a test build but given a real key: not a test build (its licenses are real).
		expect(build({ STEMSAFE_TEST_BUILD: '1', VITE_LICENSE_PUBLIC_KEY: OWN_KEY })).toEqual({ publicKey: OWN_KEY, testBuild: false });
	});

	it('the committed .env carries no license key, and the scripts that serve tests build test builds', () => {
		expect(readFileSync('.env', 'utf8')).not.toMatch(/^\s*VITE_LICENSE_PUBLIC_KEY\s*=/m);
		const scripts = JSON.parse(readFileSync('package.json', 'utf8')).scripts as Record<string, string>;
		expect(scripts['build:test']).toMatch(/^STEMSAFE_TEST_BUILD=1 npm run build$/);
		for (const name of ['start', 'test', 'bench:load']) expect(scripts[name], name).toContain('npm run build:test');
	});

	it('vitest itself runs as a test build with the TEST key', () => {
		expect(import.meta.env.VITE_LICENSE_PUBLIC_KEY).toBe(TEST_LICENSE_PUBLIC_KEY);
		expect(import.meta.env.VITE_LICENSE_TEST_BUILD).toBe('true');
	});
});
