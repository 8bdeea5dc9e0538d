/**
 * Fuzz target for the model-config YAML reader: the bytes decoded as a browser's File.text()
 * does, then parseYaml and the ZFTurbo config mapping (specFromYaml, as the importer calls it,
 * with and without an architecture chosen). Clean errors: YamlError and ConfigError.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, specFromYaml } from '../../../../src/lib/models/config';
import { parseYaml, YamlError } from '../../../../src/lib/models/yaml';
import type { Rng } from '../rng';
import { fixture, runAll, type FuzzTarget } from './target';

const isClean = (e: unknown) => e instanceof YamlError || e instanceof ConfigError;

const utf8 = (s: string) => new TextEncoder().encode(s);

/** Nesting `depth` deep in each of the forms the reader recurses on. */
function nested(rng: Rng): string {
	const n = rng.size(30_000) + 1;
	switch (rng.int(6)) {
		case 0:
			return 'a: ' + '['.repeat(n) + ']'.repeat(rng.chance(0.8) ? n : rng.int(n));
		case 1:
			return 'a: ' + '{b: '.repeat(n) + '1' + '}'.repeat(n);
		case 2:
			return '- '.repeat(n) + 'x';
		case 3:
			return Array.from({ length: Math.min(n, 3000) }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' 1';
		case 4:
			return Array.from({ length: Math.min(n, 3000) }, (_, i) => ' '.repeat(i) + '!!seq').join('\n');
		default:
			return Array.from({ length: Math.min(n, 3000) }, (_, i) => ' '.repeat(2 * i) + '- k:').join('\n');
	}
}

const FRAGMENTS = [
	'a: 1', 'model:', '  dim: 8', '  - 1', '- x', '[1, 2', '{a: 1}', '"\\u00e9"', '"\\x4', "'it''s'", '!!python/tuple', '!!python/object:os.system',
	'!!int x', '!!float 1e5', '!!str', '!!bool yes', '!!null', '!!map', '&anchor 1', '*alias', '| block', '> folded', '---', '...', '%YAML 1.1',
	'\tx: 1', '# comment', 'key: value # c', ': empty key', '? complex', '1:2:3', '0x1F', '0b101', '0o17', '017', '1e400', '-.inf', '.NaN',
	'1_000', '~', 'null', 'yes', 'On', '"unterminated', "'unterminated", '[a, [b, {c: d}]]', '- - - x', 'a: {b: [1, 2], c: }', '\u00a0', '\ufeffa: 1'
];

function tokenSoup(rng: Rng): string {
	return Array.from({ length: rng.size(80) + 1 }, () => ' '.repeat(rng.chance(0.5) ? rng.int(8) : 0) + rng.pick(FRAGMENTS)).join(rng.chance(0.9) ? '\n' : '\r\n');
}

const SCALARS = ['8', '0', '-1', '1e5', '1.0e+5', '2048', '2049', '44100', '48000', '1e400', '.inf', '-.nan', 'true', 'null', '[]', '{}', '[8, 8, 8, 9]', '[1e400]', '!!python/tuple [2, 2]', '"8"', '9007199254740993', '1:2:3', '0x800'];

/** A seed config with its lines edited: values replaced, lines duplicated, dropped or re-indented, fragments spliced in. */
function lineEdits(rng: Rng, seeds: readonly Uint8Array[]): string {
	const lines = new TextDecoder().decode(rng.pick(seeds)).split('\n');
	for (let n = rng.range(1, 5); n > 0; n--) {
		const i = rng.int(lines.length);
		switch (rng.int(5)) {
			case 0: {
				const colon = lines[i].indexOf(':');
				if (colon >= 0) lines[i] = lines[i].slice(0, colon + 1) + ' ' + rng.pick(SCALARS);
				break;
			}
			case 1:
				lines.splice(i, 0, lines[i]);
				break;
			case 2:
				lines.splice(i, 1);
				break;
			case 3:
				lines[i] = ' '.repeat(rng.int(12)) + lines[i].trimStart();
				break;
			default:
				lines.splice(i, 0, rng.pick(FRAGMENTS));
		}
	}
	return lines.join('\n');
}

function yamlSeeds(): Uint8Array[] {
	const names = readdirSync(join(process.cwd(), 'tests/fixtures/model-configs')).filter((f) => f.endsWith('.yaml'));
	return [...names.map((f) => fixture(`model-configs/${f}`)), fixture('checkpoints/tiny-bs.yaml'), fixture('checkpoints/tiny-mel.yaml')];
}

export const yamlTarget: FuzzTarget = {
	name: 'yaml',
	isClean,
	seeds: yamlSeeds,
	run: (bytes) => {
		const text = new TextDecoder().decode(bytes); // as File.text(): invalid UTF-8 becomes U+FFFD
		return runAll([() => parseYaml(text), () => specFromYaml(text), () => specFromYaml(text, { arch: 'mel_band_roformer' })], isClean);
	},
	generators: {
		nesting: (rng) => utf8(nested(rng)),
		tokens: (rng) => utf8(tokenSoup(rng)),
		lines: (rng, seeds) => utf8(lineEdits(rng, seeds))
	}
};
