/**
 * Which license public key a build embeds, and whether it is a test build (used by vite.config.ts).
 *
 * The committed TEST key pair (tests/edge/test-keys.json) has its private half in this repository:
 * a build that verifies licenses with it accepts licenses anyone can make. So a production build
 * (`vite build`, `npm run build`) refuses it, and refuses to build without a key at all, unless it
 * is told it is a test build (STEMSAFE_TEST_BUILD=1, which `npm run build:test`, `npm start` and
 * `npm test` set). The dev server and vitest are test builds. A test build gets the TEST key when
 * none is given and says so in the app ("Test build: licenses are not real").
 */

export interface LicenseBuildInput {
	/** Vite's command: 'build' for a production bundle, 'serve' for the dev server. */
	command: 'build' | 'serve';
	/** Vite's mode ('production', 'development', 'test' under vitest). */
	mode: string;
	/** VITE_LICENSE_PUBLIC_KEY and STEMSAFE_TEST_BUILD from the environment and the .env files. */
	env: Record<string, string | undefined>;
	/** The committed test public key. */
	testPublicKey: string;
}

export interface LicenseBuild {
	publicKey: string;
	/** The embedded key is the TEST key: the app shows that its licenses are not real. */
	testBuild: boolean;
}

export class LicenseBuildError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'LicenseBuildError';
	}
}

const HOW =
	'Set VITE_LICENSE_PUBLIC_KEY to your own public key (node scripts/license-keygen.mjs; docs/license-server.md, "Keys"), ' +
	'or make a test build whose licenses are not real: STEMSAFE_TEST_BUILD=1 (npm run build:test).';

export function resolveLicenseBuild({ command, mode, env, testPublicKey }: LicenseBuildInput): LicenseBuild {
	const flag = env.STEMSAFE_TEST_BUILD?.trim();
	if (flag !== undefined && flag !== '' && flag !== '0' && flag !== '1') throw new LicenseBuildError(`STEMSAFE_TEST_BUILD must be 1 or 0, not "${flag}".`);
	const testRequested = flag === '1' || command === 'serve' || mode === 'test';
	const given = env.VITE_LICENSE_PUBLIC_KEY?.trim() || '';
	const publicKey = given || (testRequested ? testPublicKey : '');
	if (!publicKey) throw new LicenseBuildError(`This production build has no license public key. ${HOW}`);
	if (!/^[A-Za-z0-9_-]{43}$/.test(publicKey)) {
		throw new LicenseBuildError('VITE_LICENSE_PUBLIC_KEY must be a raw 32-byte Ed25519 public key in base64url (43 characters), as scripts/license-keygen.mjs prints it.');
	}
	const testBuild = publicKey === testPublicKey;
	if (testBuild && !testRequested) {
		throw new LicenseBuildError(
			'Refusing to build for production with the committed TEST license key (tests/edge/test-keys.json): its private half is public, ' +
				`so anyone could make licenses for this build. ${HOW}`
		);
	}
	return { publicKey, testBuild };
}
