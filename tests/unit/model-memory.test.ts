import { describe, expect, it } from 'vitest';
import { explainOutOfMemory, withMemoryAdvice } from '../../src/lib/models/memory';
import { CancelledError } from '../../src/lib/separation/progress';

const viperx = { name: 'viperx 1297', chunk: { frames: 801, samples: 800 * 441 }, sampleRate: 44100 };

describe('out-of-memory advice', () => {
	it("turns onnxruntime-web's allocation failures into advice naming the chunk", () => {
		const text = explainOutOfMemory('No inference backend worked: wasm: std::bad_alloc', viperx);
		expect(text).toBe(
			'“viperx 1297” needs more memory than this browser gives it (it processes 8 s chunks). Import its checkpoint again with a shorter chunk length (2 s), use a browser with WebGPU, or choose a smaller model. (No inference backend worked: wasm: std::bad_alloc)'
		);
		expect(explainOutOfMemory('RangeError: Array buffer allocation failed', viperx)).toContain('8 s chunks');
	});
	it('leaves other errors alone (cancel included)', () => {
		expect(explainOutOfMemory('model output is not finite at index 3', viperx)).toBeNull();
		const cancelled = new CancelledError();
		expect(withMemoryAdvice(cancelled, viperx)).toBe(cancelled);
		const oom = withMemoryAdvice(new Error('wasm: std::bad_alloc'), viperx) as Error;
		expect(oom.message).toMatch(/^“viperx 1297” needs more memory/);
	});
});
