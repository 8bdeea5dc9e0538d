import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { generateKeyPairSync, sign } from 'node:crypto';
import { encodeWav, parseWav } from '../../src/lib/dsp/wav';
import { backendOf, dropFiles, openApp, testSong, watchCsp } from './helpers';

// Long enough to go past the 60 s free preview, short enough to keep the run cheap.
const SONG_SECONDS = 62;
const RATE = 44100;
const song = { name: 'long song.wav', mimeType: 'audio/wav', buffer: Buffer.from(encodeWav(testSong(SONG_SECONDS, RATE), { format: 'pcm16', dither: false })) };

/**
 * Separates the long song on a fresh page (dropped, or as `start` queues it) and returns the length
 * of every stem, in samples per channel, and what the job says.
 */
async function separateLongSong(page: Page, start = () => dropFiles(page, [song])): Promise<{ lengths: number[]; notes: string }> {
	await start();
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 480_000 });
	await job.getByTestId('format').selectOption('pcm16');
	const [download] = await Promise.all([page.waitForEvent('download'), job.getByTestId('download-zip').click()]);
	const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
	const stems = Object.entries(files).filter(([name]) => name.endsWith('.wav')).map(([, bytes]) => parseWav(bytes));
	expect(stems.length).toBeGreaterThanOrEqual(2);
	return { lengths: stems.flatMap((s) => s.channels.map((c) => c.length)), notes: (await job.textContent()) ?? '' };
}

/** A well-formed license token signed with a key that is not the app's. */
function forgedToken(): string {
	const { privateKey } = generateKeyPairSync('ed25519');
	const head = `SSL1.${Buffer.from(JSON.stringify({ lid: 'forgedLicense0001', plan: 'full', iat: Math.floor(Date.now() / 1000) })).toString('base64url')}`;
	return `${head}.${sign(null, Buffer.from(head), privateKey).toString('base64url')}`;
}

async function writeStoredLicense(page: Page, token: string) {
	// idb-keyval's default database and store, written with plain IndexedDB the way an attacker would.
	await page.evaluate(
		(value) =>
			new Promise<void>((resolve, reject) => {
				const open = indexedDB.open('keyval-store');
				open.onupgradeneeded = () => open.result.createObjectStore('keyval');
				open.onsuccess = () => {
					const tx = open.result.transaction('keyval', 'readwrite');
					tx.objectStore('keyval').put(value, 'stemsafe:license');
					tx.oncomplete = () => resolve();
					tx.onerror = () => reject(tx.error);
				};
				open.onerror = () => reject(open.error);
			}),
		token
	);
}

test('free 60 s preview, purchase through checkout, full length offline; a forged license is refused; at most 3 devices', async ({ page, context }, info) => {
	test.skip(backendOf(info) !== 'wasm', 'licensing does not depend on the backend; run it once');
	test.setTimeout(30 * 60_000); // three separations of a minute of audio on a shared 2-core machine
	const preview = 60 * RATE;
	const full = SONG_SECONDS * RATE;
	const csp = watchCsp(page);

	// A free user is told about the preview before separating…
	await openApp(page, 'wasm');
	const panel = page.getByTestId('license-panel');
	// This build carries the TEST key (npm run build:test), and says so.
	await expect(page.getByTestId('test-build-note')).toContainText('Test build: licenses are not real');
	await expect(panel).toHaveAttribute('data-state', 'free');
	await expect(page.getByTestId('free-tier')).toContainText('first 60 seconds');
	await expect(page.getByTestId('unlock')).toHaveText('Unlock full length');
	// …gets 60 s stems, and is told so after.
	const free = await separateLongSong(page);
	expect(new Set(free.lengths)).toEqual(new Set([preview]));
	// …in the same words everywhere: the job's line, the result, the library item.
	expect(free.notes).toContain('1:00 of 1:02 separated in');
	expect(free.notes).toContain('Free preview: the first 1:00 of 1:02 was separated');
	const previews = page.locator('[data-testid=library-item][data-preview=true]');
	await expect(previews).toHaveCount(1);
	await expect(previews.getByTestId('library-preview-note')).toContainText('Free preview: the first 1:00 of 1:02 was separated');
	await expect(previews.getByTestId('library-meta')).toContainText('1:00');
	await expect(previews.getByTestId('library-rerun')).toHaveCount(0); // nothing to re-run with until full length is unlocked

	// A forged license written straight into IndexedDB: the UI refuses it, and so does the worker.
	await writeStoredLicense(page, forgedToken());
	await page.reload();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await expect(panel).toHaveAttribute('data-state', 'invalid');
	await expect(page.getByTestId('license-invalid')).toContainText('not genuine');
	const forged = await separateLongSong(page);
	expect(new Set(forged.lengths)).toEqual(new Set([preview]));

	// Buy: the app asks the license function for a Checkout Session and goes to its (fake) hosted page.
	await expect(page.getByTestId('offline-state')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
	// The price is shown before checkout, and it is what checkout charges (src/lib/license/price.json).
	const price = JSON.parse(readFileSync(new URL('../../src/lib/license/price.json', import.meta.url), 'utf8')) as { amount: number; currency: string };
	const shown = await page.evaluate(({ amount, currency }) => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount / 100), price);
	await expect(page.getByTestId('price')).toHaveText(shown);
	await expect(page.getByTestId('plan-line')).toContainText(shown);
	await page.getByTestId('unlock').click();
	await page.waitForURL(/\/pay\/cs_test_/);
	await expect(page.getByTestId('amount')).toHaveText(`${(price.amount / 100).toFixed(2)} ${price.currency}`);
	await page.getByTestId('pay').click();
	// Back in the app with ?session_id=…: the license is fetched, verified and stored.
	await page.waitForURL((url) => url.port === new URL(info.project.use.baseURL!).port);
	await expect(panel).toHaveAttribute('data-state', 'licensed', { timeout: 60_000 });
	await expect(page.getByTestId('license-message')).toContainText('Full length is unlocked');
	expect(new URL(page.url()).searchParams.has('session_id')).toBe(false);
	// The key shown is the license key (for other devices); this device's own token unlocks it.
	const key = await page.getByTestId('license-key').inputValue();
	expect(key).toMatch(/^SSL1\./);
	expect(JSON.parse(Buffer.from(key.split('.')[1], 'base64url').toString())).not.toHaveProperty('dev');

	// Offline from here on: the license and the full-length separation need no network.
	await context.setOffline(true);
	await page.goto('/?backend=wasm');
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await expect(panel).toHaveAttribute('data-state', 'licensed');
	await expect(page.getByTestId('plan-line')).toHaveCount(0);
	// The previews in the library (the free one and the forged one) are separated again at full
	// length: the page asks for the song (the library keeps stems, not the original file), and the
	// full-length item replaces the preview.
	await expect(previews).toHaveCount(2);
	const paid = await separateLongSong(page, async () => {
		const [chooser] = await Promise.all([page.waitForEvent('filechooser'), previews.first().getByTestId('library-rerun').click()]);
		await chooser.setFiles([song]);
	});
	expect(new Set(paid.lengths)).toEqual(new Set([full]));
	expect(paid.notes).not.toContain('Free preview');
	expect(paid.notes).toContain('1:02 of audio separated in');
	await expect(previews).toHaveCount(1);
	await expect(page.getByTestId('library-item').and(page.locator(':not([data-preview=true])'))).toHaveCount(1);
	expect(csp.violations).toEqual([]); // checkout, activation and separation ran under the CSP

	// Other devices (fresh browser profiles): the key activates up to 3 devices in all; a forged key is refused.
	const devices: BrowserContext[] = [];
	const device = async () => {
		const other = await context.browser()!.newContext({ baseURL: info.project.use.baseURL });
		devices.push(other);
		const p = await other.newPage();
		await p.goto('/?backend=wasm');
		await expect(p.getByTestId('license-panel')).toHaveAttribute('data-state', 'free');
		await p.getByText('Use a license key on this device').click();
		return p;
	};
	const activate = async (p: Page, text: string) => {
		await p.getByTestId('restore-input').fill(text);
		await p.getByTestId('restore').click();
	};
	const second = await device();
	await activate(second, forgedToken());
	await expect(second.getByTestId('license-error')).toContainText('not genuine');
	await activate(second, key);
	await expect(second.getByTestId('license-panel')).toHaveAttribute('data-state', 'licensed');
	const third = await device();
	await activate(third, key);
	await expect(third.getByTestId('license-panel')).toHaveAttribute('data-state', 'licensed');
	// A fourth device is refused, with how to move the license.
	const fourth = await device();
	await activate(fourth, key);
	await expect(fourth.getByTestId('license-error')).toContainText('already active on 3 devices');
	await expect(fourth.getByTestId('license-error')).toContainText('Move the license off this device');
	await expect(fourth.getByTestId('license-panel')).toHaveAttribute('data-state', 'free');
	await expect(fourth.getByTestId('replace-oldest')).toBeVisible();
	// Moving: the second device releases its place (and loses full length), then the fourth gets it.
	await second.getByText('Your license key (to use on another device)').click();
	await second.getByTestId('release').click();
	await expect(second.getByTestId('license-panel')).toHaveAttribute('data-state', 'free');
	await expect(second.getByTestId('license-message')).toContainText('place was released');
	await activate(fourth, key);
	await expect(fourth.getByTestId('license-panel')).toHaveAttribute('data-state', 'licensed');
	for (const other of devices) await other.close();
});
