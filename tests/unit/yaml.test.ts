// yaml.ts against PyYAML's FullLoader (tools/make_checkpoint_fixtures.py wrote the expected JSON)
// on every upstream config in tests/fixtures/model-configs, an edge-case file and the yaml files
// written next to the checkpoint fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseYaml, YamlError } from '../../src/lib/models/yaml';

const dirs = ['../fixtures/model-configs/', '../fixtures/checkpoints/'].map((d) => fileURLToPath(new URL(d, import.meta.url)));

describe('parseYaml matches PyYAML FullLoader', () => {
	const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.yaml')).map((f) => d + f));
	it('has the nine upstream configs and the edge cases', () => {
		expect(files.filter((f) => f.includes('model-configs')).length).toBe(10);
	});
	for (const file of files) {
		it(file.split('/').slice(-2).join('/'), () => {
			const expected = JSON.parse(readFileSync(file.replace(/\.yaml$/, '.expected.json'), 'utf8'));
			expect(parseYaml(readFileSync(file, 'utf8'))).toEqual(expected);
		});
	}
});

describe('parseYaml refuses what it does not read', () => {
	const bad: [string, RegExp][] = [
		['model: !!python/object:__main__.Evil {}\n', /tag !!python\/object:__main__.Evil is not supported/],
		['a: &x 1\nb: *x\n', /anchors and aliases/],
		['text: |\n  line\n', /block scalars/],
		['a: [1, 2\n', /unterminated \[/],
		['a:\n  b: 1\n   c: 2\n', /line 3: unexpected indentation/],
		['a: "open\n', /unterminated quoted string/],
		['a: 1\n\tb: 2\n', /tabs/],
		['---\na: 1\n---\nb: 2\n', /several documents/]
	];
	for (const [text, message] of bad) {
		it(JSON.stringify(text), () => {
			expect(() => parseYaml(text)).toThrow(YamlError);
			expect(() => parseYaml(text)).toThrow(message);
		});
	}
});
