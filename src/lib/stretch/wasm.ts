/**
 * The Signalsmith Stretch WASM engine outside an AudioWorklet (the export worker, Node's tests).
 *
 * The npm package (signalsmith-stretch, MIT) ships one file: its WASM build with the AudioWorklet
 * processor that drives it, and, on the page, the function that makes the worklet node. Loaded in a
 * scope that looks like an AudioWorklet's (AudioWorkletProcessor and registerProcessor defined), the
 * file registers its processor class; one instance of that class instantiates the WASM module and
 * hands it over ('ready'). Its C API (the library's: presetDefault, seek, process, …) is then used
 * directly, on whole arrays (offline.ts). The package is pinned to one version (package.json) since
 * this leans on how its file is laid out; tests/unit/stretch.test.ts fails if that changes.
 */

/** The C API of one Signalsmith Stretch instance (the `_`-prefixed WASM exports). */
export interface StretchWasm {
	_presetDefault(channels: number, sampleRate: number): void;
	_reset(): void;
	_inputLatency(): number;
	_outputLatency(): number;
	_setTransposeSemitones(semitones: number, tonalityLimit: number): void;
	/** Allocates `channels` input and output buffers of `length` samples; returns their address. */
	_setBuffers(channels: number, length: number): number;
	_seek(inputSamples: number, playbackRate: number): void;
	_process(inputSamples: number, outputSamples: number): void;
	HEAP8?: Int8Array;
	exports?: { memory: WebAssembly.Memory };
}

type ProcessorClass = new (options: AudioWorkletNodeOptions) => { wasmModule: StretchWasm | null };

let processorClass: Promise<ProcessorClass> | null = null;
const idle: StretchWasm[] = [];
/** Instances are made one at a time (each borrows the scope's sampleRate until it is ready). */
let making: Promise<unknown> = Promise.resolve();

/** A stand-in for the AudioWorklet scope's base class: the processor only needs its message port. */
class PortOnly {
	port = { postMessage: (message: unknown) => this.onPost?.(message), onmessage: null as unknown };
	onPost?: (message: unknown) => void;
}

function loadProcessorClass(): Promise<ProcessorClass> {
	processorClass ??= (async () => {
		const g = globalThis as Record<string, unknown>;
		let registered: ProcessorClass | null = null;
		const saved = { AudioWorkletProcessor: g.AudioWorkletProcessor, registerProcessor: g.registerProcessor };
		g.AudioWorkletProcessor = PortOnly;
		g.registerProcessor = (_name: string, cls: ProcessorClass) => (registered = cls);
		try {
			await import('signalsmith-stretch');
		} finally {
			Object.assign(g, saved);
			if (saved.AudioWorkletProcessor === undefined) delete g.AudioWorkletProcessor;
			if (saved.registerProcessor === undefined) delete g.registerProcessor;
		}
		if (!registered) throw new Error('The time-stretch engine could not be loaded here (signalsmith-stretch was already loaded as a page module).');
		return registered;
	})();
	return processorClass;
}

/** A fresh WASM instance (its processor's constructor instantiates one). */
async function instantiate(): Promise<StretchWasm> {
	const Processor = await loadProcessorClass();
	const g = globalThis as Record<string, unknown>;
	// the processor reads the worklet scope's sampleRate and currentTime while it sets itself up
	const own = { sampleRate: g.sampleRate === undefined, currentTime: g.currentTime === undefined };
	if (own.sampleRate) g.sampleRate = 48000;
	if (own.currentTime) g.currentTime = 0;
	try {
		let onPost: ((m: unknown) => void) | undefined;
		const ready = new Promise<void>((resolve) => (onPost = (m) => Array.isArray(m) && m[0] === 'ready' && resolve()));
		const processor = new Processor({ numberOfInputs: 0, numberOfOutputs: 1, outputChannelCount: [1] });
		(processor as unknown as PortOnly).onPost = onPost;
		await ready;
		if (!processor.wasmModule) throw new Error('The time-stretch engine did not start.');
		return processor.wasmModule;
	} finally {
		if (own.sampleRate) delete g.sampleRate;
		if (own.currentTime) delete g.currentTime;
	}
}

/** An engine for one stretch at a time: a released one, else a new instance. */
export async function acquireStretch(): Promise<StretchWasm> {
	const reused = idle.pop();
	if (reused) return reused;
	const made = making.then(instantiate, instantiate);
	making = made.catch(() => undefined);
	return made;
}

/** Hands an engine back for the next stretch. */
export function releaseStretch(engine: StretchWasm): void {
	if (idle.length < 4) idle.push(engine);
}

/** The engine's memory as floats (taken again after every call: memory may grow). */
export function heapF32(engine: StretchWasm): Float32Array {
	const buffer = engine.exports ? engine.exports.memory.buffer : engine.HEAP8!.buffer;
	return new Float32Array(buffer);
}
