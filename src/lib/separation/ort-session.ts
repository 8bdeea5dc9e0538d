/** onnxruntime-web sessions behind the `ModelSession` interface used by FallbackRunner. */
import type * as Ort from 'onnxruntime-web';
import { withMemoryAdvice } from '../models/memory';
import type { Backend, ModelSession, SessionFactory } from './fallback';

interface ErrorSource {
	addEventListener(type: 'uncapturederror', cb: (e: { error: { message: string } }) => void): void;
	lost: Promise<{ message: string }>;
}

/**
 * WebGPU reports validation and out-of-memory errors as events, not exceptions: ORT's run
 * still resolves, with wrong numbers. Watch the device so such a run throws instead (and
 * the caller retries it on WASM).
 */
async function watchDevice(ort: typeof Ort): Promise<() => string | null> {
	let error: string | null = null;
	const device = (await ort.env.webgpu.device) as unknown as ErrorSource | undefined;
	if (!device) return () => null;
	device.addEventListener('uncapturederror', (e) => (error ??= e.error.message));
	void device.lost.then((info) => (error ??= `GPU device lost: ${info.message}`));
	return () => {
		const e = error;
		error = null;
		return e;
	};
}

export function checkFinite(data: Float32Array): void {
	// x * 0 is NaN exactly for NaN and ±Infinity: one pass without a branch per value
	let probe = 0;
	const n4 = data.length - (data.length % 4);
	for (let i = 0; i < n4; i += 4) probe += data[i] * 0 + data[i + 1] * 0 + data[i + 2] * 0 + data[i + 3] * 0;
	for (let i = n4; i < data.length; i++) probe += data[i] * 0;
	if (probe === 0) return;
	for (let i = 0; i < data.length; i++) {
		if (!Number.isFinite(data[i])) throw new Error(`model output is not finite at index ${i}`);
	}
}

export function ortSessionFactory(ort: typeof Ort, model: Uint8Array): SessionFactory {
	return async (backend: Backend): Promise<ModelSession> => {
		if (backend === 'webgpu' && !(globalThis.navigator as Navigator & { gpu?: unknown })?.gpu) {
			throw new Error('WebGPU is not available in this browser');
		}
		const session = await ort.InferenceSession.create(model, {
			executionProviders: [backend],
			graphOptimizationLevel: 'all'
		}).catch((e) => Promise.reject(withMemoryAdvice(e)));
		const takeGpuError = backend === 'webgpu' ? await watchDevice(ort) : () => null;
		const [inputName] = session.inputNames;
		const [outputName] = session.outputNames;
		return {
			async run(input, dims) {
				takeGpuError();
				const results = await session
					.run({ [inputName]: new ort.Tensor('float32', input, dims) })
					.catch((e) => Promise.reject(withMemoryAdvice(e, dims[3])));
				const tensor = results[outputName];
				const data = (await tensor.getData(true)) as Float32Array;
				await new Promise((resolve) => setTimeout(resolve, 0)); // let queued error events arrive
				const gpuError = takeGpuError();
				if (gpuError) throw new Error(`WebGPU error: ${gpuError}`);
				checkFinite(data);
				return data;
			},
			release: () => session.release()
		};
	};
}
