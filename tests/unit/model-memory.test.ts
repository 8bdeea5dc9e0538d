import { describe, expect, it } from 'vitest';
import { explainOutOfMemory, withMemoryAdvice } from '../../src/lib/models/memory';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { CancelledError } from '../../src/lib/separation/progress';

describe('out-of-memory advice', () => {
	it("turns onnxruntime-web's allocation failures into advice naming the chunk", () => {
		expect(explainOutOfMemory('std::bad_alloc', 801)).toBe(
			'the model ran out of memory with chunks of 801 STFT frames (std::bad_alloc). Import its checkpoint again with a shorter chunk length (2 s), use a browser with WebGPU, or choose a smaller model.'
		);
		expect(explainOutOfMemory('RangeError: Array buffer allocation failed')).toMatch(/^the model ran out of memory \(RangeError/);
	});
	it('leaves other errors alone (cancel included)', () => {
		expect(explainOutOfMemory('model output is not finite at index 3')).toBeNull();
		const cancelled = new CancelledError();
		expect(withMemoryAdvice(cancelled)).toBe(cancelled);
		expect((withMemoryAdvice(new Error('wasm: std::bad_alloc'), 801) as Error).message).toMatch(/^the model ran out of memory with chunks of 801/);
	});
	it('the onnxruntime session wrapper applies it to session creation and runs', async () => {
		const fakeOrt = (fail: 'create' | 'run') =>
			({
				InferenceSession: {
					create: async () => {
						if (fail === 'create') throw new Error('std::bad_alloc');
						return { inputNames: ['x'], outputNames: ['y'], run: async () => Promise.reject('std::bad_alloc'), release: async () => {} };
					}
				},
				Tensor: class {
					constructor(..._: unknown[]) {}
				},
				env: { webgpu: {} }
			}) as unknown as typeof import('onnxruntime-web');
		await expect(ortSessionFactory(fakeOrt('create'), new Uint8Array(1))('wasm')).rejects.toThrow(/^the model ran out of memory \(std::bad_alloc\)/);
		const session = await ortSessionFactory(fakeOrt('run'), new Uint8Array(1))('wasm');
		await expect(session.run(new Float32Array(4), [1, 2, 1, 801, 2])).rejects.toThrow(/^the model ran out of memory with chunks of 801 STFT frames/);
	});
});
