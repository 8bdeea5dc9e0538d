import { describe, expect, it } from 'vitest';
import { FallbackRunner, type Backend, type ModelSession } from '../../src/lib/separation/fallback';

function fakeSession(name: Backend, behaviour: { failRunAfter?: number }, log: string[]): ModelSession {
	let runs = 0;
	return {
		async run(input) {
			runs++;
			if (behaviour.failRunAfter !== undefined && runs > behaviour.failRunAfter) throw new Error(`${name} device lost`);
			log.push(`${name}:run`);
			return input.map((v) => v * (name === 'webgpu' ? 2 : 3));
		},
		async release() {
			log.push(`${name}:release`);
		}
	};
}

describe('FallbackRunner', () => {
	it('uses WebGPU when it works', async () => {
		const log: string[] = [];
		const r = new FallbackRunner(async (b) => fakeSession(b, {}, log), ['webgpu', 'wasm']);
		expect(Array.from(await r.run(new Float32Array([1]), [1]))).toEqual([2]);
		expect(r.backend).toBe('webgpu');
	});

	it('falls back to WASM when WebGPU session creation fails', async () => {
		const log: string[] = [];
		const events: string[] = [];
		const r = new FallbackRunner(
			async (b) => {
				if (b === 'webgpu') throw new Error('no adapter');
				return fakeSession(b, {}, log);
			},
			['webgpu', 'wasm'],
			(e) => events.push(`${e.backend}<-${e.reason}`)
		);
		expect(await r.ready()).toBe('wasm');
		expect(Array.from(await r.run(new Float32Array([1]), [1]))).toEqual([3]);
		expect(events).toEqual(['wasm<-no adapter']);
		expect(r.failures).toEqual([{ backend: 'webgpu', error: 'no adapter' }]);
	});

	it('retries the failed run on WASM when WebGPU fails mid-job', async () => {
		const log: string[] = [];
		const r = new FallbackRunner(async (b) => fakeSession(b, { failRunAfter: b === 'webgpu' ? 2 : undefined }, log), ['webgpu', 'wasm']);
		const outs = [];
		for (let i = 0; i < 4; i++) outs.push((await r.run(new Float32Array([1]), [1]))[0]);
		expect(outs).toEqual([2, 2, 3, 3]);
		expect(log).toEqual(['webgpu:run', 'webgpu:run', 'webgpu:release', 'wasm:run', 'wasm:run']);
	});

	it('reports every failure when no backend works', async () => {
		const r = new FallbackRunner(async (b) => {
			throw new Error(`${b} broken`);
		}, ['webgpu', 'wasm']);
		await expect(r.ready()).rejects.toThrow('No inference backend worked: webgpu: webgpu broken; wasm: wasm broken');
	});
});
