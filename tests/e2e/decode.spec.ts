/**
 * Dropped files are read in a worker (input/decode-client.ts): a hostile FLAC (11 KB of CONSTANT
 * frames announcing minutes of 8-channel audio) fails with the reader's own message, and a
 * compressed file still reaches the page's Web Audio decoder through the worker.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { constantFlac } from '../../scripts/lib/fuzz/builders';
import { backendOf, dropFiles, openApp } from './helpers';

test('dropped files are decoded in a worker; compressed ones still through Web Audio', async ({ page }, info) => {
	test.skip(backendOf(info) !== 'wasm', 'reading files does not depend on the backend');
	const workers: string[] = [];
	page.on('worker', (w) => workers.push(w.url()));
	await openApp(page, 'wasm');
	const bomb = constantFlac({ channels: 8, sampleRate: 44100, bitsPerSample: 16, blockSize: 65535, frames: 300, value: 1000 });
	const mp3 = readFileSync(new URL('../fixtures/audio/tone-32k.mp3', import.meta.url));
	await dropFiles(page, [
		{ name: 'bomb.flac', mimeType: 'audio/flac', buffer: Buffer.from(bomb) },
		{ name: 'tone.mp3', mimeType: 'audio/mpeg', buffer: mp3 }
	]);
	const jobs = page.getByTestId('job');
	await expect(jobs.nth(0)).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
	await expect(jobs.nth(0).getByTestId('job-error')).toContainText('which only constant samples (not a recording) compress to');
	await expect(jobs.nth(1)).toHaveAttribute('data-status', /separating|done/, { timeout: 60_000 });
	expect(workers.some((url) => /decode\.worker/.test(url))).toBe(true);
});
