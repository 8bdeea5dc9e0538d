/** Plain-language summary of a measured separation quality, for the About view. */
import { modelQualityFor, type ModelManifest, type ModelQuality } from './manifest';

/** What a mean uSDR sounds like, in words (the scale is the one the MDX/SDX challenges report). */
export function describeLevel(meanDb: number): { level: string; sound: string } {
	if (meanDb < 2) return { level: 'poorly', sound: 'each stem still carries much of the other instruments' };
	if (meanDb < 5) return { level: 'weakly', sound: 'the wanted instrument stands out, but the others leak in clearly' };
	if (meanDb < 8) return { level: 'fairly well', sound: 'stems are usable, with some audible leakage' };
	return { level: 'well', sound: 'stems are clean, with little leakage' };
}

export function realMusicVerdict(q: ModelQuality): string {
	const mean = q.model.mean;
	const { level, sound } = describeLevel(mean);
	const songs = typeof q.songs === 'number' ? `${q.songs} real recordings` : 'real recordings';
	const classical = q.baselines.classical?.mean;
	let versus = '';
	if (typeof classical === 'number') {
		const d = mean - classical;
		versus =
			Math.abs(d) < 0.5
				? `, about the same as a simple non-AI split (${classical.toFixed(2)} dB)`
				: d > 0
					? `, ${d.toFixed(1)} dB better than a simple non-AI split`
					: `, ${(-d).toFixed(1)} dB worse than a simple non-AI split`;
	}
	const stems = Object.entries(q.model.perStem).sort((a, b) => b[1] - a[1]);
	const range =
		stems.length > 1
			? ` It does best on ${stems[0][0]} (${stems[0][1].toFixed(2)} dB) and worst on ${stems.at(-1)![0]} (${stems.at(-1)![1].toFixed(2)} dB).`
			: '';
	return `On ${songs} it separates ${level}: ${mean.toFixed(2)} dB on average${versus}; ${sound}.${range}`;
}

/** Test-set id of the measurement on real recordings (scripts/eval.ts --set eval-real). */
export const REAL_TEST_SET = 'eval-real';

/** What a mean uSDR on real songs gives a listener, as a kind of split. */
export function splitWords(meanDb: number): string {
	if (meanDb < 2) return 'a rough split';
	if (meanDb < 5) return 'a usable but leaky split';
	if (meanDb < 8) return 'a fairly clean split';
	return 'a clean split';
}

/** Where a better model comes from and what it needs, for the main screen and the Models panel. */
export const STRONGER_MODELS =
	'Imported models such as BS-Roformer and Mel-Band-Roformer checkpoints (the ones Ultimate Vocal Remover and MSST use) or UVR MDX-Net models separate much better. ' +
	'You need the model file (typically 50–900 MB, from the model’s author) and, for the large ones, a graphics processor (WebGPU) or patience: ' +
	'on the processor alone they take several times longer.';

export interface QualityHeadline {
	/** One plain sentence: how good the model is on real songs (figures from its manifest). */
	text: string;
	/** True when a stronger model would clearly help (the split is rough or leaky). */
	suggestStronger: boolean;
}

const db = (x: number) => `${x.toFixed(1)} dB`;

/**
 * The main screen's sentence about the active model on real music, from the manifest's
 * `quality.byTestSet["eval-real"]`: the mean and the vocals in plain words. `bundled`: the
 * model that ships with the app ("the built-in model") rather than one the user imported.
 */
export function qualityHeadline(m: ModelManifest, bundled: boolean): QualityHeadline {
	const who = bundled ? 'the built-in model' : m.name;
	if (!m.trained) return { text: `${capital(who)} is untrained: its stems are not a real separation.`, suggestStronger: true };
	const real = modelQualityFor(m, REAL_TEST_SET);
	if (!real) {
		return {
			text: bundled ? 'The built-in model has not been measured on real songs yet.' : `Stemsafe has no measurement of ${m.name} on real songs; judge it by ear.`,
			suggestStronger: bundled
		};
	}
	const mean = real.model.mean;
	const vocals = real.model.perStem.vocals;
	const figures = typeof vocals === 'number' ? `about ${db(mean)} on average, ${db(vocals)} on vocals` : `about ${db(mean)} on average`;
	return { text: `On real songs ${who} gives ${splitWords(mean)} (${figures}; higher is better).`, suggestStronger: mean < 8 };
}

function capital(s: string): string {
	return s.charAt(0).toUpperCase() + s.slice(1);
}
