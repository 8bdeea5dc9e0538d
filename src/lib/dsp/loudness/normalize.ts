/**
 * Loudness-normalised export: gain to a target integrated loudness, with a true-peak ceiling
 * held by the look-ahead limiter. Limiting lowers the loudness a little, so gain and limiter are
 * iterated (measured each time) until the result is within 0.05 LU of the target or cannot get
 * closer under the ceiling. For songs kept on disk the same search runs pass by pass over the
 * signal's regions (planNormalization, normalizedReader), with the same numbers.
 */
import { applyGain, limiterGain, StreamLimiter } from './limiter';
import { LoudnessMeter, measureLoudness } from './loudness';
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

interface Trial {
	gainDb: number;
	integrated: number;
	truePeak: number;
	limited: boolean;
}

/**
 * The gain search both versions share (limiting makes loudness grow slower than gain: secant
 * method): yields the gains to try, is sent what each gave, and returns the best under the ceiling.
 */
function* gainSearch<T extends Trial>(before: number, target: number, ceilingDb: number): Generator<number, T, T> {
	if (!Number.isFinite(before)) throw new RangeError('the audio is silent: there is no loudness to normalise');
	let prev = yield target - before;
	let best = prev;
	let gainDb = prev.gainDb + (target - prev.integrated);
	for (let round = 0; round < 8 && Math.abs(best.integrated - target) > 0.05; round++) {
		const next = yield gainDb;
		if (next.truePeak <= ceilingDb && Math.abs(next.integrated - target) < Math.abs(best.integrated - target)) best = next;
		const slope = Math.max(0.05, (next.integrated - prev.integrated) / (next.gainDb - prev.gainDb || 1));
		gainDb = next.gainDb + Math.max(-12, Math.min(12, (target - next.integrated) / slope));
		prev = next;
	}
	if (best.truePeak > ceilingDb) throw new Error(`the true-peak ceiling of ${ceilingDb} dBTP could not be met`);
	return best;
}

/**
 * The limiter aims a little under the ceiling: the gain changing from sample to sample can raise an
 * inter-sample peak slightly.
 */
const limiterCeiling = (ceilingDb: number) => 10 ** ((ceilingDb - 0.1) / 20);

/**
 * The whole-signal statement of the export: the reference that the region-by-region versions the
 * app runs (normalizeLoudnessInRegions, planNormalization + normalizedReader) must equal sample for
 * sample in the unit tests.
 */
export function normalizeLoudness(channels: Float32Array[], sampleRate: number, target: LoudnessTarget): NormalizeResult {
	const ceilingDb = target.truePeakCeiling ?? -1;
	const ceiling = limiterCeiling(ceilingDb);
	const render = (gainDb: number): NormalizeResult => {
		const gained = applyGain(channels, 10 ** (gainDb / 20));
		const limited = Math.max(...gained.map((c) => truePeak(c, sampleRate))) > ceiling;
		const out = limited ? applyGain(gained, limiterGain(gained, sampleRate, { ceiling })) : gained;
		const m = measureLoudness(out, sampleRate);
		return { channels: out, gainDb, integrated: m.integrated, truePeak: m.truePeak, limited };
	};
	const search = gainSearch<NormalizeResult>(measureLoudness(channels, sampleRate).integrated, target.integrated, ceilingDb);
	let step = search.next();
	while (!step.done) step = search.next(render(step.value));
	return step.value;
}

/** A signal read region by region: channels for frames [start, end). */
export type RegionReader = (start: number, end: number) => Promise<Float32Array[]>;

const REGION_FRAMES = 1 << 16;

/** Regions of `read` with the gain and the limiter applied (the limiter's gain is exactly 1 where no peak needs it). */
async function* normalizedRegions(read: RegionReader, frames: number, sampleRate: number, gainDb: number, ceilingDb: number) {
	const g = 10 ** (gainDb / 20);
	const gained: RegionReader = async (a, b) => applyGain(await read(a, b), g);
	const limiter = new StreamLimiter(gained, frames, sampleRate, { ceiling: limiterCeiling(ceilingDb) });
	for (let start = 0; start < frames; start += REGION_FRAMES) {
		const end = Math.min(frames, start + REGION_FRAMES);
		const { gain, input } = await limiter.process(start, end);
		let limited = false;
		for (let i = 0; i < gain.length && !limited; i++) limited = gain[i] < 1;
		yield { start, end, limited, channels: limited ? applyGain(input, gain) : input };
	}
}

/**
 * normalizeLoudness for a signal that is never whole in memory (stems kept on disk): the same
 * search, each trial a pass over the regions; returns the gain to use with `normalizedReader`.
 * `onPass` hears of every pass (for progress: a long song takes seconds per pass).
 */
export async function planNormalization(
	read: RegionReader,
	frames: number,
	channels: number,
	sampleRate: number,
	target: LoudnessTarget,
	onPass: (pass: number) => void = () => undefined
): Promise<Omit<NormalizeResult, 'channels'>> {
	const ceilingDb = target.truePeakCeiling ?? -1;
	let pass = 0;
	const measure = async (regions: AsyncIterable<{ channels: Float32Array[]; limited: boolean }>) => {
		onPass(++pass);
		const meter = new LoudnessMeter(channels, sampleRate);
		let limited = false;
		for await (const r of regions) {
			meter.push(r.channels);
			limited ||= r.limited;
		}
		return { report: meter.finish(), limited };
	};
	const plain = async function* () {
		for (let start = 0; start < frames; start += REGION_FRAMES) yield { channels: await read(start, Math.min(frames, start + REGION_FRAMES)), limited: false };
	};
	const search = gainSearch<Omit<NormalizeResult, 'channels'>>((await measure(plain())).report.integrated, target.integrated, ceilingDb);
	let step = search.next();
	while (!step.done) {
		const gainDb = step.value;
		const { report, limited } = await measure(normalizedRegions(read, frames, sampleRate, gainDb, ceilingDb));
		step = search.next({ gainDb, integrated: report.integrated, truePeak: report.truePeak, limited });
	}
	return step.value;
}

/**
 * A reader of the normalised signal for the gain planNormalization chose; regions must be read in
 * order, from the start (as a WAV encoder does).
 */
export function normalizedReader(read: RegionReader, frames: number, sampleRate: number, gainDb: number, target: LoudnessTarget): RegionReader {
	const regions = normalizedRegions(read, frames, sampleRate, gainDb, target.truePeakCeiling ?? -1);
	let buffered: { start: number; end: number; channels: Float32Array[] } | null = null;
	return async (start, end) => {
		const out: Float32Array[] = [];
		for (let f = start; f < end; ) {
			if (buffered && f < buffered.start) throw new RangeError('regions of the normalised signal must be read in order');
			if (!buffered || f >= buffered.end) {
				const next = await regions.next();
				if (next.done) throw new RangeError(`read past the end (${f} of ${frames})`);
				buffered = next.value;
				continue;
			}
			const to = Math.min(end, buffered.end);
			buffered.channels.forEach((ch, c) => {
				out[c] ??= new Float32Array(end - start);
				out[c].set(ch.subarray(f - buffered!.start, to - buffered!.start), f - start);
			});
			f = to;
		}
		return out;
	};
}

/** Lets the event loop run (input, rendering) between regions: a task, not a microtask. */
const nextTask = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * normalizeLoudness for a mix in memory without holding the page: the region-by-region search,
 * pausing for the event loop between regions (the same gain and samples, tested).
 */
export async function normalizeLoudnessInRegions(
	channels: Float32Array[],
	sampleRate: number,
	target: LoudnessTarget,
	onPass?: (pass: number) => void
): Promise<NormalizeResult> {
	const frames = channels[0]?.length ?? 0;
	const read: RegionReader = async (a, b) => {
		await nextTask();
		return channels.map((c) => c.subarray(a, b));
	};
	const plan = await planNormalization(read, frames, channels.length, sampleRate, target, onPass);
	const normalized = normalizedReader(read, frames, sampleRate, plan.gainDb, target);
	const out = channels.map(() => new Float32Array(frames));
	for (let start = 0; start < frames; start += REGION_FRAMES) {
		const part = await normalized(start, Math.min(frames, start + REGION_FRAMES));
		part.forEach((ch, c) => out[c].set(ch, start));
	}
	return { ...plan, channels: out };
}
