// npm run convert -- --checkpoint FILE --config FILE --out DIR [--arch bs_roformer|mel_band_roformer]
//   [--id ID] [--name NAME] [--precision fp32|fp16] [--chunk-frames N] [--description TEXT]
//   [--trained-on TEXT] [--untrained] [--replace MANIFEST]
// --config takes a ZFTurbo yaml or tools/train.py's config.json.
// --replace MANIFEST: rebuild an existing model's graph from its weights (e.g. recovered with
//   tools/onnx_to_checkpoint.py) and keep that manifest's id, name, description, training and
//   quality; refused unless the new graph's output matches the old one's to 1e-4 on a test chunk.
// The same TypeScript the browser's import runs (src/lib/models/import-roformer.ts): a ZFTurbo / UVR
// BS-Roformer or Mel-Band-Roformer checkpoint (.ckpt/.pth/.pt, .safetensors) + its yaml ->
// OUT/<id>.onnx + OUT/<id>.json (the manifest tools/convert.py writes). No Python.
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { importRoformerCheckpoint } from '../src/lib/models/import-roformer';
import { manifestJson, type ConvertedManifest } from '../src/lib/models/manifest';
import { joinParts } from '../src/lib/models/onnx/serialize';
import type { ModelSpec, RoformerArch } from '../src/lib/models/types';
import { hashFloat32 } from './lib/hash-weights';
import { nodeFileSource } from './lib/node-byte-source';

const USAGE =
	'usage: npm run convert -- --checkpoint FILE --config FILE --out DIR [--arch bs_roformer|mel_band_roformer] ' +
	'[--id ID] [--name NAME] [--precision fp32|fp16] [--chunk-frames N] [--description TEXT] [--trained-on TEXT] [--untrained] [--replace MANIFEST]';

export async function main(argv: string[]): Promise<void> {
	const { values } = parseArgs({
		args: argv,
		options: {
			checkpoint: { type: 'string' },
			config: { type: 'string' },
			out: { type: 'string' },
			arch: { type: 'string' },
			id: { type: 'string' },
			name: { type: 'string' },
			precision: { type: 'string', default: 'fp32' },
			'chunk-frames': { type: 'string' },
			description: { type: 'string', default: '' },
			'trained-on': { type: 'string' },
			untrained: { type: 'boolean', default: false },
			replace: { type: 'string' },
			help: { type: 'boolean', default: false }
		}
	});
	if (values.help) return void console.log(USAGE);
	if (!values.checkpoint || !values.config || !values.out) throw new Error(`--checkpoint, --config and --out are required\n${USAGE}`);
	if (values.arch && values.arch !== 'bs_roformer' && values.arch !== 'mel_band_roformer') {
		throw new Error(`--arch must be bs_roformer or mel_band_roformer, got ${values.arch}`);
	}
	if (values.precision !== 'fp32' && values.precision !== 'fp16') throw new Error(`--precision must be fp32 or fp16`);
	const source = basename(values.checkpoint);
	const old = values.replace ? (JSON.parse(await readFile(values.replace, 'utf8')) as ConvertedManifest) : null;
	const id = old?.id ?? values.id ?? source.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9._-]+/g, '-');
	const started = performance.now();
	const src = await nodeFileSource(values.checkpoint);
	let lastPercent = -1;
	try {
		const result = await importRoformerCheckpoint({
			checkpoint: src,
			configText: await readFile(values.config, 'utf8'),
			arch: (values.arch as RoformerArch | undefined) ?? null,
			id,
			name: values.name ?? id,
			sourceName: source,
			precision: values.precision,
			chunkFrames: values['chunk-frames'] ? Number(values['chunk-frames']) : undefined,
			description: values.description,
			untrained: values.untrained,
			trainedOn: values['trained-on'] ?? null,
			onProgress: (f) => {
				const p = Math.floor(f * 10) * 10;
				if (p !== lastPercent) process.stderr.write(`\rbuilding ${(lastPercent = p)}%`);
			},
			sha256: (parts) => {
				const h = createHash('sha256');
				for (const p of parts) h.update(p);
				return h.digest('hex');
			}
		});
		process.stderr.write('\n');
		if (old && values.replace) {
			const diff = await compareGraphs(join(dirname(values.replace), old.file), result.parts, result.spec);
			console.log(`new graph vs ${old.file}: max |diff| ${diff.worst.toExponential(2)} (output peak ${diff.peak.toFixed(3)})`);
			if (!(diff.worst <= 1e-4 * Math.max(1, diff.peak))) throw new Error('the rebuilt graph does not compute what the old one does; nothing was written');
			const { file, bytes, sha256, precision } = result.manifest;
			result.manifest = { ...old, file, bytes, sha256, ...(precision ? { precision } : {}) };
		}
		await mkdir(values.out, { recursive: true });
		const onnxPath = join(values.out, result.manifest.file);
		const f = await open(onnxPath, 'w');
		try {
			for (const part of result.parts) await f.write(part);
		} finally {
			await f.close();
		}
		await writeFile(join(values.out, `${id}.json`), manifestJson(result.manifest));
		const seconds = (performance.now() - started) / 1000;
		const peakMb = process.resourceUsage().maxRSS / 1024;
		console.log(
			`wrote ${onnxPath} (${result.bytes} bytes, ${result.params} parameters, ${result.manifest.architecture}, ${values.precision}), ` +
				`${result.spec.chunkFrames} frames per call, stems ${JSON.stringify(result.manifest.stems)}; ` +
				`${seconds.toFixed(1)} s, peak RSS ${peakMb.toFixed(0)} MB, checkpoint ${src.size} bytes`
		);
	} finally {
		await src.close();
	}
}

/** Runs the old .onnx and the new parts on the same pseudo-random chunk (onnxruntime-web WASM). */
async function compareGraphs(oldFile: string, parts: Uint8Array[], spec: ModelSpec): Promise<{ worst: number; peak: number }> {
	const ort = await import('onnxruntime-web');
	const S = spec.config.stereo ? 2 : 1;
	const dims = [1, S, spec.config.nFft / 2 + 1, spec.chunkFrames, 2];
	const input = hashFloat32('stft', dims.reduce((a, b) => a * b, 1), 0.5);
	const outputs: Float32Array[] = [];
	for (const model of [new Uint8Array(await readFile(oldFile)), joinParts(parts, parts.reduce((a, p) => a + p.length, 0))]) {
		const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
		const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, dims) });
		outputs.push(out[session.outputNames[0]].data as Float32Array);
		await session.release();
	}
	let worst = 0;
	let peak = 0;
	outputs[0].forEach((v, i) => {
		worst = Math.max(worst, Math.abs(v - outputs[1][i]));
		peak = Math.max(peak, Math.abs(v));
	});
	return { worst, peak };
}

if (!process.env.VITEST) {
	main(process.argv.slice(2)).catch((e: unknown) => {
		console.error(`convert: ${e instanceof Error ? e.message : String(e)}`);
		process.exit(1);
	});
}
