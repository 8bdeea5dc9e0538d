/**
 * Which Opus encoder this browser (or worker) has, and the settings both encoders share. Kept
 * apart from the encoders so that the format menu can ask without loading either: the browser's
 * own libopus through WebCodecs `AudioEncoder` where it can encode Opus, else libopus compiled to
 * WebAssembly (`opus-wasm.ts`, loaded only then), which every browser that runs Stemsafe has.
 */

export const OPUS_RATE = 48000;
/** kbit/s per channel: 96 (192 for stereo), well past transparency for music. */
export const OPUS_KBPS_PER_CHANNEL = 96;
/** 20 ms packets at 48 kHz. */
export const OPUS_FRAME = 960;
export const OPUS_COMPLEXITY = 10;

export type OpusEncoderKind = 'webcodecs' | 'wasm';

/** The WebCodecs configuration: 48 kHz, 20 ms, VBR at the bitrate above, complexity 10, music. */
export const webCodecsOpusConfig = (channels: number): AudioEncoderConfig => ({
	codec: 'opus',
	sampleRate: OPUS_RATE,
	numberOfChannels: channels,
	bitrate: OPUS_KBPS_PER_CHANNEL * 1000 * channels,
	bitrateMode: 'variable',
	opus: { frameDuration: (OPUS_FRAME / OPUS_RATE) * 1e6, complexity: OPUS_COMPLEXITY, application: 'audio', signal: 'music' } as AudioEncoderConfig['opus']
});

/** Whether WebCodecs here says it can encode Opus with that configuration. */
export async function webCodecsOpusSupported(channels = 2): Promise<boolean> {
	if (typeof AudioEncoder === 'undefined') return false;
	try {
		return (await AudioEncoder.isConfigSupported(webCodecsOpusConfig(channels))).supported === true;
	} catch {
		return false;
	}
}

/**
 * The encoder to use: WebCodecs when it encodes Opus, else the WebAssembly libopus when
 * WebAssembly runs here, else none (a browser with WebAssembly turned off, where MP3 fails too).
 */
export function chooseOpusEncoder(have: { webCodecs: boolean; webAssembly: boolean }): OpusEncoderKind | null {
	if (have.webCodecs) return 'webcodecs';
	return have.webAssembly ? 'wasm' : null;
}

/** The encoder this browser (or worker) would use for `channels` channels. */
export async function opusEncoderKind(channels = 2): Promise<OpusEncoderKind | null> {
	return chooseOpusEncoder({ webCodecs: await webCodecsOpusSupported(channels), webAssembly: typeof WebAssembly === 'object' });
}

/** Whether Opus files can be made here (the format menu offers Opus when so). */
export async function opusSupported(channels = 2): Promise<boolean> {
	return (await opusEncoderKind(channels)) !== null;
}

/** An Opus encoder of 48 kHz planar samples into raw packets (WebCodecs in opus.ts, WebAssembly in opus-wasm.ts). */
export interface OpusPacketEncoder {
	/** The OpusTags vendor string: which libopus made the file. */
	readonly vendor: string;
	/** Encodes the next samples (planar, 48 kHz). */
	encode(planar: Float32Array[]): Promise<void>;
	/**
	 * Ends the stream, whose input was `samples` samples long: pushes out what the encoder holds
	 * back (its lookahead and the last partial packet) and returns every packet and the pre-skip.
	 */
	finish(samples: number): Promise<{ packets: Uint8Array[]; preSkip: number }>;
	/** Frees the encoder (also after a failure). */
	close(): void;
}
