// Writes THIRD_PARTY_NOTICES.md (the repository's) and static/THIRD_PARTY_NOTICES.txt (served with
// the app, linked from "About the model"): every library the app ships (the production closure of
// package-lock.json, not the dev tools) with its version, licence, author and licence text, and the
// licence and credits of every bundled model (static/models/*.json: `licence`, `training.credits`).
// usage: node scripts/third-party-notices.mjs [--check]   (--check: exit 1 if the files are stale)
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const LICENSE_FILES = /^(licen[cs]e|copying|notice)(\.(md|txt))?$/i;

/**
 * Code compiled into a package under its own licence, which the package's metadata does not name
 * (read from each package's README and sources; checked by tests/unit/third-party-notices.test.ts).
 * @type {Record<string, string[]>}
 */
export const EMBEDDED = {
	'wasm-media-encoders': [
		'LAME MP3 encoder (The LAME Project, https://lame.sourceforge.io), GNU LGPL 2.0 or later. Compiled to WebAssembly ' +
			'and served as its own file (the app\'s mp3 .wasm asset), so it can be replaced by a modified build of LAME; its source: ' +
			'https://lame.sourceforge.io and https://github.com/arseneyr/wasm-media-encoders.',
		'libogg and libvorbis (Xiph.Org Foundation), BSD-3-Clause (in the package; Stemsafe does not use its Vorbis encoder).'
	],
	'signalsmith-stretch': ['Signalsmith Stretch and Signalsmith DSP (Geraint Luff / Signalsmith Audio), MIT.'],
	'libopus-wasm': [
		'libopus 1.6.1 (Xiph.Org Foundation and contributors, https://opus-codec.org), BSD-3-Clause (text below), compiled to ' +
			'WebAssembly; the Opus encoder for browsers without a WebCodecs one. Its source: https://github.com/xiph/opus and ' +
			'https://github.com/openclaw/libopus-wasm.'
	]
};

/**
 * Licence texts of embedded code that its package does not ship (libopus's BSD licence asks that
 * binary redistributions reproduce it; libopus-wasm's only licence file is its wrapper's MIT).
 * @type {Record<string, string[]>}
 */
export const EMBEDDED_TEXTS = {
	'libopus-wasm': [
		`libopus — Copyright 2001-2011 Xiph.Org, Skype Limited, Octasic,
                    Jean-Marc Valin, Timothy B. Terriberry,
                    CSIRO, Gregory Maxwell, Mark Borgerding,
                    Erik de Castro Lopo

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions
are met:

- Redistributions of source code must retain the above copyright
notice, this list of conditions and the following disclaimer.

- Redistributions in binary form must reproduce the above copyright
notice, this list of conditions and the following disclaimer in the
documentation and/or other materials provided with the distribution.

- Neither the name of Internet Society, IETF or IETF Trust, nor the
names of specific contributors, may be used to endorse or promote
products derived from this software without specific prior written
permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
\`\`AS IS'' AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER
OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL,
EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO,
PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR
PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF
LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.

Opus is subject to the royalty-free patent licenses which are
specified at:

Xiph.Org Foundation:
https://datatracker.ietf.org/ipr/1524/

Microsoft Corporation:
https://datatracker.ietf.org/ipr/1914/

Broadcom Corporation:
https://datatracker.ietf.org/ipr/1526/`
	]
};

/** @param {{ author?: string | { name?: string, email?: string } }} pkg */
function author(pkg) {
	const a = pkg.author;
	if (!a) return '';
	return typeof a === 'string' ? a : [a.name, a.email && `<${a.email}>`].filter(Boolean).join(' ');
}

/**
 * Production packages of the lock file, sorted by name.
 * @returns {{ name: string, version: string, license: string, author: string, homepage: string, texts: string[] }[]}
 */
export function productionPackages(dir = root) {
	const lock = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
	const out = [];
	for (const [path, entry] of Object.entries(lock.packages ?? {})) {
		if (!path || entry.dev || entry.devOptional || entry.optional) continue;
		const manifest = join(dir, path, 'package.json');
		if (!existsSync(manifest)) continue;
		const pkg = JSON.parse(readFileSync(manifest, 'utf8'));
		const files = readdirSync(join(dir, path)).filter((f) => LICENSE_FILES.test(f)).sort();
		out.push({
			name: pkg.name,
			version: pkg.version,
			license: typeof pkg.license === 'string' ? pkg.license : pkg.license?.type ?? 'see package',
			author: author(pkg),
			homepage: pkg.homepage ?? (typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url) ?? '',
			texts: files.map((f) => readFileSync(join(dir, path, f), 'utf8').trim())
		});
	}
	const seen = new Set();
	return out
		.filter((p) => (seen.has(`${p.name}@${p.version}`) ? false : seen.add(`${p.name}@${p.version}`)))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Bundled models: id, name, weights licence and the credits of their training data.
 * @returns {{ id: string, name: string, licence: string, credits: { credit: string, licence: string, copyleft?: boolean }[] }[]}
 */
export function bundledModels(dir = root) {
	const models = join(dir, 'static', 'models');
	/** @type {{ models: string[] }} */
	const index = JSON.parse(readFileSync(join(models, 'index.json'), 'utf8'));
	return index.models.map((id) => {
		const m = JSON.parse(readFileSync(join(models, `${id}.json`), 'utf8'));
		return { id, name: m.name, licence: m.licence ?? 'see the manifest', credits: m.training?.credits ?? [] };
	});
}

export function notices(dir = root) {
	const lines = [
		'# Third-party notices',
		'',
		'Generated by `node scripts/third-party-notices.mjs` from package-lock.json, the packages\' own',
		'metadata and the bundled model manifests. Stemsafe\'s own code: see LICENSE.',
		'',
		'## Bundled models and their training data',
		''
	];
	for (const m of bundledModels(dir)) {
		lines.push(`### ${m.name} (\`${m.id}\`)`, '', `Weights licence: ${m.licence}`, '');
		if (m.credits.length) {
			lines.push('Trained on material from:', '');
			for (const c of m.credits) lines.push(`- ${c.credit} — ${c.licence}${c.copyleft ? ' (copyleft)' : ''}`);
			lines.push('');
		}
	}
	lines.push('## Libraries shipped in the app', '');
	for (const p of productionPackages(dir)) {
		lines.push(`### ${p.name} ${p.version}`, '', `Licence: ${p.license}${p.author ? `; author: ${p.author}` : ''}${p.homepage ? `; ${p.homepage}` : ''}`, '');
		const embedded = EMBEDDED[p.name];
		if (embedded) {
			lines.push('Contains, under their own licences:', '');
			for (const e of embedded) lines.push(`- ${e}`);
			lines.push('');
		}
		for (const t of [...p.texts, ...(EMBEDDED_TEXTS[p.name] ?? [])]) lines.push('```', t, '```', '');
	}
	return lines.join('\n');
}

const TARGETS = ['THIRD_PARTY_NOTICES.md', join('static', 'THIRD_PARTY_NOTICES.txt')];

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const text = notices();
	if (process.argv.includes('--check')) {
		const stale = TARGETS.filter((f) => !existsSync(join(root, f)) || readFileSync(join(root, f), 'utf8') !== text);
		if (stale.length) {
			console.error(`stale: ${stale.join(', ')} — run node scripts/third-party-notices.mjs`);
			process.exit(1);
		}
	} else {
		for (const f of TARGETS) writeFileSync(join(root, f), text);
		console.log(`wrote ${TARGETS.join(' and ')}`);
	}
}
