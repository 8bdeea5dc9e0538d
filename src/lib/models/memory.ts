/**
 * Out-of-memory failures of a model, in words a user can act on. onnxruntime-web's WebAssembly
 * build has a 4 GB heap: a large model with a long chunk (viperx BS-Roformer 1297 at 8 s) fails
 * there with `std::bad_alloc`, while 2 s chunks run.
 */
import type { ModelManifest } from '../separation/manifest';

const OUT_OF_MEMORY = /bad_alloc|out of memory|allocation failed|failed to allocate|cannot allocate/i;

export function isOutOfMemory(message: string): boolean {
	return OUT_OF_MEMORY.test(message);
}

/** The sentence for an out-of-memory failure, or null when `message` is about something else. */
export function explainOutOfMemory(message: string, m: Pick<ModelManifest, 'name' | 'chunk' | 'sampleRate'>): string | null {
	if (!isOutOfMemory(message)) return null;
	const seconds = Math.round((m.chunk.samples / m.sampleRate) * 10) / 10;
	return (
		`“${m.name}” needs more memory than this browser gives it (it processes ${seconds} s chunks). ` +
		`Import its checkpoint again with a shorter chunk length (2 s), use a browser with WebGPU, or choose a smaller model. (${message})`
	);
}

/** `e` with an out-of-memory message replaced by the explanation; other errors unchanged. */
export function withMemoryAdvice(e: unknown, m: Pick<ModelManifest, 'name' | 'chunk' | 'sampleRate'>): unknown {
	if (!(e instanceof Error)) return e;
	const advice = explainOutOfMemory(e.message, m);
	return advice ? new Error(advice) : e;
}
