/**
 * Loudness-normalised export: gain to a target integrated loudness, with a true-peak ceiling
 * held by the look-ahead limiter. Limiting lowers the loudness a little, so gain and limiter are
 * iterated (measured each time) until the result is within 0.1 LU of the target or cannot get
 * closer under the ceiling.
 */
import { applyGain, limiterGain } from './limiter';
import { measureLoudness } from './loudness';
import { truePeak } from './true-peak';

export interface LoudnessTarget {
	/** LUFS, e.g. −14 (streaming), −16, −23 (EBU R128 broadcast). */
	integrated: number;
	/** dBTP, default −1. */
	truePeakCeiling?: number;
}

export const LOUDNESS_PRESETS = [
	{ id: 'streaming', label: 'Streaming (−14 LUFS)', integrated: -14 },
	{ id: 'podcast', label: 'Podcast / Apple (−16 LUFS)', integrated: -16 },
	{ id: 'broadcast', label: 'Broadcast EBU R128 (−23 LUFS)', integrated: -23 }
] as const;

export interface NormalizeResult {
	channels: Float32Array[];
	gainDb: number;
	integrated: number;
	truePeak: number;
	limited: boolean;
}

export function normalizeLoudness(channels: Float32Array[], sampleRate: number, target: LoudnessTarget): NormalizeResult {
	const ceilingDb = target.truePeakCeiling ?? -1;
	const before = measureLoudness(channels, sampleRate).integrated;
	if (!Number.isFinite(before)) throw new RangeError('the audio is silent: there is no loudness to normalise');
	// The limiter aims a little under the ceiling: the gain changing from sample to sample can
	// raise an inter-sample peak slightly.
	const ceiling = 10 ** ((ceilingDb - 0.1) / 20);
	const render = (gainDb: number): NormalizeResult => {
		const gained = applyGain(channels, 10 ** (gainDb / 20));
		const limited = Math.max(...gained.map((c) => truePeak(c, sampleRate))) > ceiling;
		const out = limited ? applyGain(gained, limiterGain(gained, sampleRate, { ceiling })) : gained;
		const m = measureLoudness(out, sampleRate);
		return { channels: out, gainDb, integrated: m.integrated, truePeak: m.truePeak, limited };
	};
	// Limiting makes loudness grow slower than gain: find the gain by the secant method.
	let prev = render(target.integrated - before);
	let best = prev;
	let gainDb = prev.gainDb + (target.integrated - prev.integrated);
	for (let round = 0; round < 8 && Math.abs(best.integrated - target.integrated) > 0.05; round++) {
		const next = render(gainDb);
		if (next.truePeak <= ceilingDb && Math.abs(next.integrated - target.integrated) < Math.abs(best.integrated - target.integrated)) best = next;
		const slope = Math.max(0.05, (next.integrated - prev.integrated) / (next.gainDb - prev.gainDb || 1));
		gainDb = next.gainDb + Math.max(-12, Math.min(12, (target.integrated - next.integrated) / slope));
		prev = next;
	}
	if (best.truePeak > ceilingDb) throw new Error(`the true-peak ceiling of ${ceilingDb} dBTP could not be met`);
	return best;
}
