/** The part of @echogarden/pffft-wasm's Emscripten module (pffft.c compiled with -msimd128) used here. */
declare module '@echogarden/pffft-wasm/simd' {
	export interface PffftModule {
		HEAPF32: Float32Array;
		/** pffft_new_setup(N, PFFFT_REAL = 0 | PFFFT_COMPLEX = 1): a setup pointer; real N must be a multiple of 32 with no prime factor above 5. */
		_pffft_new_setup(size: number, kind: number): number;
		_pffft_aligned_malloc(bytes: number): number;
		/** direction 0 = forward, 1 = backward (unscaled); `work` is a buffer of N floats. */
		_pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
	}
	const factory: () => Promise<PffftModule>;
	export default factory;
}
