/**
 * Import and speed of a public-size model on WASM: the viperx BS-Roformer "1297" architecture
 * (../shared/model-configs/model_bs_roformer_ep_317_sdr_12.9755.yaml, 159.8M parameters, as recorded
 * in tests/golden/arch-viperx-bs-1297.parity.json) with deterministic random weights.
 * The 8 s chunk (801 frames) does not fit WASM's 4 GB heap, so 2 s chunks (201 frames) are run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Ort from 'onnxruntime-web';
import { buildRoformerOnnx, expectedShapes } from '../../src/lib/models/onnx';
import { joinParts } from '../../src/lib/models/onnx/serialize';
import type { RoformerConfig } from '../../src/lib/models/types';
import { hashCheckpoint, hashFloat32 } from './hash-weights';
import { repoRoot } from './model-files';

function cpuSeconds(): number {
	const u = process.cpuUsage();
	return (u.user + u.system) / 1e6;
}

export async function benchViperx(ort: typeof Ort, chunkSeconds = 2): Promise<void> {
	const golden = JSON.parse(readFileSync(join(repoRoot(), 'tests', 'golden', 'arch-viperx-bs-1297.parity.json'), 'utf8'));
	const config = golden.config as RoformerConfig;
	const frames = Math.round((chunkSeconds * config.sampleRate) / config.hopLength) + 1;
	const weights = hashCheckpoint(expectedShapes(config)); // values computed when read, like a file reader
	let wall = performance.now();
	let cpu = cpuSeconds();
	const built = await buildRoformerOnnx({ config, stems: ['vocals', 'other'], residualStem: 'other', chunkFrames: frames }, weights, { precision: 'fp32' });
	const buildWall = (performance.now() - wall) / 1000;
	const buildCpu = cpuSeconds() - cpu;
	console.log(
		`viperx BS-Roformer 1297 (${(built.params / 1e6).toFixed(1)}M params): ONNX build ${buildWall.toFixed(1)} s wall / ${buildCpu.toFixed(1)} s CPU ` +
			`for ${(built.bytes / 1e6).toFixed(0)} MB fp32 (random weights generated while reading)`
	);
	const bytes = joinParts(built.parts.splice(0), built.bytes);
	ort.env.wasm.numThreads = 1;
	const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
	const s = config.stereo ? 2 : 1;
	const input = new ort.Tensor('float32', hashFloat32('stft', s * config.dimFreqsIn * frames * 2), [1, s, config.dimFreqsIn, frames, 2]);
	wall = performance.now();
	cpu = cpuSeconds();
	await session.run({ stft: input });
	const runWall = (performance.now() - wall) / 1000;
	const runCpu = cpuSeconds() - cpu;
	const audio = ((frames - 1) * config.hopLength) / config.sampleRate;
	console.log(
		`viperx 1297 on WASM (1 thread), ${frames}-frame chunk (${audio.toFixed(1)} s): ${(runWall / audio).toFixed(1)} s wall ` +
			`(${(runCpu / audio).toFixed(1)} s CPU) of compute per s of audio; one chunk ${runWall.toFixed(1)} s wall, ${runCpu.toFixed(1)} s CPU ` +
			`(wall > CPU when the machine is shared)`
	);
	await session.release();
}
