import { expect, test } from '@playwright/test';
import { backendOf, dropFiles, exportNormalisedMix, openApp, testSong, wavFile } from './helpers';

test.beforeEach(({}, info) => test.skip(backendOf(info) !== 'wasm', 'analysis does not depend on the backend; run it on WASM'));

test('each result shows loudness, true peak, tempo and key, and a normalised export meets its target and ceiling', async ({ page }) => {
	await openApp(page, 'wasm');
	await dropFiles(page, [wavFile('analysed.wav', testSong(6))]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 300_000 });

	await expect(job.getByTestId('analysis-mix-lufs')).toHaveText(/^-\d+\.\d LUFS$/);
	await expect(job.getByTestId('analysis-bpm')).toHaveText(/^\d+\.\d BPM$/);
	await expect(job.getByTestId('analysis-key')).toHaveText(/ (major|minor)$/);
	const mode = (await job.getByTestId('analysis-key').textContent())!.endsWith('minor') ? 'A' : 'B';
	await expect(job.getByTestId('analysis-key-camelot')).toHaveText(new RegExp(`^(1[0-2]|[1-9])${mode}$`));
	await expect(job.getByRole('table', { name: 'Loudness and true peak of each stem' }).getByRole('row')).toHaveCount(5); // header + 4 stems

	await job.getByTestId('format').selectOption('float32');
	await exportNormalisedMix(page, job);
});
