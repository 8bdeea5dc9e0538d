/** The browser's own decoder for compressed formats (needs a window: Web Audio). */
import type { AudioData } from '../dsp/audio';

/**
 * decodeAudioData resamples to its context's rate, so the context is created at the
 * file's own rate when the header states it (nothing is resampled), else at `fallbackRate`.
 */
export async function decodeWithWebAudio(bytes: ArrayBuffer, sampleRate: number | null, fallbackRate = 44100): Promise<AudioData> {
	let ctx: OfflineAudioContext;
	try {
		ctx = new OfflineAudioContext(1, 1, sampleRate ?? fallbackRate);
	} catch {
		ctx = new OfflineAudioContext(1, 1, fallbackRate); // a rate outside what this browser's Web Audio supports
	}
	const buffer = await ctx.decodeAudioData(bytes);
	const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c).slice());
	return { sampleRate: buffer.sampleRate, channels };
}
