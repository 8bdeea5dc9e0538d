/**
 * Peak memory and time of the app's whole import of a checkpoint + yaml (src/lib/models/import
 * pipeline, the code the import worker runs): the checkpoint is a Blob over the file on disk
 * (read in slices, as File.slice in a browser), converted by the TS builder, hashed and written
 * part by part to a folder on disk (as OPFS), fp16 variant too when asked. Prints the peak RSS
 * sampled every 20 ms next to the fp32 weight bytes.
 * usage: node scripts/run-ts.mjs scripts/measure-import-pipeline.ts CKPT YAML [fp32|fp32+fp16] [chunkSeconds]
 * A full-size random checkpoint: /usr/bin/python3 tools/make_random_checkpoint.py CONFIG.yaml OUT.ckpt
 */
import { openAsBlob } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkpointConverter } from '../src/lib/models/import/converter';
import { importModel, type ImportFile } from '../src/lib/models/import/pipeline';
import { ModelStore, type FileFolder, type RecordStore } from '../src/lib/models/store/store';

const [ckptPath, yamlPath, variants = 'fp32', chunk] = process.argv.slice(2);
if (!ckptPath || !yamlPath) throw new Error('usage: measure-import-pipeline.ts CKPT YAML [fp32|fp32+fp16] [chunkSeconds]');

const dir = await mkdtemp(join(tmpdir(), 'stemsafe-import-'));
const folder: FileFolder = {
	async write(name, parts, signal) {
		const fh = await open(join(dir, name), 'w');
		try {
			for await (const p of parts) {
				signal?.throwIfAborted();
				await fh.write(p);
			}
		} catch (e) {
			await fh.close();
			await unlink(join(dir, name));
			throw e;
		}
		await fh.close();
	},
	read: async (name) => new Uint8Array(await readFile(join(dir, name))).buffer,
	remove: (name) => unlink(join(dir, name)),
	list: () => readdir(dir)
};
const map = new Map<string, unknown>();
const records: RecordStore = {
	get: async (k) => map.get(k),
	set: async (k, v) => void map.set(k, v),
	del: async (k) => void map.delete(k),
	entries: async () => [...map.entries()]
};

const asFile = async (path: string): Promise<ImportFile> => Object.assign(await openAsBlob(path), { name: basename(path) });
const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const timer = setInterval(sample, 20);
const base = process.memoryUsage().rss;
const started = performance.now();
let lastStage = '';
const model = await importModel(
	[await asFile(ckptPath), await asFile(yamlPath)],
	{
		store: new ModelStore(folder, records),
		takenIds: async () => [],
		converter: checkpointConverter(),
		caps: { webgpu: true, shaderF16: variants.includes('fp16') }
	},
	{
		chunkSeconds: chunk ? Number(chunk) : null,
		onProgress: (p) => {
			if (p.stage !== lastStage) console.log(`${((performance.now() - started) / 1000).toFixed(1)} s: ${p.stage} (${p.detail})`);
			lastStage = p.stage;
		}
	}
);
sample();
clearInterval(timer);
const seconds = (performance.now() - started) / 1000;
const weights = (model.params ?? 0) * 4;
const sizes = await Promise.all(Object.values(model.variants).map(async (v) => `${v.name} ${mb((await stat(join(dir, v.name))).size)}`));
console.log(`checkpoint ${mb((await stat(ckptPath)).size)}, ${model.params} params (${mb(weights)} as fp32), chunk ${model.manifest.chunk.frames} frames`);
console.log(`stored: ${sizes.join(', ')} in ${seconds.toFixed(1)} s`);
console.log(`RSS before ${mb(base)}, peak ${mb(peak)}: ${((peak - base) / weights).toFixed(2)} x the fp32 weight bytes above the baseline`);
await rm(dir, { recursive: true });
