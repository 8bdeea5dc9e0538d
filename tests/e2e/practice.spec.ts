/**
 * Issue 25, tempo and pitch on a result: the practice controls in the result view at 1280 and
 * 390 px (44 px targets), the keys ([ ] - = 0 L), playback through the stretch worklet at the
 * chosen speed (the playhead moves at half the clock's pace at 50 %), and a stem downloaded at
 * 50 % speed twice as long as the one downloaded as recorded, named for what was applied; a song
 * kept on disk played at 50 % from its files and its zip streamed at the practice settings.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { parseWav } from '../../src/lib/dsp/wav';
import { backendOf, dropFiles, openApp, testSong, watchCsp, wavFile } from './helpers';
import { expectNoAxeViolations, smallTargets } from './ui-helpers';

test.beforeEach(({}, info) => test.skip(backendOf(info) !== 'wasm', 'tempo and pitch do not depend on the backend; run it on WASM'));

/** Records the AudioWorklet nodes the page makes (the stretch node's name). */
async function recordWorklets(page: Page) {
	await page.addInitScript(() => {
		const w = window as unknown as { __worklets: string[] };
		w.__worklets = [];
		const Native = AudioWorkletNode;
		window.AudioWorkletNode = class extends Native {
			constructor(ctx: BaseAudioContext, name: string, options?: AudioWorkletNodeOptions) {
				super(ctx, name, options);
				w.__worklets.push(name);
			}
		} as typeof AudioWorkletNode;
	});
}

/** The playhead (s) and the page's clock (s), read together. */
const sample = (job: Locator) =>
	job.getByTestId('position').evaluate((el) => ({ p: Number((el as HTMLInputElement).value), t: performance.now() / 1000 }));

/**
 * How fast the playhead moves against the page's clock over two seconds of playback that has been
 * going for a second (playback is paused after); the stretch worklet must be the one playing.
 */
async function pace(page: Page, job: Locator): Promise<{ pace: number; from: number }> {
	await page.waitForTimeout(1000);
	const a = await sample(job);
	await page.waitForTimeout(2000);
	const b = await sample(job);
	await job.getByTestId('play').click();
	expect(await page.evaluate(() => (window as unknown as { __worklets: string[] }).__worklets)).toContain('signalsmith-stretch');
	return { pace: (b.p - a.p) / (b.t - a.t), from: a.p };
}

async function download(page: Page, button: Locator) {
	const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
	return { name: file.suggestedFilename(), audio: parseWav(new Uint8Array(readFileSync(await file.path()))) };
}

test('practice controls: speed and pitch from buttons and keys, live playback at 50 %, a stem exported at 50 % is twice as long', async ({ page }) => {
	test.setTimeout(600_000);
	const csp = watchCsp(page);
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await recordWorklets(page);
	await page.setViewportSize({ width: 1280, height: 900 });
	await openApp(page, 'wasm');
	await dropFiles(page, [wavFile('practice.wav', testSong(8))]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 300_000 });

	const controls = job.getByTestId('practice-controls');
	await expect(controls).toBeVisible();
	await expect(job.getByTestId('speed-value')).toHaveText('100 %');
	await expect(job.getByTestId('transpose-value')).toHaveText('0 st');

	// a stem as recorded, for its length
	const lane = job.locator('[data-testid^=stem-]').first();
	const stem = ((await lane.getAttribute('data-testid')) ?? '').replace(/^stem-/, '');
	const plain = await download(page, job.getByTestId(`download-${stem}`));
	// the song, the stem and the model: "practice - vocals (model).wav"
	expect(plain.name).toMatch(new RegExp(`^practice - ${stem}( \\([^)]+\\))?\\.wav$`));

	// keys on the mixer: [ twice → 90 %, = twice → +2 st, 0 back to as recorded
	await job.locator('.waves').focus();
	await page.keyboard.press('[');
	await page.keyboard.press('[');
	await page.keyboard.press('=');
	await page.keyboard.press('=');
	await expect(job.getByTestId('speed-value')).toHaveText('90 %');
	await expect(job.getByTestId('transpose-value')).toHaveText('+2 st');
	await expect(job.getByTestId('practice-applied')).toContainText('90% speed, +2 st');
	// axe on the controls, in both themes, with a setting applied
	await expectNoAxeViolations(page, 'practice controls', '[data-testid=practice-controls]');
	await page.keyboard.press('0');
	await expect(job.getByTestId('speed-value')).toHaveText('100 %');
	await expect(job.getByTestId('practice-applied')).toHaveCount(0);
	// L loops four bars (or eight seconds) from the playhead, and again clears it
	await page.keyboard.press('l');
	await expect(job.getByTestId('loop-region')).toBeVisible();
	await expect(job.getByTestId('loop-toggle')).toHaveAttribute('aria-pressed', 'true');
	await page.keyboard.press('l');
	await expect(job.getByTestId('loop-region')).toHaveCount(0);

	// playing as recorded, the slider to 50 %: playback moves over to the stretch node where it was,
	// and the playhead goes on at half the clock's pace
	await job.getByTestId('play').click();
	await page.waitForTimeout(800);
	const before = await sample(job);
	expect(before.p).toBeGreaterThan(0.3);
	await job.getByTestId('speed').fill('50');
	await expect(job.getByTestId('speed-value')).toHaveText('50 %');
	const half = await pace(page, job);
	// it went on from where it was (not from the start)
	expect(half.from).toBeGreaterThanOrEqual(before.p);
	expect(half.pace).toBeGreaterThan(0.35);
	expect(half.pace).toBeLessThan(0.65);

	// the same stem at 50 %: twice as many frames, the name says so
	const slow = await download(page, job.getByTestId(`download-${stem}`));
	expect(slow.name).toBe(plain.name.replace(`practice - ${stem}`, `practice - ${stem} (50% speed)`));
	expect(slow.audio.channels[0].length).toBe(2 * plain.audio.channels[0].length);
	expect(slow.audio.channels.length).toBe(plain.audio.channels.length);

	// a phone: the controls in the result, every one a 44 px target, the buttons work by touch
	await page.setViewportSize({ width: 390, height: 844 });
	await expect(controls).toBeVisible();
	await controls.scrollIntoViewIfNeeded();
	expect(await smallTargets(controls)).toEqual([]);
	await expectNoAxeViolations(page, 'practice controls at 390 px', '[data-testid=practice-controls]');
	await job.getByTestId('transpose-down').click();
	await expect(job.getByTestId('transpose-value')).toHaveText('−1 st');
	await job.getByTestId('speed-up').click();
	await expect(job.getByTestId('speed-value')).toHaveText('55 %');
	const box = await controls.boundingBox();
	expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);

	expect(errors).toEqual([]);
	expect(csp.violations).toEqual([]);
});

test('a song kept on disk (long-song path) plays at 50 % from its files and its zip is written at the practice settings', async ({ page }) => {
	test.setTimeout(600_000);
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await recordWorklets(page);
	await openApp(page, 'wasm');
	// the in-memory limit lowered to 0 (its localStorage override): stems go to the library's files
	await page.evaluate(() => localStorage.setItem('stemsafe:in-memory-stem-bytes', '0'));
	await dropFiles(page, [wavFile('disk song.wav', testSong(4))]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
	const lane = job.locator('[data-testid^=stem-]').first();
	const stem = ((await lane.getAttribute('data-testid')) ?? '').replace(/^stem-/, '');
	const plain = await download(page, job.getByTestId(`download-${stem}`));

	await job.getByTestId('speed').fill('50');
	await job.getByTestId('transpose-up').click();
	await job.getByTestId('transpose-up').click();
	await expect(job.getByTestId('practice-applied')).toContainText('50% speed, +2 st');
	await job.getByTestId('play').click();
	const half = await pace(page, job);
	expect(half.pace).toBeGreaterThan(0.35);
	expect(half.pace).toBeLessThan(0.65);

	// the zip, streamed from the files by the export worker: every stem twice as long, every name says what was applied
	const [zipFile] = await Promise.all([page.waitForEvent('download'), job.getByTestId('download-zip').click()]);
	expect(zipFile.suggestedFilename()).toMatch(/^disk song - stems wav24 \(50% speed, \+2 st\)( \([^)]+\))?\.zip$/);
	const entries = unzipSync(new Uint8Array(readFileSync(await zipFile.path())));
	const wavs = Object.entries(entries).filter(([name]) => name.endsWith('.wav'));
	expect(wavs.length).toBeGreaterThanOrEqual(2);
	for (const [name, bytes] of wavs) {
		expect(name).toContain(' (50% speed, +2 st)');
		expect(parseWav(bytes).channels[0].length).toBe(2 * plain.audio.channels[0].length);
	}
	expect(errors).toEqual([]);
});
