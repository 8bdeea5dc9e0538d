import { expect, test } from '@playwright/test';
import { loadManifest } from '../../scripts/lib/model-files';
import { backendOf, dropFiles, openApp, testSong, wavFile } from './helpers';

test('works offline after the first load', async ({ page, context }, info) => {
	test.skip(backendOf(info) !== 'wasm', 'the offline path does not depend on the backend; run it once');
	await openApp(page, 'wasm');
	await expect(page.getByTestId('offline-state')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
	// Everything the app needs is in the cache before we cut the network.
	// (the app shell in the service worker's precache, the .wasm and model in the runtime cache)
	const cachedPaths = () =>
		page.evaluate(async () => {
			const paths: string[] = [];
			for (const key of await caches.keys()) for (const r of await (await caches.open(key)).keys()) paths.push(new URL(r.url).pathname);
			return paths;
		});
	await expect
		.poll(cachedPaths, { timeout: 60_000 })
		.toEqual(expect.arrayContaining([`/models/${loadManifest().file}`, expect.stringMatching(/\.wasm$/), expect.stringMatching(/separator\.worker.*\.js$/)]));

	await context.setOffline(true);
	await page.reload();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await dropFiles(page, [wavFile('offline.wav', testSong(2))]);
	await expect(page.getByTestId('job').first()).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
});
