import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LicenseApiError, startCheckout } from '../../src/lib/license/api';
import { answerLocalMode, LOCAL_MODE_CODE, LOCAL_MODE_MESSAGE } from '../../scripts/lib/local-mode.mjs';

describe('npm start without a license service', () => {
	let server: Server;
	let api = '';
	beforeAll(async () => {
		server = createServer((_req, res) => answerLocalMode(res));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const address = server.address();
		api = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api`;
	});
	afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

	it('"Unlock full length" gets a plain statement, not "answered 404"', async () => {
		const error = await startCheckout(api, true).then(
			() => null,
			(e: unknown) => e
		);
		expect(error).toBeInstanceOf(LicenseApiError);
		expect((error as LicenseApiError).code).toBe(LOCAL_MODE_CODE);
		expect((error as LicenseApiError).message).toBe(LOCAL_MODE_MESSAGE);
		expect(LOCAL_MODE_MESSAGE).toMatch(/^Purchases are not available in this local copy/);
		expect(LOCAL_MODE_MESSAGE).not.toMatch(/404|answered/);
	});
});

describe('the build folder', () => {
	const read = (value?: string) =>
		execFileSync(process.execPath, ['--input-type=module', '-e', "import('./scripts/lib/build-dir.mjs').then((m) => console.log(m.BUILD_DIR, m.BUILD_PATH))"], {
			env: { ...process.env, STEMSAFE_BUILD_DIR: value ?? '' },
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'pipe']
		}).trim();

	it('is build/ unless STEMSAFE_BUILD_DIR names another folder of the repository', () => {
		expect(read()).toMatch(/^build \/.*\/build\/$/);
		expect(read('build-test')).toMatch(/^build-test \/.*\/build-test\/$/);
		for (const bad of ['../elsewhere', '/tmp/x', '..']) expect(() => read(bad), bad).toThrow(/STEMSAFE_BUILD_DIR must be a folder name/);
	});
});
