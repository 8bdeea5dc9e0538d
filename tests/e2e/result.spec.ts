import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { encodeWav, parseWav } from '../../src/lib/dsp/wav';
import { loadManifest } from '../../scripts/lib/model-files';
import { openSection } from './ui-helpers';
import { backendOf, downloadZip, dropFiles, openApp, testSong, wavFile, watchCsp } from './helpers';

test.beforeEach(({}, info) => test.skip(backendOf(info) !== 'wasm', 'the result view does not depend on the backend; run it on WASM'));

async function seriousAxeViolations(page: Page) {
	const { violations } = await new AxeBuilder({ page }).analyze();
	return violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function inkedColumns(page: Page, testId: string): Promise<number> {
	return page.getByTestId(testId).evaluate((canvas: HTMLCanvasElement) => {
		const g = canvas.getContext('2d')!;
		const { data, width, height } = g.getImageData(0, 0, canvas.width, canvas.height);
		let cols = 0;
		for (let x = 0; x < width; x++) {
			for (let y = 0; y < height; y++) {
				if (data[(y * width + x) * 4 + 3] > 0) {
					cols++;
					break;
				}
			}
		}
		return cols;
	});
}

test('result view: waveforms, seek, zoom, loop, keyboard, preset mix export, phone layout, accessibility', async ({ page }) => {
	const manifest = loadManifest();
	const csp = watchCsp(page);
	await openApp(page, 'wasm');
	expect(await seriousAxeViolations(page)).toEqual([]);

	// The drop zone shows keyboard focus.
	await page.keyboard.press('Tab');
	await page.getByTestId('file-input').focus();
	const outline = await page.getByTestId('dropzone').evaluate((el) => getComputedStyle(el).outlineStyle);
	expect(outline).not.toBe('none');

	await dropFiles(page, [wavFile('test mix.wav', testSong(4))]);
	const job = page.getByTestId('job').first();
	await expect(job.getByRole('progressbar', { name: 'Separating test mix.wav' })).toBeVisible();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 300_000 });

	// A waveform for the mix and for every stem, with ink across its width.
	for (const id of ['mix', ...manifest.stems]) {
		await expect(page.getByTestId(`waveform-${id}`)).toBeVisible();
		const box = (await page.getByTestId(`waveform-${id}`).boundingBox())!;
		expect(await inkedColumns(page, `waveform-${id}`)).toBeGreaterThan(box.width * 0.9);
	}
	// Accessible names carry the stem.
	for (const stem of manifest.stems) {
		await expect(page.getByRole('button', { name: `Solo ${stem}`, exact: true })).toBeVisible();
		await expect(page.getByRole('button', { name: `Download ${stem}`, exact: true })).toBeVisible();
	}

	// Click to seek: the middle of the mix waveform is 2 s of 4 s.
	const time = page.getByTestId('time');
	const mix = page.getByTestId('waveform-mix');
	let box = (await mix.boundingBox())!;
	await mix.click({ position: { x: box.width / 2, y: box.height / 2 } });
	await expect(time).toHaveText(/^0:02\.0\d \/ 0:04\.00$/);

	// Keyboard: Home, Shift+→ seeks 1 s, space plays and pauses.
	await page.locator('.waves').focus();
	await page.keyboard.press('Home');
	await expect(time).toHaveText(/^0:00\.00 /);
	await page.keyboard.press('Shift+ArrowRight');
	await expect(time).toHaveText(/^0:01\.00 /);
	await page.keyboard.press('Space');
	await expect(page.getByTestId('play')).toHaveText('Pause');
	await page.keyboard.press('Space');
	await expect(page.getByTestId('play')).toHaveText('Play');
	// With nothing focused, the keys drive the result too.
	await page.locator('h1').click();
	await page.keyboard.press('ArrowRight');
	await expect(time).toHaveText(/^0:04\.00 /);
	await page.keyboard.press('Home');
	await page.keyboard.press('Space');
	await expect(page.getByTestId('play')).toHaveText('Pause');
	await page.keyboard.press('Space');
	await expect(page.getByTestId('play')).toHaveText('Play');

	// Drag across the waveform: a loop from 1 s to 3 s; play stays inside it.
	await mix.scrollIntoViewIfNeeded();
	box = (await mix.boundingBox())!; // the page may have reflowed since
	await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
	await page.mouse.down();
	await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 4 });
	await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 4 });
	await page.mouse.up();
	await expect(page.getByTestId('loop-region')).toHaveText(/^Loop 0:01\.0\d–0:0(2\.9\d|3\.0\d)$/);
	await expect(time).toHaveText(/^0:01\.0\d /);
	await page.getByTestId('loop-clear').click();
	await expect(page.getByTestId('loop-region')).toHaveCount(0);

	// Zoom in: the view shows half the song, so the waveform's middle is 1 s from the view start.
	await page.getByTestId('zoom-in').click();
	await expect(page.getByTestId('zoom-level')).toHaveText('2×');
	await page.locator('.waves').focus();
	await page.keyboard.press('Home');
	await mix.click({ position: { x: box.width / 2, y: box.height / 2 } });
	await expect(time).toHaveText(/^0:01\.0\d /);

	// Preset export at the current volumes: instrumental with drums at half volume.
	const stems = await downloadZip(page); // also sets the format to 32-bit float
	const file = (s: string) => stems.get(`test mix - ${s} (${manifest.id}).wav`)!;
	await page.getByTestId('volume-drums').fill('0.5');
	await openSection(page.getByTestId('result'), 'mix');
	await page.getByTestId('preset-instrumental').click();
	await expect(page.getByTestId('mix-include-vocals')).not.toBeChecked();
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-mix').click()]);
	expect(download.suggestedFilename()).toBe(`test mix - instrumental (${manifest.id}).wav`);
	const exported = parseWav(new Uint8Array(readFileSync(await download.path())));
	const gains: Record<string, number> = { drums: 0.5 };
	let err = 0;
	let energy = 0;
	for (let c = 0; c < 2; c++) {
		for (let i = 0; i < exported.channels[c].length; i++) {
			let want = 0;
			for (const s of manifest.stems) if (s !== 'vocals') want += (gains[s] ?? 1) * file(s).channels[c][i];
			err += (exported.channels[c][i] - want) ** 2;
			energy += want ** 2;
		}
	}
	expect(energy).toBeGreaterThan(0);
	expect(10 * Math.log10(energy / err)).toBeGreaterThan(100);

	// FLAC is offered next to WAV, then the compressed formats, each marked lossy (export-formats.spec.ts tests them).
	await expect(page.getByTestId('format').locator('option')).toHaveText([
		'WAV 24-bit',
		'WAV 16-bit (dithered)',
		'WAV 32-bit float',
		'FLAC 24-bit',
		'FLAC 16-bit',
		'MP3 320 kbit/s (lossy)',
		'MP3 V0 VBR (lossy)',
		'Ogg Opus 192 kbit/s (lossy)'
	]);

	expect(await seriousAxeViolations(page)).toEqual([]);

	// Phones: nothing scrolls sideways, and the result's controls are touch-sized.
	for (const width of [360, 390, 414]) {
		await page.setViewportSize({ width, height: 844 });
		const sizes = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
		expect(sizes.doc, `document width at ${width} px`).toBeLessThanOrEqual(sizes.view);
	}
	await page.setViewportSize({ width: 390, height: 844 });
	const small = await page.getByTestId('result').evaluate((el) =>
		[...el.querySelectorAll('button, select, input[type=range], input[type=number], label:has(input[type=checkbox])')]
			.map((b) => b.getBoundingClientRect())
			.filter((r) => r.width > 0 && (r.height < 44 || r.width < 44))
			.map((r) => `${r.width}x${r.height}`)
	);
	expect(small).toEqual([]);
	expect(await seriousAxeViolations(page)).toEqual([]);
	expect(csp.violations).toEqual([]); // playback, waveforms and the export worker ran under the CSP
});

test('input exactness: truncated WAV says what was read, a silent file is not separated', async ({ page }) => {
	await openApp(page, 'wasm');
	const full = encodeWav(testSong(3), { format: 'pcm16' });
	const cut = full.slice(0, 44 + 44100 * 4); // 1.0 s of 3.0 s (stereo 16-bit)
	await dropFiles(page, [{ name: 'cut.wav', mimeType: 'audio/wav', buffer: Buffer.from(cut) }]);
	const job = page.getByTestId('job').first();
	await expect(job).toContainText('The file is truncated: 1.0 s of 3.0 s could be read; separating what was read.');
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
	await expect(job).toContainText('The file is truncated');
	await expect(job.getByTestId('time')).toHaveText('0:00.00 / 0:01.00');

	// A very short clip is separated and its times read sensibly.
	await dropFiles(page, [wavFile('blip.wav', testSong(0.25))]);
	const blip = page.getByTestId('job').nth(1);
	await expect(blip).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
	await expect(blip).toContainText('0.25 s of audio separated');
	await expect(blip.getByTestId('time')).toHaveText('0:00.00 / 0:00.25');
	await expect(blip.getByTestId('waveform-mix')).toBeVisible();

	const silent = encodeWav({ sampleRate: 44100, channels: [new Float32Array(44100), new Float32Array(44100)] }, { format: 'pcm16', dither: false });
	await dropFiles(page, [{ name: 'silence.wav', mimeType: 'audio/wav', buffer: Buffer.from(silent) }]);
	const second = page.getByTestId('job').nth(2);
	await expect(second).toHaveAttribute('data-status', 'error');
	await expect(second.getByTestId('job-error')).toHaveText('The file is silent (1.0 s with no sound above −96 dBFS), so there is nothing to separate.');
	await expect(page.getByTestId('result')).toHaveCount(2);
});

test('an offline deep link shows the app', async ({ page, context }) => {
	await openApp(page, 'wasm');
	await expect(page.getByTestId('offline-state')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
	await context.setOffline(true);
	await page.goto('/some/path?x=1');
	await expect(page.getByTestId('dropzone')).toBeVisible();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	expect(new URL(page.url()).search).toBe('?x=1');
});

test('compressed files keep their own sample rate; an ALAC file gets a message naming the codec', async ({ page }) => {
	await openApp(page, 'wasm');
	const fixture = (name: string, mimeType: string) => ({ name, mimeType, buffer: readFileSync(new URL(`../fixtures/audio/${name}`, import.meta.url)) });
	await dropFiles(page, [fixture('tone-48k.opus', 'audio/ogg'), fixture('tone-32k.mp3', 'audio/mpeg'), fixture('tone-alac.m4a', 'audio/mp4')]);
	const jobs = page.getByTestId('job');
	await expect(jobs.nth(0)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
	await expect(jobs.nth(0).locator('.meta')).toHaveText(/^48000 Hz/);
	await expect(jobs.nth(1)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
	await expect(jobs.nth(1).locator('.meta')).toHaveText(/^32000 Hz/);
	for (const i of [0, 1]) await expect(jobs.nth(i)).not.toContainText(/decoder resampled|instead of its own/);
	const alac = jobs.nth(2);
	await expect(alac).toHaveAttribute('data-status', /done|error/, { timeout: 120_000 });
	if ((await alac.getAttribute('data-status')) === 'error') {
		await expect(alac.getByTestId('job-error')).toContainText('Apple Lossless (ALAC)');
		await expect(alac.getByTestId('job-error')).toContainText('Convert it to WAV or FLAC');
	} else {
		await expect(alac.locator('.meta')).toHaveText(/^44100 Hz/); // this browser decodes ALAC itself
	}
	console.log(`ALAC in this chromium: ${await alac.getAttribute('data-status')}`);
});
