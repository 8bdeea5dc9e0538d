/** Model files for Node-side tools (tests, bench, eval): the manifests and ONNX bytes in static/models. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateManifest, type ModelIndex, type ModelManifest } from '../../src/lib/separation/manifest';

/** The repository root: the nearest folder above this module with a package.json (this file
 * also runs bundled from .bench/, so a fixed relative path would not do). */
export function repoRoot(): string {
	let dir = dirname(fileURLToPath(import.meta.url));
	while (!existsSync(join(dir, 'package.json'))) {
		const up = dirname(dir);
		if (up === dir) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
		dir = up;
	}
	return dir;
}

export const modelsDir = join(repoRoot(), 'static', 'models');
/** Converter test fixtures (tools/make_fixture_models.py): random weights, never shipped. */
export const fixturesDir = join(repoRoot(), 'tests', 'fixtures', 'models');

export function loadModelIndex(): ModelIndex {
	return JSON.parse(readFileSync(join(modelsDir, 'index.json'), 'utf8')) as ModelIndex;
}

/** The default model's manifest (or `id`'s), as the app would load it. */
export function loadManifest(id?: string, dir = modelsDir): ModelManifest {
	const file = join(dir, `${id ?? loadModelIndex().default}.json`);
	return validateManifest(JSON.parse(readFileSync(file, 'utf8')));
}

export function modelBytes(manifest: ModelManifest, dir = modelsDir): Uint8Array {
	return new Uint8Array(readFileSync(join(dir, manifest.file)));
}

export function fixtureIds(): string[] {
	return readdirSync(fixturesDir)
		.filter((f) => f.endsWith('.json'))
		.map((f) => f.slice(0, -'.json'.length))
		.sort();
}
