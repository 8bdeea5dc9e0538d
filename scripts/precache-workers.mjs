// SvelteKit's $service-worker `build` list leaves out Web Worker bundles and what they
// import (our separation worker and onnxruntime-web's .wasm binary). After `vite build`
// this writes their paths into build/service-worker.js so they are precached too.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BUILD_PATH } from './lib/build-dir.mjs';

const root = BUILD_PATH; // build/, or STEMSAFE_BUILD_DIR (scripts/lib/build-dir.mjs)
const workersDir = join(root, '_app/immutable/workers');
const PLACEHOLDER = '__STEMSAFE_WORKER_ASSETS__';

function walk(dir) {
	return readdirSync(dir).flatMap((name) => {
		const path = join(dir, name);
		return statSync(path).isDirectory() ? walk(path) : [path];
	});
}

const assets = walk(workersDir).filter((p) => !p.endsWith('.map')).map((p) => relative(root, p));
if (!assets.some((a) => a.endsWith('.js')) || !assets.some((a) => a.endsWith('.wasm'))) {
	throw new Error(`expected the worker bundle and the onnxruntime-web .wasm in ${workersDir}, found ${assets}`);
}
const swPath = join(root, 'service-worker.js');
const sw = readFileSync(swPath, 'utf8');
if (!sw.includes(PLACEHOLDER)) throw new Error(`${PLACEHOLDER} not found in ${swPath}`);
writeFileSync(swPath, sw.replaceAll(PLACEHOLDER, assets.join(',')));
console.log(`service worker precaches ${assets.length} worker assets: ${assets.join(', ')}`);
