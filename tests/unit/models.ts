import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateManifest, type ModelIndex, type ModelManifest } from '../../src/lib/separation/manifest';

const modelsDir = fileURLToPath(new URL('../../static/models/', import.meta.url));

/** The default model's manifest (or `id`'s), as the app would load it. */
export function loadManifest(id?: string): ModelManifest {
	const index = JSON.parse(readFileSync(modelsDir + 'index.json', 'utf8')) as ModelIndex;
	return validateManifest(JSON.parse(readFileSync(`${modelsDir}${id ?? index.default}.json`, 'utf8')));
}

export function modelBytes(manifest: ModelManifest): Uint8Array {
	return new Uint8Array(readFileSync(modelsDir + manifest.file));
}
