/**
 * A real FFT in WebAssembly SIMD (PFFFT by Julien Pommier, BSD-style licence, as compiled in
 * @echogarden/pffft-wasm) for the STFT and iSTFT: about five times faster than the TypeScript
 * FFT in ./fft.ts, which stays the reference and the fallback (sizes PFFFT cannot do, a
 * runtime without WASM SIMD, or before `loadSimdFft` has finished).
 *
 * The module is loaded once per thread. Each size gets its own setup and aligned in/out/work
 * buffers inside the module's memory; `input` and `output` are views of them.
 */
import type { PffftModule } from '@echogarden/pffft-wasm/simd';

/** A real transform of one size: write `input`, call `forward` / `backward`, read `output`. */
export interface RealFft {
	readonly size: number;
	/**
	 * Forward: the real signal in; backward: the half spectrum in the layout below. Views into
	 * WASM memory: take them again after any call that may have grown it (this module's calls don't).
	 */
	readonly input: Float32Array;
	/** Forward: [X0.re, X(N/2).re, X1.re, X1.im, ..., X(N/2-1).re, X(N/2-1).im] (e^{-2πikn/N}); backward: the unscaled real signal. */
	readonly output: Float32Array;
	forward(): void;
	backward(): void;
}

let module: PffftModule | null = null;
let loading: Promise<boolean> | null = null;
let enabled = true;
const kernels = new Map<number, RealFft | null>();

/**
 * Loads the WASM module (once; later calls return the same promise). Resolves to whether the
 * SIMD FFT is usable; a failure (no WASM SIMD here) leaves the TypeScript FFT in use.
 */
export function loadSimdFft(): Promise<boolean> {
	loading ??= import('@echogarden/pffft-wasm/simd')
		.then(({ default: factory }) => factory())
		.then(
			(m) => {
				module = m;
				return true;
			},
			() => false
		);
	return loading;
}

/** Whether transforms run on the SIMD FFT now (loaded and not switched off). */
export function simdFftActive(): boolean {
	return module !== null && enabled;
}

/** Switches the SIMD FFT off (or back on) for this thread: for tests comparing both paths. */
export function setSimdFftEnabled(on: boolean): void {
	enabled = on;
}

/** PFFFT's real transform needs N = 2^a·3^b·5^c with N a multiple of 32. */
export function simdFftSupports(size: number): boolean {
	if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) return false;
	let n = size;
	for (const p of [2, 3, 5]) while (n % p === 0) n /= p;
	return n === 1;
}

/** The SIMD real FFT of `size`, or null when it is not loaded, switched off or cannot do that size. */
export function simdRealFft(size: number): RealFft | null {
	if (!module || !enabled || !simdFftSupports(size)) return null;
	let k = kernels.get(size);
	if (k === undefined) {
		k = createKernel(module, size);
		kernels.set(size, k);
	}
	return k;
}

function createKernel(m: PffftModule, size: number): RealFft | null {
	const setup = m._pffft_new_setup(size, 0);
	if (!setup) return null;
	const bytes = size * 4;
	const inPtr = m._pffft_aligned_malloc(bytes);
	const outPtr = m._pffft_aligned_malloc(bytes);
	const workPtr = m._pffft_aligned_malloc(bytes);
	// Allocation may grow the memory, which detaches earlier views: take views only now, and
	// again whenever they were detached by a later allocation (another size's kernel).
	let heap = m.HEAPF32;
	let input = heap.subarray(inPtr / 4, inPtr / 4 + size);
	let output = heap.subarray(outPtr / 4, outPtr / 4 + size);
	const fresh = () => {
		if (heap !== m.HEAPF32) {
			heap = m.HEAPF32;
			input = heap.subarray(inPtr / 4, inPtr / 4 + size);
			output = heap.subarray(outPtr / 4, outPtr / 4 + size);
		}
	};
	return {
		size,
		get input() {
			fresh();
			return input;
		},
		get output() {
			fresh();
			return output;
		},
		forward: () => m._pffft_transform_ordered(setup, inPtr, outPtr, workPtr, 0),
		backward: () => m._pffft_transform_ordered(setup, inPtr, outPtr, workPtr, 1)
	};
}
