/** The browser's own decoder for compressed formats (needs a window: Web Audio). */
import type { AudioData } from './dsp/audio';

export async function decodeWithWebAudio(bytes: ArrayBuffer, sampleRate: number): Promise<AudioData> {
	// Decoding resamples to the context's rate; decode straight to the model rate.
	const ctx = new OfflineAudioContext(1, 1, sampleRate);
	const buffer = await ctx.decodeAudioData(bytes);
	const channels = Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c).slice());
	return { sampleRate: buffer.sampleRate, channels };
}
