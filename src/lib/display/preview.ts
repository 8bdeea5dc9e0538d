/**
 * How a free-tier preview is described, in one set of words for the current job, its result and
 * the library item, so all three say the same thing ("the first 1:00 of 2:00").
 */
import type { PreviewInfo } from '../separation/pipeline';
import { formatDuration, formatLength } from './time';

/** "the first 1:00 of 2:00" */
export function previewSpan(p: PreviewInfo): string {
	return `the first ${formatDuration(p.separatedSeconds)} of ${formatDuration(p.songSeconds)}`;
}

/** The label of a preview result or library item. */
export function previewLabel(p: PreviewInfo): string {
	return `Free preview: ${previewSpan(p)} was separated`;
}

/**
 * The line under a finished job: "2:00 of audio separated in 40.3 s", or for a preview
 * "1:00 of 2:00 separated in 40.3 s (free preview)" — the separated length, never the song's.
 */
export function separatedLine(songSeconds: number | null, elapsedSeconds: number | null, preview?: PreviewInfo): string {
	const took = elapsedSeconds === null ? '' : ` in ${elapsedSeconds.toFixed(1)} s`;
	if (preview) return `${formatDuration(preview.separatedSeconds)} of ${formatDuration(preview.songSeconds)} separated${took} (free preview)`;
	return `${formatLength(songSeconds)} of audio separated${took}`;
}
