import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bundledModels, EMBEDDED, EMBEDDED_TEXTS, notices, productionPackages } from '../../scripts/third-party-notices.mjs';

describe('third-party notices', () => {
	it('list every shipped library with its licence, and none of the dev tools', () => {
		const pkgs = productionPackages();
		const names = pkgs.map((p) => p.name);
		const deps = Object.keys(JSON.parse(readFileSync('package.json', 'utf8')).dependencies);
		for (const d of deps) expect(names).toContain(d);
		for (const dev of ['vitest', 'svelte', '@sveltejs/kit', 'wrangler', 'stripe', 'playwright']) expect(names).not.toContain(dev);
		for (const p of pkgs) expect(p.license, p.name).toMatch(/\S/);
	});

	it('name code compiled into shipped packages under its own licence (the LGPL of LAME in the MP3 encoder)', () => {
		const names = productionPackages().map((p) => p.name);
		for (const name of Object.keys(EMBEDDED)) expect(names, name).toContain(name);
		// The MP3 encoder's own README says it is LAME, whose licence its package.json does not state.
		expect(readFileSync('node_modules/wasm-media-encoders/README.md', 'utf8')).toMatch(/LAME MP3/);
		expect(notices()).toMatch(/LAME MP3 encoder .*GNU LGPL 2\.0 or later/);
	});

	it('reproduce the BSD licence of libopus, which the WebAssembly Opus encoder is built from and whose package ships only its MIT', () => {
		expect(readFileSync('node_modules/libopus-wasm/THIRD_PARTY_NOTICES.md', 'utf8')).toMatch(/libopus/);
		for (const name of Object.keys(EMBEDDED_TEXTS)) expect(Object.keys(EMBEDDED), name).toContain(name);
		const section = notices().split('\n### ').find((s) => s.startsWith('libopus-wasm '));
		expect(section).toMatch(/libopus 1\.6\.1 .*BSD-3-Clause/);
		expect(section).toContain('Redistributions in binary form must reproduce the above copyright');
		expect(section).toContain('Xiph.Org, Skype Limited, Octasic');
	});

	it('carry each bundled model and its weights licence', () => {
		const text = notices();
		for (const m of bundledModels()) {
			expect(text).toContain(`(\`${m.id}\`)`);
			expect(text).toContain(`Weights licence: ${m.licence}`);
		}
	});

	it('are current in the repository and in the app (node scripts/third-party-notices.mjs)', () => {
		const text = notices();
		expect(readFileSync('THIRD_PARTY_NOTICES.md', 'utf8')).toBe(text);
		expect(readFileSync('static/THIRD_PARTY_NOTICES.txt', 'utf8')).toBe(text);
	});
});
