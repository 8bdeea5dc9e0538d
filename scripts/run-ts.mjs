// Runs a TypeScript entry point on Node 20 (no type stripping there): bundles it with
// esbuild (Vite's own dependency) into .bench/ and imports the result.
// usage: node scripts/run-ts.mjs scripts/bench.ts [args...]
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [entry] = process.argv.slice(2);
if (!entry) throw new Error('usage: node scripts/run-ts.mjs FILE.ts [args...]');
mkdirSync('.bench', { recursive: true });
const outfile = `.bench/${entry.replace(/[^a-z0-9]+/gi, '_')}.mjs`;
await build({
	entryPoints: [entry],
	outfile,
	bundle: true,
	platform: 'node',
	format: 'esm',
	packages: 'external',
	logLevel: 'warning'
});
process.argv.splice(1, 1); // the entry sees its own arguments at argv[2...]
await import(pathToFileURL(outfile).href);
