// The whole import without Python: real torch.save checkpoints (ZFTurbo-style, tools/
// make_checkpoint_fixtures.py) + their yaml -> src/lib/models/import-roformer.ts (checkpoint reader,
// yaml mapping, h-onnx's graph builder) -> onnxruntime-web output equal to PyTorch's forward_spec
// to 1e-4; manifest and sha256; clear errors; the `npm run convert` entry point.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { main as convertMain } from '../../scripts/convert';
import { nodeFileSource } from '../../scripts/lib/node-byte-source';
import { bytesSource } from '../../src/lib/models/byte-source';
import { importRoformerCheckpoint } from '../../src/lib/models/import-roformer';
import { joinParts } from '../../src/lib/models/onnx/serialize';
import { validateManifest } from '../../src/lib/separation/manifest';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { loadGolden } from './golden';

const dir = fileURLToPath(new URL('../fixtures/checkpoints/', import.meta.url));
const text = (f: string) => readFileSync(dir + f, 'utf8');

function parityInput(size: number): Float32Array {
	const x = new Float32Array(size);
	for (let i = 0; i < size; i++) x[i] = Math.sin(0.37 * i) * (1 + 0.5 * Math.cos(0.0011 * i));
	return x;
}


async function importFixture(stem: string, configText = text(`${stem}.yaml`), extra: Partial<Parameters<typeof importRoformerCheckpoint>[0]> = {}) {
	const src = await nodeFileSource(dir + `${stem}.ckpt`);
	try {
		return await importRoformerCheckpoint({ checkpoint: src, configText, id: stem, name: stem, sourceName: `${stem}.ckpt`, precision: 'fp32', ...extra });
	} finally {
		await src.close();
	}
}

describe('checkpoint + yaml -> ONNX, equal to PyTorch', () => {
	for (const [stem, arch, stems] of [
		['tiny-bs', 'bs_roformer', ['vocals', 'other']],
		['tiny-mel', 'mel_band_roformer', ['bass', 'drums', 'other']]
	] as const) {
		it(`${stem}: ${arch} detected, manifest, sha256, onnxruntime-web output = torch to 1e-4`, async () => {
			const r = await importFixture(stem);
			expect(r.spec.config.arch).toBe(arch);
			const m = validateManifest(r.manifest);
			expect(m.stems).toEqual(stems);
			const onnx = joinParts(r.parts, r.bytes);
			expect(m.bytes).toBe(onnx.length);
			expect(m.sha256).toBe(createHash('sha256').update(onnx).digest('hex'));
			expect(r.manifest.training).toEqual({ data: null, source: `${stem}.ckpt`, params: r.params });

			const g = loadGolden(`ckpt-${stem}.parity`);
			const [, N, S, F, T] = g.output_shape as number[];
			expect([S, T]).toEqual([m.channels, m.chunk.frames]);
			const session = await ortSessionFactory(ort, onnx)('wasm');
			const out = await session.run(parityInput(S * F * T * 2), [1, S, F, T, 2]);
			await session.release();
			expect(out.length).toBe(N * S * F * T * 2);
			const ref = g.arrays.sampled_output.data;
			const stride = g.stride as number;
			let worst = 0;
			let peak = 0;
			for (let j = 0; j < ref.length; j++) {
				worst = Math.max(worst, Math.abs(out[j * stride] - ref[j]));
				peak = Math.max(peak, Math.abs(ref[j]));
			}
			expect(peak).toBeGreaterThan(0.01);
			expect(worst).toBeLessThan(1e-4 * Math.max(1, peak));
		}, 60_000);
	}
});

describe('clear errors, nothing half-built', () => {
	it('a yaml for the other architecture', async () => {
		await expect(importFixture('tiny-bs', text('tiny-mel.yaml'))).rejects.toThrow(/num_bands, a Mel-Band-Roformer option.*|weights are a BS-Roformer/);
	});
	it('a yaml whose sizes do not match the weights: shapes named', async () => {
		await expect(importFixture('tiny-bs', text('tiny-bs.yaml').replace('dim: 8', 'dim: 16'))).rejects.toThrow(/shape mismatch/);
	});
	it('a yaml with another depth: missing and unexpected keys named', async () => {
		await expect(importFixture('tiny-bs', text('tiny-bs.yaml').replace('depth: 1\n', 'depth: 2\n'))).rejects.toThrow(/missing keys: layers\.1\./);
		const toy = await nodeFileSource(dir + 'toy-plain.pth');
		await expect(
			importRoformerCheckpoint({ checkpoint: toy, configText: text('tiny-bs.yaml'), id: 'x', name: 'x', precision: 'fp32' })
		).rejects.toThrow(/unexpected keys: .*proj\.weight/);
		await toy.close();
	});
	it('a truncated checkpoint', async () => {
		const bytes = new Uint8Array(readFileSync(dir + 'tiny-bs.ckpt'));
		await expect(
			importRoformerCheckpoint({ checkpoint: bytesSource(bytes.subarray(0, 20000)), configText: text('tiny-bs.yaml'), id: 'x', name: 'x', precision: 'fp32' })
		).rejects.toThrow(/truncated/);
	});
	it('an unsupported option', async () => {
		await expect(importFixture('tiny-bs', text('tiny-bs.yaml').replace('stft_normalized: false', 'stft_normalized: true'))).rejects.toThrow(/stft_normalized/);
	});
	it('cancelled', async () => {
		const ac = new AbortController();
		ac.abort();
		await expect(importFixture('tiny-bs', undefined, { signal: ac.signal })).rejects.toThrow();
	});
});

describe('the CLI', () => {
	it('npm run convert writes <id>.onnx and <id>.json', async () => {
		const out = mkdtempSync(join(tmpdir(), 'convert-'));
		try {
			await convertMain(['--checkpoint', dir + 'tiny-mel.ckpt', '--config', dir + 'tiny-mel.yaml', '--out', out, '--id', 'mel', '--name', 'Tiny mel', '--precision', 'fp16']);
			const m = validateManifest(JSON.parse(readFileSync(join(out, 'mel.json'), 'utf8')));
			expect(m.name).toBe('Tiny mel');
			const onnx = readFileSync(join(out, 'mel.onnx'));
			expect(m.sha256).toBe(createHash('sha256').update(onnx).digest('hex'));
			expect((m as unknown as { precision: string }).precision).toBe('fp16');
			await expect(convertMain(['--checkpoint', dir + 'tiny-mel.ckpt'])).rejects.toThrow(/required/);
		} finally {
			rmSync(out, { recursive: true, force: true });
		}
	});
});

describe('.safetensors', () => {
	it('the same weights as .safetensors build the identical ONNX', async () => {
		const fromCkpt = await importFixture('tiny-bs');
		const src = await nodeFileSource(dir + 'tiny-bs.safetensors');
		const fromSt = await importRoformerCheckpoint({ checkpoint: src, configText: text('tiny-bs.yaml'), id: 'tiny-bs', name: 'tiny-bs', sourceName: 'tiny-bs.ckpt', precision: 'fp32' });
		await src.close();
		expect(fromSt.manifest.sha256).toBe(fromCkpt.manifest.sha256);
	});
});
