import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { loadManifest } from '../../scripts/lib/model-files';
import { backendOf, downloadZip, dropFiles, openApp, recordRequests, testSong, wavFile } from './helpers';

const dir = 'tests/fixtures/models';
const fixture = loadManifest('fixture-bs-4stem', dir);
const onnx = readFileSync(`${dir}/${fixture.file}`);
const manifestJson = readFileSync(`${dir}/fixture-bs-4stem.json`);
const asFile = (name: string, buffer: Buffer, mimeType = 'application/octet-stream') => ({ name, mimeType, buffer });

async function opfsModelFiles(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const root = await navigator.storage.getDirectory();
		const dir = (await root.getDirectoryHandle('models', { create: true })) as unknown as { keys(): AsyncIterable<string> };
		const names: string[] = [];
		for await (const n of dir.keys()) names.push(n);
		return names.sort();
	});
}

async function separateOnce(page: Page, name: string, jobIndex: number) {
	await dropFiles(page, [wavFile(name, testSong(2))]);
	const job = page.getByTestId('job').nth(jobIndex);
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
}

test('import a model, separate with it, reload, offline, reject bad files, remove it', async ({ page, context }, info) => {
	test.skip(backendOf(info) !== 'wasm', 'model import does not depend on the backend; run it on WASM');
	const requests = recordRequests(context);
	page.on('dialog', (d) => d.accept());
	await openApp(page, 'wasm');
	await page.getByTestId('models-panel').locator('summary').click();
	await expect(page.getByTestId('model-entry')).toHaveCount(1);
	await expect(page.getByTestId('model-storage')).toHaveText('Imported models use 0 B on this device.');

	// Import: a Stemsafe .onnx + manifest (tools/convert.py output) through the file picker.
	await page.getByTestId('model-file-input').setInputFiles([asFile(fixture.file, onnx), asFile('fixture-bs-4stem.json', manifestJson, 'application/json')]);
	await expect(page.getByTestId('import-done')).toContainText(fixture.name, { timeout: 60_000 });
	const imported = page.locator('[data-testid=model-entry][data-kind=imported]');
	await expect(imported).toHaveCount(1);
	await expect(imported).toContainText(`imported from ${fixture.file} + fixture-bs-4stem.json`);
	await expect(imported).toContainText('vocals, drums, bass, other');
	await expect(imported.getByTestId('model-select')).toBeChecked();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 60_000 });
	await expect(page.getByTestId('model-storage')).toHaveText('Imported models use 3.9 MB on this device.');
	const id = await imported.getAttribute('data-model-id');
	expect(await opfsModelFiles(page)).toEqual([`${id}.fp32.onnx`]);

	// Separate with it: the stems are the imported model's.
	await page.getByTestId('overlap').selectOption('better');
	await expect(page.getByTestId('chunking')).toContainText('50 % overlap');
	await separateOnce(page, 'first.wav', 0);
	const stems = await downloadZip(page);
	expect([...stems.keys()].map((n) => n.replace(/^first - /, '').replace(/\.wav$/, '')).sort()).toEqual([...fixture.stems].sort());

	// Reload: still listed, still the active model, overlap remembered.
	await page.reload();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await page.getByTestId('models-panel').locator('summary').click();
	await expect(page.locator(`[data-testid=model-entry][data-model-id="${id}"] [data-testid=model-select]`)).toBeChecked();
	await expect(page.getByTestId('overlap')).toHaveValue('better');

	// Offline: the imported model still loads and separates.
	await expect(page.getByTestId('offline-state')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
	await context.setOffline(true);
	await page.reload();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await page.getByTestId('models-panel').locator('summary').click();
	await expect(page.locator(`[data-testid=model-entry][data-model-id="${id}"] [data-testid=model-select]`)).toBeChecked();
	await separateOnce(page, 'offline.wav', 0);
	await context.setOffline(false);

	// A corrupt model file: a clear message, the installed model untouched.
	const corrupt = Buffer.from(onnx);
	corrupt[2000] ^= 0xff;
	await page.getByTestId('model-file-input').setInputFiles([asFile('broken.onnx', corrupt), asFile('broken.json', manifestJson, 'application/json')]);
	await expect(page.getByTestId('import-error')).toContainText('does not match its manifest', { timeout: 60_000 });
	// A truncated one, and a checkpoint without its yaml.
	await page.getByTestId('model-file-input').setInputFiles([asFile('cut.onnx', onnx.subarray(0, 100_000)), asFile('cut.json', manifestJson, 'application/json')]);
	await expect(page.getByTestId('import-error')).toContainText('cut.onnx has 100000 bytes but cut.json expects 4116843');
	await page.getByTestId('model-file-input').setInputFiles([asFile('model.ckpt', Buffer.from('PK'))]);
	await expect(page.getByTestId('import-error')).toContainText('model.ckpt needs its .yaml config');
	await expect(imported).toHaveCount(1);
	expect(await opfsModelFiles(page)).toEqual([`${id}.fp32.onnx`]);

	// Remove it: the default model comes back, nothing stays on disk.
	await imported.getByTestId('model-remove').click();
	await expect(imported).toHaveCount(0);
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await expect(page.locator('[data-testid=model-entry][data-kind=bundled] [data-testid=model-select]')).toBeChecked();
	await expect(page.getByTestId('model-storage')).toHaveText('Imported models use 0 B on this device.');
	expect(await opfsModelFiles(page)).toEqual([]);

	const origin = new URL(page.url()).origin;
	expect(requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith('blob:') && !r.url.startsWith('data:'))).toEqual([]);
	expect(requests.filter((r) => r.body > 0)).toEqual([]);
});
