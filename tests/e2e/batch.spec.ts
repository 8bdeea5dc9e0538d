import { expect, test, type Locator } from '@playwright/test';
import { unzipSync } from 'fflate';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifest } from '../../scripts/lib/model-files';
import { parseWav } from '../../src/lib/dsp/wav';
import { backendOf, dropFiles, openApp, testSong, wavFile } from './helpers';
import { smallTargets } from './ui-helpers';

async function unzipDownload(page: import('@playwright/test').Page, button: Locator): Promise<{ name: string; entries: Record<string, Uint8Array> }> {
	const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
	return { name: download.suggestedFilename(), entries: unzipSync(new Uint8Array(readFileSync(await download.path()))) };
}

// At phone width (390 px): a batch of songs with one file that is not audio, reordered and one
// song cancelled while they wait; the summary at the end, and every song's stems in one zip.
test('a batch: reorder and cancel waiting songs, a summary with the failure, one zip with a folder per song', async ({ page }, info) => {
	test.skip(backendOf(info) === 'webgpu', 'several separations cost minutes each on SwiftShader');
	await page.setViewportSize({ width: 390, height: 844 });
	await openApp(page, 'wasm');
	const manifest = loadManifest();
	const RATE = 44100;

	await dropFiles(page, [
		wavFile('first.wav', testSong(8)),
		{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Setlist: 1. first 2. second\n') },
		wavFile('second.wav', testSong(1.5, RATE, { chord: [220, 277.18, 329.63] })),
		wavFile('extra.wav', testSong(1.5))
	]);
	const jobs = page.getByTestId('job');
	const job = (name: string) => jobs.filter({ hasText: name });
	const names = () => jobs.locator('.file').allTextContents();
	await expect(job('first.wav')).toHaveAttribute('data-status', /decoding|separating/, { timeout: 30_000 });
	await expect(page.getByTestId('batch-eta')).toContainText('Song 1 of 4');

	// waiting songs: 44 px controls, nothing wider than the phone
	for (const id of ['move-up', 'move-down', 'cancel']) {
		const box = (await job('extra.wav').getByTestId(id).boundingBox())!;
		expect(box.width).toBeGreaterThanOrEqual(44);
		expect(box.height).toBeGreaterThanOrEqual(44);
	}
	expect(await smallTargets(page.locator('#jobs'))).toEqual([]);
	expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
	await page.getByTestId('jobs').locator('xpath=..').screenshot({ path: info.outputPath('batch-running-390.png') });
	// the running song cannot be passed; the first waiting one cannot move earlier
	await expect(job('notes.txt').getByTestId('move-up')).toBeDisabled();

	// reorder with the mouse: second.wav before notes.txt
	await job('second.wav').getByTestId('move-up').click();
	expect(await names()).toEqual(['first.wav', 'second.wav', 'notes.txt', 'extra.wav']);
	// and with the keyboard: notes.txt later; the focus stays on the control used
	await job('notes.txt').getByTestId('move-down').focus();
	await page.keyboard.press('Enter');
	expect(await names()).toEqual(['first.wav', 'second.wav', 'extra.wav', 'notes.txt']);
	await expect(job('notes.txt').getByTestId('move-up')).toBeFocused(); // at the end: down is disabled, up has the focus
	// cancel a waiting song with the keyboard
	await job('extra.wav').getByTestId('cancel').focus();
	await page.keyboard.press('Enter');
	await expect(job('extra.wav')).toHaveAttribute('data-status', 'cancelled');
	await expect(page.getByTestId('batch-eta')).toContainText(/Song 1 of 3/);

	// the batch runs in the new order: second.wav, then notes.txt, which fails on its own
	await expect(job('second.wav')).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
	await expect(job('notes.txt')).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
	await expect(job('first.wav')).toHaveAttribute('data-status', 'done');
	const reason = (await job('notes.txt').getByTestId('job-error').textContent())!.trim();
	expect(reason.length).toBeGreaterThan(20);
	await expect(page.getByTestId('result')).toHaveCount(2);

	// the summary: what succeeded, what failed with its reason, what was cancelled
	await expect(page.getByTestId('batch-headline')).toHaveText('2 of 4 songs separated, 1 failed, 1 cancelled');
	await expect(page.getByTestId('batch-failed')).toContainText(`notes.txt: ${reason}`);
	await expect(page.getByTestId('batch-cancelled')).toHaveText('Cancelled: extra.wav');
	await expect(page.getByTestId('batch-progress')).toHaveCount(0);

	await page.getByTestId('jobs').locator('xpath=..').screenshot({ path: info.outputPath('batch-summary-390.png') });
	expect(await smallTargets(page.getByTestId('batch'))).toEqual([]);
	// Download all: one zip, a folder per song, in the format chosen (shared with every result's menu)
	await page.getByTestId('batch-format').selectOption('float32');
	await expect(page.getByTestId('format').first()).toHaveValue('float32');
	const all = await unzipDownload(page, page.getByTestId('download-all'));
	expect(all.name).toBe(`Stemsafe - 2 songs - stems wav32f (${manifest.id}).zip`);
	const stemEntries = (folder: string, song: string) => manifest.stems.map((s) => `${folder}/${song} - ${s} (${manifest.id}).wav`);
	const wavs = Object.keys(all.entries).filter((n) => n.endsWith('.wav'));
	expect(wavs.sort()).toEqual([...stemEntries('first', 'first'), ...stemEntries('second', 'second')].sort());
	expect(Object.keys(all.entries).filter((n) => n.endsWith('.json')).sort()).toEqual(['first/first - analysis.json', 'second/second - analysis.json']);
	expect(Object.keys(all.entries).every((n) => n.startsWith('first/') || n.startsWith('second/'))).toBe(true);
	for (const [song, seconds] of [['first', 8], ['second', 1.5]] as const) {
		for (const name of stemEntries(song, song)) {
			const wav = parseWav(all.entries[name]);
			expect(wav.sampleRate).toBe(RATE);
			expect(wav.channels.map((c) => c.length)).toEqual([Math.round(seconds * RATE), Math.round(seconds * RATE)]);
		}
	}
	// the batch's stems are the songs' own: second.wav's single zip holds the same samples
	const second = job('second.wav');
	if ((await second.getAttribute('data-open')) !== 'true') await second.getByTestId('job-toggle').click();
	const single = await unzipDownload(page, second.getByTestId('download-zip'));
	// the same files as the song's own zip (stems, analysis, MIDI of bass and vocals), in its folder
	expect(Object.keys(all.entries).filter((n) => n.startsWith('second/')).map((n) => n.slice('second/'.length)).sort()).toEqual(Object.keys(single.entries).sort());
	for (const name of stemEntries('second', 'second')) {
		const own = single.entries[name.slice('second/'.length)];
		expect(own, name).toBeDefined();
		const [a, b] = [parseWav(own), parseWav(all.entries[name])];
		for (let c = 0; c < 2; c++) expect(Buffer.from(b.channels[c].buffer, b.channels[c].byteOffset, b.channels[c].byteLength).equals(Buffer.from(a.channels[c].buffer, a.channels[c].byteOffset, a.channels[c].byteLength))).toBe(true);
	}

	// a chosen folder with no audio in it: nothing is queued, and it says what was passed over
	const dir = mkdtempSync(join(tmpdir(), 'stemsafe-folder-'));
	writeFileSync(join(dir, 'cover.jpg'), Buffer.from([0xff, 0xd8, 0xff]));
	writeFileSync(join(dir, 'readme.txt'), 'liner notes');
	await page.getByTestId('folder-input').setInputFiles(dir);
	await expect(page.getByTestId('drop-nothing')).toContainText('No audio files were found there.');
	await expect(page.getByTestId('drop-nothing')).toContainText('Skipped 2 files that are not audio');
	await expect(jobs).toHaveCount(4);
});
