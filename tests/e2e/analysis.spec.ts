import { expect, test } from '@playwright/test';
import { openSection } from './ui-helpers';
import { backendOf, dropFiles, exportNormalisedMix, openApp, testSong, wavFile } from './helpers';

test.beforeEach(({}, info) => test.skip(backendOf(info) !== 'wasm', 'analysis does not depend on the backend; run it on WASM'));

test('each result shows loudness, true peak, tempo and key, and a normalised export meets its target and ceiling', async ({ page }) => {
	await openApp(page, 'wasm');
	// C E G over a bass alternating A1 and C2 (C or Am7): A minor or C major, too close to call
	await dropFiles(page, [wavFile('analysed.wav', testSong(6, 44100, { chord: [261.63, 329.63, 392], bass: [55, 65.41] }))]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 300_000 });

	await expect(job.getByTestId('analysis-mix-lufs')).toHaveText(/^-\d+\.\d LUFS$/);
	await expect(job.getByTestId('analysis-bpm')).toHaveText(/^\d+\.\d BPM$/);
	await expect(job.getByTestId('analysis-key')).toHaveText('A minor');
	await expect(job.getByTestId('analysis-key-camelot')).toHaveText('8A');
	await expect(job.getByTestId('analysis-key-alternative')).toHaveText('C major · 8B');
	await openSection(job, 'analysis');
	await expect(job.getByRole('table', { name: 'Loudness and true peak of each stem' }).getByRole('row')).toHaveCount(5); // header + 4 stems

	await job.getByTestId('format').selectOption('float32');
	const workers: string[] = [];
	page.on('worker', (w) => workers.push(w.url()));
	await openSection(job, 'mix');
	await exportNormalisedMix(page, job);
	// normalised and encoded off the page's thread
	expect(workers.some((url) => url.includes('export.worker'))).toBe(true);
});
