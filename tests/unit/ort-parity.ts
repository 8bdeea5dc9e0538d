/**
 * The parity check of the converter and model tests: an ONNX model run by onnxruntime-web (WASM,
 * in Node) on the input a parity golden (tools/stemsafe_tools/golden.py) was made with, its output
 * compared with the golden's sampled PyTorch output.
 */
import * as ort from 'onnxruntime-web';
import { expect } from 'vitest';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { loadGolden } from './golden';

/** The input tools/convert.py and the fixture scripts feed the model for their parity goldens. */
export function parityInput(size: number): Float32Array {
	const x = new Float32Array(size);
	for (let i = 0; i < size; i++) x[i] = Math.sin(0.37 * i) * (1 + 0.5 * Math.cos(0.0011 * i));
	return x;
}

/** Runs an ONNX model once on the WASM backend and releases its session. */
export async function runOnnx(model: Uint8Array, input: Float32Array, dims: number[]): Promise<Float32Array> {
	const session = await ortSessionFactory(ort, model)('wasm');
	try {
		return await session.run(input, dims);
	} finally {
		await session.release();
	}
}

export interface Parity {
	/** The model's whole output. */
	out: Float32Array;
	/** Output [N stems, S channels, F bins, T frames] (x2: re, im). */
	shape: { N: number; S: number; F: number; T: number };
	/** Largest |output - PyTorch| over the golden's samples, and largest |PyTorch|. */
	worst: number;
	peak: number;
	/** ||output - PyTorch|| / ||PyTorch|| over the samples. */
	relL2: number;
	/** Sum and sum of |x| over the whole output. */
	sum: number;
	absSum: number;
}

export type Golden = ReturnType<typeof loadGolden>;

/**
 * Runs `model` on the golden's input shape (`input`: the values for a size; parityInput unless the
 * golden was made with others) and measures it against the golden's sampled output.
 */
export async function measureParity(model: Uint8Array, golden: string | Golden, input = parityInput): Promise<Parity & { golden: Golden }> {
	const g = typeof golden === 'string' ? loadGolden(golden) : golden;
	const [, N, S, F, T] = g.output_shape as number[];
	const out = await runOnnx(model, input(S * F * T * 2), [1, S, F, T, 2]);
	expect(out.length).toBe(N * S * F * T * 2);
	const ref = g.arrays.sampled_output.data;
	const stride = g.stride as number;
	let worst = 0;
	let peak = 0;
	let err2 = 0;
	let ref2 = 0;
	for (let j = 0; j < ref.length; j++) {
		const d = out[j * stride] - ref[j];
		worst = Math.max(worst, Math.abs(d));
		peak = Math.max(peak, Math.abs(ref[j]));
		err2 += d * d;
		ref2 += ref[j] * ref[j];
	}
	let sum = 0;
	let absSum = 0;
	for (const v of out) {
		sum += v;
		absSum += Math.abs(v);
	}
	return { out, shape: { N, S, F, T }, worst, peak, relL2: Math.sqrt(err2 / ref2), sum, absSum, golden: g };
}

/** fp32 parity: a non-trivial output (peak over `minPeak`) equal to PyTorch's to 1e-4 of its scale. */
export function expectFp32Parity(p: Pick<Parity, 'worst' | 'peak'>, minPeak = 0.01): void {
	expect(p.peak).toBeGreaterThan(minPeak);
	expect(p.worst).toBeLessThan(1e-4 * Math.max(1, p.peak));
}
