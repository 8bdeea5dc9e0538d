/**
 * Each stem's colour: the stem's name mapped to one of the theme's stem tones (theme.css
 * `tone-<name>` classes and `--stem-<name>` properties), so vocals look the same in the
 * mixer, the waveforms, the custom mix and the analysis, in both themes.
 */
export type StemTone = 'vocals' | 'drums' | 'bass' | 'other' | 'guitar' | 'piano' | 'mix';

const TONES: [RegExp, StemTone][] = [
	[/vocal|voice|sing|choir|a ?cappella|lead|back(ing)?/i, 'vocals'],
	[/drum|kick|snare|hat|cymbal|perc|tom/i, 'drums'],
	[/bass/i, 'bass'],
	[/guitar/i, 'guitar'],
	[/piano|keys|synth/i, 'piano'],
	[/^mix$|mixture/i, 'mix']
];

/** The tone of a stem by its name; anything else (other, instrumental, strings…) is 'other'. */
export function stemTone(name: string): StemTone {
	return TONES.find(([re]) => re.test(name))?.[1] ?? 'other';
}

/** The CSS custom property holding a stem's colour, e.g. '--stem-vocals'. */
export function stemColorVar(name: string): string {
	return `--stem-${stemTone(name)}`;
}
