import { expect, test } from '@playwright/test';
import { loadManifest } from '../../scripts/lib/model-files';
import { backendOf, dropFiles, openApp, testSong, wavFile } from './helpers';

test('works offline after the first load', async ({ page, context }, info) => {
	test.skip(backendOf(info) !== 'wasm', 'the offline path does not depend on the backend; run it once');
	await openApp(page, 'wasm');
	await expect(page.getByTestId('offline-state')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
	// Everything the app needs is in the cache before we cut the network.
	await expect
		.poll(() => page.evaluate(async () => (await caches.keys()).length && (await (await caches.open((await caches.keys())[0])).keys()).map((r) => new URL(r.url).pathname)), { timeout: 60_000 })
		.toEqual(expect.arrayContaining([`/models/${loadManifest().file}`, expect.stringMatching(/\.wasm$/), expect.stringMatching(/separator\.worker.*\.js$/)]));

	await context.setOffline(true);
	await page.reload();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await dropFiles(page, [wavFile('offline.wav', testSong(2))]);
	await expect(page.getByTestId('job').first()).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
});
