import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stemColorVar, stemTone } from '../../src/lib/display/stems';

describe('stem colours', () => {
	it('maps the usual stem names to their tone', () => {
		expect(['vocals', 'drums', 'bass', 'other'].map(stemTone)).toEqual(['vocals', 'drums', 'bass', 'other']);
		expect(['Vocals', 'lead vocals', 'Kick', 'bass guitar', 'Electric Guitar', 'Piano', 'instrumental', 'strings', 'mix'].map(stemTone)).toEqual([
			'vocals', 'vocals', 'drums', 'bass', 'guitar', 'piano', 'other', 'other', 'mix'
		]);
		expect(stemColorVar('drums')).toBe('--stem-drums');
	});

	it('every tone has a colour in both themes and a tone class', () => {
		const css = readFileSync(new URL('../../src/lib/styles/theme.css', import.meta.url), 'utf8');
		const [light, dark] = css.split('@media (prefers-color-scheme: dark)');
		for (const tone of ['vocals', 'drums', 'bass', 'other', 'guitar', 'piano', 'mix']) {
			expect(light).toMatch(new RegExp(`--stem-${tone}: #[0-9a-f]{6};`));
			expect(dark).toMatch(new RegExp(`--stem-${tone}: #[0-9a-f]{6};`));
			expect(css).toContain(`.tone-${tone} {\n\t--tone: var(--stem-${tone});`);
		}
	});
});
