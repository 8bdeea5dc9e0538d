/** onnxruntime-web sessions behind the `ModelSession` interface used by FallbackRunner. */
import type * as Ort from 'onnxruntime-web';
import type { Backend, ModelSession, SessionFactory } from './fallback';

export function ortSessionFactory(ort: typeof Ort, model: Uint8Array): SessionFactory {
	return async (backend: Backend): Promise<ModelSession> => {
		if (backend === 'webgpu' && !(globalThis.navigator as Navigator & { gpu?: unknown })?.gpu) {
			throw new Error('WebGPU is not available in this browser');
		}
		const session = await ort.InferenceSession.create(model, {
			executionProviders: [backend],
			graphOptimizationLevel: 'all'
		});
		const [inputName] = session.inputNames;
		const [outputName] = session.outputNames;
		return {
			async run(input, dims) {
				const results = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
				const tensor = results[outputName];
				const data = (await tensor.getData(true)) as Float32Array;
				return data;
			},
			release: () => session.release()
		};
	};
}
