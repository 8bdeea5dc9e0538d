import { expect, test } from '@playwright/test';
import { backendOf, dropFiles, openApp, testSong, wavFile } from './helpers';

// A chunk cannot be interrupted (on SwiftShader WebGPU one runs for minutes), so a cancel that
// the worker does not honour between chunks terminates it and a fresh worker takes over.
test('cancel stops a running job promptly and the next job runs', async ({ page }, info) => {
	const backend = backendOf(info);
	test.skip(backend === 'webgpu', 'a second separation costs minutes on SwiftShader; the next test cancels on WebGPU');
	await openApp(page, backend);
	await dropFiles(page, [wavFile('long.wav', testSong(40))]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'separating', { timeout: 30_000 });
	await page.waitForTimeout(1500);
	await job.getByTestId('cancel').click();
	await expect(job).toHaveAttribute('data-status', 'cancelled', { timeout: 15_000 });
	await dropFiles(page, [wavFile('short.wav', testSong(1))]);
	await expect(page.getByTestId('job').nth(1)).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
});

test('on a GPU chunk that runs for minutes, progress explains itself and cancel still stops at once', async ({ page }, info) => {
	test.skip(backendOf(info) !== 'webgpu', 'needs the slow (software) WebGPU adapter');
	await openApp(page, 'webgpu');
	await expect(page.getByTestId('gpu-note')).toContainText('software emulation');
	await dropFiles(page, [wavFile('gpu.wav', testSong(4))]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'separating', { timeout: 30_000 });
	await expect(job.getByTestId('progress-note')).toContainText('Measuring speed on the first of', { timeout: 30_000 });
	await job.getByTestId('cancel').click();
	await expect(job).toHaveAttribute('data-status', 'cancelled', { timeout: 15_000 });
	await expect(page.getByTestId('model-state')).toHaveText('Model ready');
});
