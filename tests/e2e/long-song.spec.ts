/**
 * The bounded-memory path (long songs) with a short clip: the in-memory limit is lowered to
 * 0 through its localStorage override, so the worker writes the stems into the library's
 * files and the page plays and exports from them. The files must hold the same stems as
 * the in-memory path, and the streamed zip must unpack to the same WAV files and analysis.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { loadManifest } from '../../scripts/lib/model-files';
import type { AudioData } from '../../src/lib/dsp/audio';
import { decodeFlac } from '../../src/lib/dsp/flac/decode';
import { parseWav } from '../../src/lib/dsp/wav';
import { openSection } from './ui-helpers';
import { backendOf, dropFiles, exportNormalisedMix, openApp, testSong, wavFile } from './helpers';


async function zipOf(page: Page, result: Locator): Promise<{ stems: Map<string, AudioData>; analysis: Record<string, unknown> }> {
	await result.getByTestId('format').selectOption('float32');
	const [download] = await Promise.all([page.waitForEvent('download'), result.getByTestId('download-zip').click()]);
	const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
	const json = Object.entries(files).find(([name]) => name.endsWith(' - analysis.json'));
	expect(json, 'the zip carries the analysis').toBeTruthy();
	const { mix, stems, tempoBpm, key } = JSON.parse(new TextDecoder().decode(json![1]));
	return {
		stems: new Map(Object.entries(files).filter(([name]) => name.endsWith('.wav')).map(([name, bytes]) => [name.replace(/^.* - | \(.*$/g, ''), parseWav(bytes)])),
		analysis: { mix, stems, tempoBpm, key }
	};
}

test('a song above the in-memory limit is separated into files, played and exported from them', async ({ page }, info) => {
	test.skip(backendOf(info) !== 'wasm', 'backend-independent: runs on WASM only');
	await openApp(page, 'wasm');
	const song = testSong(3);
	const workers: string[] = [];
	page.on('worker', (w) => workers.push(w.url()));
	await page.evaluate(() => localStorage.setItem('stemsafe:in-memory-stem-bytes', '0'));
	await dropFiles(page, [wavFile('long.wav', song)]);
	const diskJob = page.getByTestId('job').first();
	await expect(diskJob).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
	const disk = diskJob.getByTestId('result');
	await expect(disk).toContainText('played and exported from disk');
	await expect(disk.getByTestId('disk-note')).toHaveCount(0, { timeout: 60_000 }); // waveforms read from the files
	await expect(disk.locator('canvas')).toHaveCount(loadManifest().stems.length + 1);

	// The library record was written before the stems, and is complete with every stem.
	const records = await page.evaluate(
		() =>
			new Promise<{ status: string; frames: number; stems: { complete: boolean; frames: number }[]; analysis?: { key: unknown } }[]>((resolve, reject) => {
				const open = indexedDB.open('stemsafe-library');
				open.onerror = () => reject(open.error);
				open.onsuccess = () => {
					const req = open.result.transaction('keyval').objectStore('keyval').getAll();
					req.onsuccess = () => (open.result.close(), resolve(req.result));
				};
			})
	);
	expect(records).toHaveLength(1);
	expect(records[0].status).toBe('complete');
	expect(records[0].stems.every((s) => s.complete && s.frames === song.channels[0].length)).toBe(true);
	expect(records[0].analysis, 'the analysis is kept with the item').toBeTruthy();

	// Playback streams from disk: the clock moves.
	await disk.getByTestId('play').click();
	await expect.poll(async () => disk.getByTestId('time').textContent(), { timeout: 20_000 }).not.toMatch(/^0:00\.0/);
	await disk.getByTestId('play').click();

	// Stems on disk are measured as they are written: the same analysis as in memory (below).
	await expect(diskJob.getByTestId('analysis-mix-lufs')).toHaveText(/^-?\d+\.\d LUFS$/);
	const { stems: fromDisk, analysis: diskAnalysis } = await zipOf(page, disk);

	// The same song through the in-memory path.
	await page.evaluate(() => localStorage.removeItem('stemsafe:in-memory-stem-bytes'));
	await dropFiles(page, [wavFile('short.wav', song)]);
	const memJob = page.getByTestId('job').nth(1);
	await expect(memJob).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
	const memory = memJob.getByTestId('result');
	await expect(memory).not.toContainText('from disk');
	const { stems: inMemory, analysis: memoryAnalysis } = await zipOf(page, memory);
	expect(diskAnalysis).toEqual(memoryAnalysis);

	expect([...fromDisk.keys()].sort()).toEqual([...inMemory.keys()].sort());
	expect(fromDisk.size).toBe(loadManifest().stems.length);
	for (const [name, a] of fromDisk) {
		const b = inMemory.get(name)!;
		expect(a.sampleRate).toBe(b.sampleRate);
		expect(a.channels.length).toBe(b.channels.length);
		a.channels.forEach((ch, c) => {
			expect(ch.length).toBe(song.channels[0].length);
			let worst = 0;
			for (let i = 0; i < ch.length; i++) worst = Math.max(worst, Math.abs(ch[i] - b.channels[c][i]));
			expect(worst, `${name} channel ${c}`).toBeLessThan(1e-6);
		});
	}

	// One stem on its own, streamed: the same samples as in the zip. (The newer result folded the first one away.)
	await expect(disk).toBeHidden();
	await diskJob.getByTestId('job-toggle').click();
	await expect(disk).toBeVisible();
	const stem = loadManifest().stems[0];
	const [one] = await Promise.all([page.waitForEvent('download'), disk.getByTestId(`download-${stem}`).click()]);
	const single = parseWav(new Uint8Array(readFileSync(await one.path())));
	expect(Array.from(single.channels[0].subarray(0, 1000))).toEqual(Array.from(fromDisk.get(stem)!.channels[0].subarray(0, 1000)));

	// FLAC from disk: a stem (STREAMINFO written over at the end) and the zip (MD5 announced by a
	// first pass over each stem, the zip cannot be patched): the MD5 checks in both.
	await disk.getByTestId('format').selectOption('flac24');
	const [flacStem] = await Promise.all([page.waitForEvent('download'), disk.getByTestId(`download-${stem}`).click()]);
	expect(flacStem.suggestedFilename()).toMatch(/\.flac$/);
	const flac = decodeFlac(new Uint8Array(readFileSync(await flacStem.path())));
	expect(flac.md5).toBe('ok');
	expect(flac.channels[0].length).toBe(song.channels[0].length);
	flac.channels.forEach((ch, c) => {
		let worst = 0;
		for (let i = 0; i < ch.length; i++) worst = Math.max(worst, Math.abs(ch[i] - fromDisk.get(stem)!.channels[c][i]));
		expect(worst, `FLAC ${stem} channel ${c}`).toBeLessThanOrEqual(2 ** -23 + 1e-7); // 24-bit rounding
	});
	const [flacZip] = await Promise.all([page.waitForEvent('download'), disk.getByTestId('download-zip').click()]);
	const zipped = Object.entries(unzipSync(new Uint8Array(readFileSync(await flacZip.path())))).filter(([name]) => name.endsWith('.flac'));
	expect(zipped).toHaveLength(loadManifest().stems.length);
	for (const [name, bytes] of zipped) {
		const decoded = decodeFlac(bytes);
		expect(decoded.channels[0].length, name).toBe(song.channels[0].length);
		expect(decoded.md5, name).toBe('ok');
	}
	await disk.getByTestId('format').selectOption('float32');

	// A loudness-normalised mix from disk meets its target and ceiling (one pass over the files per trial).
	await openSection(disk, 'mix');
	const mix = await exportNormalisedMix(page, disk);
	expect(mix.channels[0].length).toBe(song.channels[0].length);
	// the files above were written in the export worker (one, reused), not on the page's thread
	expect(workers.filter((url) => url.includes('export.worker'))).toHaveLength(1);
});
