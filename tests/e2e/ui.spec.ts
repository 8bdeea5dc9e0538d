/**
 * The first minutes of a musician with the app (issue 24), on WASM: what the start screen says and
 * in what order, that nothing looks stuck or speaks jargon, touch targets on a 390 px phone, the
 * offline indicator, results that fold and name their downloads apart, stems that look silent when
 * they are, the analysis kept with a library item, npm start's honest license answer, and axe in
 * both themes on the start page, a result, the library, the license panel and the models panel.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadManifest } from '../../scripts/lib/model-files';
import { LOCAL_MODE_MESSAGE } from '../../scripts/lib/local-mode.mjs';
import { modelQualityFor } from '../../src/lib/separation/manifest';
import { qualityHeadline } from '../../src/lib/separation/verdict';
import { backendOf, dropFiles, openApp, testSong, wavFile } from './helpers';
import { expectNoAxeViolations, openSection, smallTargets } from './ui-helpers';

test.beforeEach(({}, info) => test.skip(backendOf(info) !== 'wasm', 'the interface does not depend on the backend; run it on WASM'));

const PRICE = JSON.parse(readFileSync(new URL('../../src/lib/license/price.json', import.meta.url), 'utf8')) as { amount: number; currency: string };

/** Words and numbers a musician should never be shown (found in the app before issue 24). */
const JARGON = ['num_overlap', 'MSST num_overlap', 'wire type', 'malformed', 'Chunk length for checkpoints', 'varint'];
const LONG_DECIMAL = /\d\.\d{6,}/; // e.g. "0.0072562358276643995 s chunks"

/** The price as the page itself writes it (its locale), from price.json. */
function shownPrice(page: Page): Promise<string> {
	return page.evaluate(({ amount, currency }) => new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount / 100), PRICE);
}

/** The most opaque pixel of a waveform canvas (0–255): a dimmed stem is drawn fainter. */
function peakAlpha(canvas: Locator): Promise<number> {
	return canvas.evaluate((canvas: HTMLCanvasElement) => {
		const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
		let peak = 0;
		// the playhead (drawn at full strength) sits at the left edge at 0:00: skip the first columns
		for (let i = 0; i < data.length; i += 4) if ((i / 4) % canvas.width > 8) peak = Math.max(peak, data[i + 3]);
		return peak;
	});
}

test('start screen: drop zone first, an honest quality sentence and the price, no stuck download, plain words, offline indicator, accessible', async ({ page, context }) => {
	const manifest = loadManifest();
	await openApp(page, 'wasm');

	// The model is served compressed (no usable total): once it is ready no progress bar is left.
	await expect(page.getByTestId('model-download')).toHaveCount(0);
	await expect(page.locator('progress')).toHaveCount(0);

	// One plain sentence on the main screen, with the figures of the manifest's real-song measurement.
	const headline = page.getByTestId('quality-headline');
	await expect(headline).toBeVisible();
	await expect(headline).toContainText(qualityHeadline(manifest, true).text);
	const real = modelQualityFor(manifest, 'eval-real');
	if (real) {
		await expect(headline).toContainText(`about ${real.model.mean.toFixed(1)} dB on average`);
		if (real.model.perStem.vocals !== undefined) await expect(headline).toContainText(`${real.model.perStem.vocals.toFixed(1)} dB on vocals`);
	}
	// …and what a stronger model is and needs, one click away.
	await page.getByTestId('stronger-models').click();
	await expect(page.getByTestId('models-panel')).toHaveAttribute('open', '');
	await expect(page.getByTestId('stronger-guide')).toBeVisible();
	await expect(page.getByTestId('stronger-guide')).toContainText('BS-Roformer');
	await expect(page.getByTestId('stronger-guide')).toContainText('MDX-Net');

	// The price before checkout, the same in the plan line and the license panel (price.json).
	const price = await shownPrice(page);
	await expect(page.getByTestId('plan-line')).toContainText(`first 60 s of each song`);
	await expect(page.getByTestId('plan-line')).toContainText(price);
	await expect(page.getByTestId('price')).toHaveText(price);

	// One order: drop zone, (songs,) library, settings.
	const top = async (id: string) => (await page.getByTestId(id).boundingBox())!.y;
	expect(await top('dropzone')).toBeLessThan(await top('library'));
	expect(await top('library')).toBeLessThan(await top('models-panel'));
	expect(await top('models-panel')).toBeLessThan(await top('license-panel'));

	// An unreadable model file is described in plain words.
	await page.getByTestId('model-file-input').setInputFiles([{ name: 'song.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from([0x0f, 1, 2, 3, 4, 5, 6, 7]) }]);
	await expect(page.getByTestId('import-error')).toContainText('song.onnx is not a readable ONNX model');

	// No jargon anywhere, with every panel open.
	await page.getByText('Use a license key on this device').click();
	await page.getByTestId('about-model').locator(':scope > summary').click();
	const text = await page.locator('body').innerText();
	for (const word of JARGON) expect(text, word).not.toContain(word);
	expect(text).not.toMatch(LONG_DECIMAL);

	// axe: the start page with the models, license and about panels open, in both themes.
	await expectNoAxeViolations(page, 'start page, panels open');
	await expectNoAxeViolations(page, 'models panel', '[data-testid=models-panel]');
	await expectNoAxeViolations(page, 'license panel', '[data-testid=license-panel]');

	// Every control is reachable by keyboard and shows its focus.
	await page.getByTestId('dropzone').scrollIntoViewIfNeeded();
	await page.getByTestId('file-input').focus();
	expect(await page.getByTestId('dropzone').evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
	await page.getByTestId('unlock').focus();
	await page.keyboard.press('Tab');
	await page.keyboard.press('Shift+Tab');
	await expect(page.getByTestId('unlock')).toBeFocused();
	expect(await page.getByTestId('unlock').evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');

	// A 390×844 phone: the drop zone on the first screen, every control a 44 px target, nothing sideways.
	await page.setViewportSize({ width: 390, height: 844 });
	await page.reload();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	const drop = (await page.getByTestId('dropzone').boundingBox())!;
	expect(drop.y + drop.height, 'the drop zone ends on the first screen').toBeLessThanOrEqual(844);
	await page.getByTestId('models-panel').locator('summary').click();
	await page.getByText('Use a license key on this device').click();
	expect(await smallTargets(page.locator('body'))).toEqual([]);
	for (const id of ['unlock', 'persist', 'delete-all', 'retention']) {
		const box = (await page.getByTestId(id).boundingBox())!;
		expect(box.height, id).toBeGreaterThanOrEqual(44);
	}
	const width = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
	expect(width.doc).toBeLessThanOrEqual(width.view);

	// Offline: said at once, and everything still works.
	await context.setOffline(true);
	await expect(page.getByTestId('network-offline')).toBeVisible();
	await expect(page.getByTestId('offline-state')).toHaveAttribute('data-network', 'offline');
	await context.setOffline(false);
	await expect(page.getByTestId('network-offline')).toHaveCount(0);
});

test('results fold, name their downloads apart, draw silent stems faint, keep their analysis in the library, accessible', async ({ page }) => {
	const manifest = loadManifest();
	await page.setViewportSize({ width: 390, height: 844 });
	await openApp(page, 'wasm');
	await dropFiles(page, [wavFile('first song.wav', testSong(1)), wavFile('second song.wav', testSong(1.5))]);
	// Phone: the current job right under the drop zone, on the first screen.
	const first = page.getByTestId('job').first();
	const second = page.getByTestId('job').nth(1);
	await expect(first).toBeVisible();
	expect((await first.boundingBox())!.y).toBeLessThan(844);
	await expect(second).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
	await expect(first).toHaveAttribute('data-status', 'done');

	// The newer result is open, the older one folded to its header (and unfolds on request).
	await expect(second).toHaveAttribute('data-open', 'true');
	await expect(second.getByTestId('result')).toBeVisible();
	await expect(first).toHaveAttribute('data-open', 'false');
	await expect(first.getByTestId('result')).toBeHidden();
	await expect(first.getByTestId('separated')).toHaveText(/^1\.0 s of audio separated in \d+\.\d s$/);
	await first.getByTestId('job-toggle').click();
	await expect(first.getByTestId('result')).toBeVisible();
	await first.getByTestId('job-toggle').click();
	await expect(first.getByTestId('result')).toBeHidden();

	const result = second.getByTestId('result');
	// Phone: every control of the result is a 44 px target (its sections open too).
	await openSection(result, 'mix');
	await openSection(result, 'analysis');
	await openSection(result, 'file');
	expect(await smallTargets(result)).toEqual([]);
	expect(await smallTargets(second)).toEqual([]);

	await page.setViewportSize({ width: 1280, height: 900 });
	// Zips of different formats, and a normalised mix, never share a name.
	const download = async (click: () => Promise<void>) => {
		const [d] = await Promise.all([page.waitForEvent('download'), click()]);
		return d.suggestedFilename();
	};
	await result.getByTestId('format').selectOption('flac16');
	expect(await download(() => result.getByTestId('download-zip').click())).toBe(`second song - stems flac16 (${manifest.id}).zip`);
	await result.getByTestId('format').selectOption('pcm24');
	expect(await download(() => result.getByTestId('download-zip').click())).toBe(`second song - stems wav24 (${manifest.id}).zip`);
	expect(await download(() => result.getByTestId('download-mix').click())).toBe(`second song - instrumental (${manifest.id}).wav`);
	await result.getByTestId('loudness-target').selectOption('streaming');
	expect(await download(() => result.getByTestId('download-mix').click())).toBe(`second song - instrumental -14 LUFS (${manifest.id}).wav`);
	await expect(result.getByTestId('loudness-outcome')).toContainText('Normalised to');

	// A muted stem, and every stem but a soloed one, is drawn faint; the others at full strength.
	const vocals = await peakAlpha(result.getByTestId('waveform-vocals'));
	const drums = await peakAlpha(result.getByTestId('waveform-drums'));
	expect(vocals).toBeGreaterThan(200);
	expect(drums).toBeGreaterThan(200);
	await result.getByRole('button', { name: 'Mute drums', exact: true }).click();
	await expect(result.getByTestId('stem-drums')).toHaveAttribute('data-audible', 'false');
	await expect(result.getByTestId('waveform-drums')).toHaveAttribute('data-dimmed', 'true');
	await expect.poll(() => peakAlpha(result.getByTestId('waveform-drums'))).toBeLessThan(drums * 0.5);
	await result.getByRole('button', { name: 'Solo vocals', exact: true }).click();
	for (const stem of manifest.stems) {
		await expect(result.getByTestId(`waveform-${stem}`)).toHaveAttribute('data-dimmed', String(stem !== 'vocals'));
	}
	expect(await peakAlpha(result.getByTestId('waveform-vocals'))).toBe(vocals);
	await result.getByRole('button', { name: 'Solo vocals', exact: true }).click();
	await result.getByRole('button', { name: 'Mute drums', exact: true }).click();
	for (const stem of manifest.stems) await expect(result.getByTestId(`waveform-${stem}`)).toHaveAttribute('data-dimmed', 'false');

	// axe on a result (its sections open), in both themes.
	await expectNoAxeViolations(page, 'a result', '[data-testid=job][data-open=true]');

	// After a reload the library item carries its analysis, the same as the result had.
	const lufs = await result.getByTestId('analysis-mix-lufs').textContent();
	await expect(page.getByTestId('library-item')).toHaveCount(2);
	await page.reload();
	await openApp(page, 'wasm');
	const item = page.getByTestId('library-item').filter({ hasText: 'second song.wav' });
	await item.getByTestId('library-open').click();
	const saved = item.getByTestId('result');
	await expect(saved).toBeVisible();
	await openSection(saved, 'analysis');
	await expect(saved.getByTestId('analysis-mix-lufs')).toHaveText(lufs!);
	await expect(saved.getByTestId('analysis-key')).not.toBeEmpty();
	await expectNoAxeViolations(page, 'the library with an item open', '[data-testid=library]');
	await page.setViewportSize({ width: 390, height: 844 });
	expect(await smallTargets(page.getByTestId('library'))).toEqual([]);
});

test('npm start (no license service): "Unlock full length" says plainly that purchases are not available here', async ({ page }, info) => {
	// scripts/serve.mjs exactly as `npm start` runs it: the same build, no LICENSE_API_PROXY.
	const port = Number(new URL(info.project.use.baseURL!).port) + 2;
	const env = { ...process.env };
	delete env.LICENSE_API_PROXY;
	const server = spawn(process.execPath, ['scripts/serve.mjs', String(port)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
	try {
		await new Promise<void>((resolve, reject) => {
			server.stdout!.on('data', (d: Buffer) => d.toString().includes('http://') && resolve());
			server.on('exit', (code) => reject(new Error(`serve.mjs exited with ${code}`)));
		});
		await page.goto(`http://127.0.0.1:${port}/?backend=wasm`);
		await expect(page.getByTestId('license-panel')).toHaveAttribute('data-state', 'free');
		await page.getByTestId('unlock').click();
		await expect(page.getByTestId('license-error')).toHaveText(LOCAL_MODE_MESSAGE);
		await expect(page.getByTestId('license-error')).not.toContainText('404');
		await expect(page.getByTestId('unlock')).toBeEnabled();
	} finally {
		server.kill();
	}
});
