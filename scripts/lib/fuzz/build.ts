/**
 * Bundles the fuzz worker (scripts/lib/fuzz/worker.ts and the parsers it imports, fflate
 * included, so the allocation guard is installed before fflate is evaluated) into one .mjs file.
 */
import { build } from 'esbuild';
import { join } from 'node:path';

export async function buildFuzzWorker(outfile: string): Promise<string> {
	await build({
		entryPoints: [join(process.cwd(), 'scripts/lib/fuzz/worker.ts')], // from the repository root (npm scripts and vitest run there)
		outfile,
		bundle: true,
		platform: 'node',
		format: 'esm',
		logLevel: 'warning'
	});
	return outfile;
}
