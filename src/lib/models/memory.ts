/**
 * Out-of-memory failures of a model, in words a user can act on. onnxruntime-web's WebAssembly
 * build has a 4 GB heap: a large model with a long chunk (viperx BS-Roformer 1297 at 8 s) fails
 * there with `std::bad_alloc`, while 2 s chunks run.
 */
const OUT_OF_MEMORY = /bad_alloc|out of memory|allocation failed|failed to allocate|cannot allocate/i;

export function isOutOfMemory(message: string): boolean {
	return OUT_OF_MEMORY.test(message);
}

/** The sentence for an out-of-memory failure, or null when `message` is about something else.
 * `frames`: STFT frames per model call, when known. */
export function explainOutOfMemory(message: string, frames?: number): string | null {
	if (!isOutOfMemory(message)) return null;
	const chunk = frames ? ` with chunks of ${frames} STFT frames` : '';
	return (
		`the model ran out of memory${chunk} (${message}). ` +
		`Import its checkpoint again with a shorter chunk length (2 s), use a browser with WebGPU, or choose a smaller model.`
	);
}

/** `e` with an out-of-memory message replaced by the explanation; other errors unchanged. */
export function withMemoryAdvice(e: unknown, frames?: number): unknown {
	const message = e instanceof Error ? e.message : typeof e === 'string' ? e : null;
	const advice = message === null ? null : explainOutOfMemory(message, frames);
	return advice ? new Error(advice) : e;
}
