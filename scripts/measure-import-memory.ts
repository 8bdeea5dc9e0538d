/**
 * Peak memory of building the ONNX of a public-size checkpoint (issue 6: at most about two copies of
 * the weights at once). Builds the viperx BS-Roformer 1297 architecture (8 s chunks, fp32, 640 MB)
 * from weights that are produced only when each tensor is read (deterministic random values, like a
 * checkpoint reader reading a file), writes the parts to a file one after the other, and prints the
 * peak RSS sampled every 20 ms next to the weight bytes. Run it under /usr/bin/time -v for the kernel's
 * own maximum.
 * usage: node scripts/run-ts.mjs scripts/measure-import-memory.ts [OUT.onnx] [fp32|fp16]
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { buildRoformerOnnx, expectedShapes } from '../src/lib/models/onnx';
import type { RoformerConfig } from '../src/lib/models/types';
import { hashCheckpoint } from './lib/hash-weights';
import { repoRoot } from './lib/model-files';

const out = process.argv[2] ?? join(repoRoot(), '.bench', 'viperx-1297.onnx');
const precision = (process.argv[3] ?? 'fp32') as 'fp32' | 'fp16';
const golden = JSON.parse(readFileSync(join(repoRoot(), 'tests', 'golden', 'arch-viperx-bs-1297.parity.json'), 'utf8'));
const config = golden.config as RoformerConfig;
let peak = 0;
const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
const timer = setInterval(sample, 20);
const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
const base = process.memoryUsage().rss;
const t = performance.now();
const built = await buildRoformerOnnx({ config, stems: ['vocals', 'other'], residualStem: 'other', chunkFrames: 801 }, hashCheckpoint(expectedShapes(config)), { precision });
sample();
const fd = openSync(out, 'w');
for (const p of built.parts.splice(0)) writeSync(fd, p);
closeSync(fd);
sample();
clearInterval(timer);
console.log(`${precision}: ${built.params} params (${mb(built.params * 4)} as fp32), ONNX ${mb(built.bytes)} built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
console.log(`RSS before ${mb(base)}, peak ${mb(peak)} (${((peak - base) / (built.params * 4)).toFixed(2)} x the fp32 weight bytes above the baseline)`);
if (!process.argv[2]) unlinkSync(out);
