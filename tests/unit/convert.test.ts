// The whole import without Python: real torch.save checkpoints (ZFTurbo-style, tools/
// make_checkpoint_fixtures.py) + their yaml -> src/lib/models/import-roformer.ts (checkpoint reader,
// yaml mapping, h-onnx's graph builder) -> onnxruntime-web output equal to PyTorch's forward_spec
// to 1e-4; manifest and sha256; clear errors; the `npm run convert` entry point.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main as convertMain } from '../../scripts/convert';
import { nodeFileSource } from '../../scripts/lib/node-byte-source';
import { bytesSource } from '../../src/lib/models/byte-source';
import { importRoformerCheckpoint } from '../../src/lib/models/import-roformer';
import { joinParts } from '../../src/lib/models/onnx/serialize';
import { validateManifest } from '../../src/lib/separation/manifest';
import { expectFp32Parity, measureParity } from './ort-parity';

const dir = fileURLToPath(new URL('../fixtures/checkpoints/', import.meta.url));
const text = (f: string) => readFileSync(dir + f, 'utf8');

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

			const p = await measureParity(onnx, `ckpt-${stem}.parity`);
			expect([p.shape.S, p.shape.T]).toEqual([m.channels, m.chunk.frames]);
			expectFp32Parity(p);
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
