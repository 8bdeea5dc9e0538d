/**
 * A custom mix as a file: at the practice speed and transposition if given (stretch/offline.ts), normalised to a loudness target if one is given (gain and look-ahead
 * limiter, normalizeLoudnessInRegions), then encoded as WAV, FLAC, MP3 or Opus (with `tags`). The export worker runs it,
 * so neither holds the page; pure, tested in Node.
 */
import { mixInClick, type ClickTrack } from '../click/click';
import type { AudioData } from '../dsp/audio';
import { normalizeLoudnessInRegions, type LoudnessTarget, type NormalizeResult } from '../dsp/loudness/normalize';
import { encodeAudioFile, type AudioFileFormat } from '../export/files';
import type { AudioTags } from '../encode/tags';
import { peakLevel } from './mix';
import { stretchAudio } from '../stretch/offline';
import { isNeutral, type PracticeSettings } from '../stretch/settings';

export type RenderedMix =
	| {
			ok: true;
			bytes: Uint8Array;
			/** highest sample of what was encoded: above 1 a PCM file clipped */
			peak: number;
			/** what normalising measured, when a target was given */
			normalized: Omit<NormalizeResult, 'channels'> | null;
	  }
	| { ok: false; error: string };

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function renderMix(
	mix: AudioData,
	format: AudioFileFormat,
	target: LoudnessTarget | null,
	onPass?: (pass: number) => void,
	tags?: AudioTags,
	practice?: PracticeSettings,
	click?: ClickTrack
): Promise<RenderedMix> {
	let audio = mix;
	let normalized: Omit<NormalizeResult, 'channels'> | null = null;
	if (practice && !isNeutral(practice)) {
		// stretched first, then normalised: the limiter sees the samples written
		try {
			audio = { sampleRate: mix.sampleRate, channels: await stretchAudio(mix.channels, mix.sampleRate, practice) };
		} catch (e) {
			return { ok: false, error: `Not changed in speed or pitch: ${reason(e)}.` };
		}
	}
	// the click after the stretch, at its speed: its clicks stay crisp and untransposed, on the stretched beats
	if (click) mixInClick(audio, click.events, { speed: practice?.speed ?? 1, volume: click.volume });
	if (target) {
		try {
			const { channels, ...measured } = await normalizeLoudnessInRegions(audio.channels, audio.sampleRate, target, onPass);
			audio = { sampleRate: audio.sampleRate, channels };
			normalized = measured;
		} catch (e) {
			return { ok: false, error: `Not normalised: ${reason(e)}.` };
		}
	}
	try {
		return { ok: true, bytes: await encodeAudioFile(audio, format, tags), peak: peakLevel(audio), normalized };
	} catch (e) {
		return { ok: false, error: `Not written: ${reason(e)}` };
	}
}
