// Writes .br and .gz copies of the compressible files in build/ (run after the service worker
// is final) so scripts/serve.mjs — or any static host that serves precompressed files — can
// send fewer bytes. onnxruntime-web's .wasm shrinks about 6x; model weights about 10 %.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { BUILD_PATH } from './lib/build-dir.mjs';

const root = BUILD_PATH; // build/, or STEMSAFE_BUILD_DIR (scripts/lib/build-dir.mjs)
const TEXT = /\.(html|js|mjs|css|json|svg|webmanifest|txt|wasm)$/;
const MODEL = /\.onnx$/;

function walk(dir) {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? walk(path) : [path];
	});
}

let before = 0;
let after = 0;
for (const file of walk(root)) {
	if (!TEXT.test(file) && !MODEL.test(file)) continue;
	const data = readFileSync(file);
	if (data.length < 1024) continue;
	// Quality 9 is close to 11 at a fraction of the time; weights barely compress, so they get a quick pass.
	const quality = MODEL.test(file) ? 5 : 9;
	const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
	if (br.length >= data.length * 0.95) continue;
	writeFileSync(`${file}.br`, br);
	writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
	before += data.length;
	after += br.length;
}
console.log(`compressed ${(before / 1e6).toFixed(1)} MB to ${(after / 1e6).toFixed(1)} MB (brotli)`);
