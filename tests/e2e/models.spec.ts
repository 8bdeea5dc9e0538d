import { expect, test, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specFromYaml } from '../../src/lib/models/config';
import { expectedShapes } from '../../src/lib/models/onnx';
import { loadManifest } from '../../scripts/lib/model-files';
import { Graph } from '../../src/lib/models/onnx/graph';
import { serializeModel } from '../../src/lib/models/onnx/serialize';
import { backendOf, downloadZip, dropFiles, openApp, recordRequests, testSong, wavFile, watchCsp } from './helpers';

// A small ZFTurbo-style BS-Roformer checkpoint + yaml (tools/make_checkpoint_fixtures.py) and a
// Stemsafe .onnx + manifest (tools/make_fixture_models.py).
const ckptDir = 'tests/fixtures/checkpoints';
const modelDir = 'tests/fixtures/models';
const fixture = loadManifest('fixture-bs-4stem', modelDir);
const onnx = readFileSync(`${modelDir}/${fixture.file}`);
const manifestJson = readFileSync(`${modelDir}/fixture-bs-4stem.json`);
const ckpt = readFileSync(`${ckptDir}/tiny-bs.ckpt`);
const file = (name: string, buffer: Buffer) => ({ name, mimeType: 'application/octet-stream', buffer });
const fromDir = (name: string) => file(name, readFileSync(`${ckptDir}/${name}`));

async function opfsModelFiles(page: Page): Promise<string[]> {
	return page.evaluate(async () => {
		const root = await navigator.storage.getDirectory();
		const dir = (await root.getDirectoryHandle('models', { create: true })) as unknown as { keys(): AsyncIterable<string> };
		const names: string[] = [];
		for await (const n of dir.keys()) names.push(n);
		return names.sort();
	});
}

async function openPanel(page: Page) {
	await page.getByTestId('models-panel').locator('summary').click();
}

async function addModel(page: Page, files: ReturnType<typeof file>[]) {
	await page.getByTestId('model-file-input').setInputFiles(files);
}

async function separate(page: Page, name: string): Promise<string[]> {
	while (await page.getByTestId('job').count()) await page.getByTestId('job').first().getByRole('button', { name: /^Remove / }).click();
	await dropFiles(page, [wavFile(name, testSong(2))]);
	await expect(page.getByTestId('job').first()).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
	const stems = await downloadZip(page);
	return [...stems.keys()].map((n) => n.replace(`${name.replace(/\.wav$/, '')} - `, '').replace(/\.wav$/, '').replace(/ \([^)]*\)$/, '')).sort(); // "<song> - <stem> (<model>).wav"
}

/** An ONNX with UVR MDX-Net's interface ([1, 4, dim_f, dim_t] in and out) that halves the spectrum. */
async function smallMdxModel(dimF: number, dimT: number): Promise<Buffer> {
	const g = new Graph('float32');
	const dims = [1, 4, dimF, dimT];
	g.output(g.op('Mul', [g.input('input', 'float32', dims), g.scalar(0.5)]), 'output', 'float32', dims);
	const { parts } = await serializeModel(g);
	return Buffer.concat(parts);
}

const selected = (page: Page, id: string) => page.locator(`[data-testid=model-entry][data-model-id="${id}"] [data-testid=model-select]`);

test('import a checkpoint + yaml, separate, reload, offline, bad files, remove', async ({ page, context }, info) => {
	test.skip(backendOf(info) !== 'wasm', 'model import does not depend on the backend; run it on WASM');
	const requests = recordRequests(context);
	page.on('dialog', (d) => d.accept());
	const csp = watchCsp(page);
	await openApp(page, 'wasm');
	await openPanel(page);
	await expect(page.getByTestId('model-entry')).toHaveCount(1);
	await expect(page.getByTestId('model-storage')).toHaveText('Imported models use 0 B on this device.');

	// A checkpoint + its yaml, converted in the browser.
	await addModel(page, [fromDir('tiny-bs.ckpt'), fromDir('tiny-bs.yaml')]);
	await expect(page.getByTestId('import-done')).toContainText('Added “tiny-bs” (vocals, other; 5.3k parameters)', { timeout: 120_000 });
	const imported = page.locator('[data-testid=model-entry][data-kind=imported]');
	await expect(imported).toHaveCount(1);
	await expect(imported).toContainText('imported from tiny-bs.ckpt + tiny-bs.yaml');
	const id = (await imported.getAttribute('data-model-id'))!;
	await expect(selected(page, id)).toBeChecked();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 60_000 });
	expect(await opfsModelFiles(page)).toEqual([`${id}.fp32.onnx`]);

	await expect(page.getByTestId('overlap')).toHaveValue('model');
	await expect(page.getByTestId('chunking')).toContainText('50 % overlap'); // tiny-bs.yaml: inference.num_overlap 2
	await page.getByTestId('overlap').selectOption('fast');
	await expect(page.getByTestId('chunking')).toContainText('12.5 % overlap');
	expect(await separate(page, 'first.wav')).toEqual(['other', 'vocals']);

	// Reload: still listed and active, overlap remembered.
	await page.reload();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await openPanel(page);
	await expect(selected(page, id)).toBeChecked();
	await expect(page.getByTestId('overlap')).toHaveValue('fast');

	// Offline: the imported model still loads and separates.
	await expect(page.getByTestId('offline-state')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
	await context.setOffline(true);
	await page.reload();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await openPanel(page);
	await expect(selected(page, id)).toBeChecked();
	expect(await separate(page, 'offline.wav')).toEqual(['other', 'vocals']);
	await context.setOffline(false);

	// Bad input: a clear message each time, the installed model untouched.
	const error = page.getByTestId('import-error');
	await addModel(page, [file('cut.ckpt', ckpt.subarray(0, ckpt.length - 3000)), fromDir('tiny-bs.yaml')]);
	await expect(error).toContainText('Could not add cut.ckpt + tiny-bs.yaml: cut.ckpt could not be read:');
	await addModel(page, [fromDir('tiny-bs.ckpt'), fromDir('tiny-mel.yaml')]);
	await expect(error).toContainText("tiny-mel.yaml: the checkpoint's weights are a BS-Roformer, but the config describes a Mel-Band-Roformer");
	const corrupt = Buffer.from(onnx);
	corrupt[2000] ^= 0xff;
	await addModel(page, [file('broken.onnx', corrupt), file('broken.json', manifestJson)]);
	await expect(error).toContainText('does not match its manifest');
	await addModel(page, [fromDir('tiny-bs.ckpt')]);
	await expect(error).toContainText('tiny-bs.ckpt needs its .yaml config');
	await expect(imported).toHaveCount(1);
	await expect(selected(page, id)).toBeChecked();
	expect(await opfsModelFiles(page)).toEqual([`${id}.fp32.onnx`]);

	// A Stemsafe .onnx + manifest (tools/convert.py output): verified and stored, becomes active.
	await addModel(page, [file(fixture.file, onnx), file('fixture-bs-4stem.json', manifestJson)]);
	await expect(page.getByTestId('import-done')).toContainText(fixture.name, { timeout: 60_000 });
	await expect(imported).toHaveCount(2);
	const second = (await imported.nth(1).getAttribute('data-model-id'))!;
	await expect(selected(page, second)).toBeChecked();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 60_000 });

	// A UVR MDX-Net .onnx that UVR's table does not know: settings entered in the form.
	await addModel(page, [file('my-mdx.onnx', await smallMdxModel(256, 8))]);
	await expect(error).toContainText("my-mdx.onnx is not in Ultimate Vocal Remover's MDX-Net model table");
	await expect(page.getByTestId('mdx-dimf')).toHaveValue('256'); // read from the model's input
	await expect(page.getByTestId('mdx-dimt')).toHaveValue('3');
	await page.getByTestId('mdx-nfft').fill('4096');
	await page.getByTestId('mdx-compensate').fill('1');
	await page.getByTestId('mdx-import').click();
	await expect(page.getByTestId('import-done')).toContainText('Added “my-mdx” (vocals, instrumental', { timeout: 60_000 });
	await expect(imported).toHaveCount(3);
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 60_000 });
	expect(await separate(page, 'mdx.wav')).toEqual(['instrumental', 'vocals']);
	await imported.nth(2).getByTestId('model-remove').click();
	await expect(imported).toHaveCount(2);
	await selected(page, second).check();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 60_000 });

	// Remove the active model: the default comes back. Then the other one: nothing stays on disk.
	await page.locator(`[data-testid=model-entry][data-model-id="${second}"] [data-testid=model-remove]`).click();
	await expect(imported).toHaveCount(1);
	await expect(page.locator('[data-testid=model-entry][data-kind=bundled] [data-testid=model-select]')).toBeChecked();
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 120_000 });
	await imported.getByTestId('model-remove').click();
	await expect(imported).toHaveCount(0);
	await expect(page.getByTestId('model-storage')).toHaveText('Imported models use 0 B on this device.');
	expect(await opfsModelFiles(page)).toEqual([]);

	const origin = new URL(page.url()).origin;
	expect(requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith('blob:') && !r.url.startsWith('data:'))).toEqual([]);
	expect(requests.filter((r) => r.body > 0)).toEqual([]);
	expect(csp.violations).toEqual([]); // importing (the import worker, its WASM) ran under the CSP
});

/** A random-weight BS-Roformer large enough (about 150 MB) that converting it takes seconds:
 * tiny-bs.yaml with dim 512, depth 6, 8 heads; written as .safetensors with every expected key. */
function largeCheckpoint(): { dir: string; ckpt: string; yaml: string } {
	const yamlText = readFileSync(`${ckptDir}/tiny-bs.yaml`, 'utf8')
		.replace('  dim: 8\n', '  dim: 512\n')
		.replace('  depth: 1\n', '  depth: 6\n')
		.replace('  dim_head: 8\n', '  dim_head: 64\n')
		.replace('  heads: 1\n', '  heads: 8\n')
		.replace('  mlp_expansion_factor: 1\n', '  mlp_expansion_factor: 4\n');
	const shapes = expectedShapes(specFromYaml(yamlText).config);
	const header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> = {};
	let offset = 0;
	for (const [name, shape] of shapes) {
		const bytes = 4 * shape.reduce((a, b) => a * b, 1);
		header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes] };
		offset += bytes;
	}
	const json = Buffer.from(JSON.stringify(header));
	const data = Buffer.alloc(offset);
	let seed = 1;
	for (let i = 0; i < offset; i += 4) data.writeFloatLE((((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) - 0.5) * 0.05, i);
	const len = Buffer.alloc(8);
	len.writeBigUInt64LE(BigInt(json.length));
	const dir = mkdtempSync(join(tmpdir(), 'stemsafe-e2e-'));
	const ckpt = join(dir, 'large.safetensors');
	const yaml = join(dir, 'large.yaml');
	writeFileSync(ckpt, Buffer.concat([len, json, data]));
	writeFileSync(yaml, yamlText);
	return { dir, ckpt, yaml };
}

test('cancelling an import stops it and stores nothing', async ({ page }, info) => {
	test.skip(backendOf(info) !== 'wasm', 'model import does not depend on the backend; run it on WASM');
	const { dir, ckpt, yaml } = largeCheckpoint();
	try {
		expect(readFileSync(ckpt).length).toBeGreaterThan(100e6);
		await openApp(page, 'wasm');
		await openPanel(page);
		await page.getByTestId('model-file-input').setInputFiles([ckpt, yaml]);
		await expect(page.getByTestId('import-recognised')).toContainText('Roformer checkpoint + config');
		await expect(page.getByTestId('import-progress')).toContainText(/Converting|Saving/, { timeout: 60_000 });
		await page.getByTestId('import-cancel').click();
		await expect(page.getByTestId('import-cancelled')).toHaveText('Import cancelled; nothing was stored.', { timeout: 60_000 });
		await expect(page.locator('[data-testid=model-entry][data-kind=imported]')).toHaveCount(0);
		await expect(page.getByTestId('model-storage')).toHaveText('Imported models use 0 B on this device.');
		expect(await opfsModelFiles(page)).toEqual([]);
		await expect(page.getByTestId('model-state')).toHaveText('Model ready');
	} finally {
		rmSync(dir, { recursive: true, force: true }); // the page reads the files until the end
	}
});
