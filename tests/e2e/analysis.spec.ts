import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { measureLoudness } from '../../src/lib/dsp/loudness/loudness';
import { parseWav } from '../../src/lib/dsp/wav';
import { backendOf, dropFiles, openApp, testSong, wavFile } from './helpers';

test.beforeEach(({}, info) => test.skip(backendOf(info) !== 'wasm', 'analysis does not depend on the backend; run it on WASM'));

test('each result shows loudness, true peak, tempo and key, and a normalised export meets its target and ceiling', async ({ page }) => {
	await openApp(page, 'wasm');
	await dropFiles(page, [wavFile('analysed.wav', testSong(6))]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 300_000 });

	await expect(job.getByTestId('analysis-mix-lufs')).toHaveText(/^-\d+\.\d LUFS$/);
	await expect(job.getByTestId('analysis-bpm')).toHaveText(/^\d+\.\d BPM$/);
	await expect(job.getByTestId('analysis-key')).toHaveText(/ (major|minor)$/);
	await expect(job.getByRole('table', { name: 'Loudness and true peak of each stem' }).getByRole('row')).toHaveCount(5); // header + 4 stems

	await job.getByTestId('format').selectOption('float32');
	await job.getByTestId('loudness-target').selectOption('streaming');
	await job.getByTestId('loudness-ceiling').fill('-1.5');
	const [download] = await Promise.all([page.waitForEvent('download'), job.getByTestId('download-mix').click()]);
	await expect(job.getByTestId('loudness-outcome')).toContainText('Normalised to');
	const mix = parseWav(new Uint8Array(readFileSync(await download.path())));
	const m = measureLoudness(mix.channels, mix.sampleRate);
	expect(Math.abs(m.integrated - -14)).toBeLessThanOrEqual(0.5);
	expect(m.truePeak).toBeLessThanOrEqual(-1.5);
});
