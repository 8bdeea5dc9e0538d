/** Plain-language summary of a measured separation quality, for the About view. */
import type { ModelQuality } from './manifest';

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
