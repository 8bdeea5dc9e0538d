// Where a build goes and is served from: build/ by default, or the folder STEMSAFE_BUILD_DIR names
// (relative to the repository). `npm test` builds and serves build-test/, so a test run never
// replaces the build that a running `npm start` serves (build/); the screenshots use build-shots/.
// Read by svelte.config.js (the adapter's output), the post-build steps (precache-workers.mjs,
// compress.mjs), scripts/serve.mjs and playwright.config.ts (through serve.mjs).
import { fileURLToPath } from 'node:url';

const name = process.env.STEMSAFE_BUILD_DIR || 'build';
if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') {
	throw new Error(`STEMSAFE_BUILD_DIR must be a folder name in the repository (letters, digits, . _ -), not "${name}"`);
}

/** The build folder's name, relative to the repository root (what the adapter takes). */
export const BUILD_DIR = name;

/** Its absolute path, with a trailing slash. */
export const BUILD_PATH = fileURLToPath(new URL(`../../${name}/`, import.meta.url));
