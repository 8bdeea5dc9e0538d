// Copies the onnxruntime-web WebAssembly binary (JSEP build: WebGPU + WASM; its JS glue is
// bundled into the worker) into
// static/ort so it is served, and precached by the service worker, from our own origin.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));
const target = new URL('../static/ort/', import.meta.url).pathname;
mkdirSync(target, { recursive: true });
for (const file of ['ort-wasm-simd-threaded.jsep.wasm']) {
	copyFileSync(join(dist, file), join(target, file));
}
console.log(`copied onnxruntime-web runtime to ${target}`);
