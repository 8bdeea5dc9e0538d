/** Stem files for download: WAV per stem, or all stems in one zip. */
import { zipSync } from 'fflate';
import { encodeWav, type WavFormat } from './dsp/wav';
import type { SeparationResult, Stem } from './separation/pipeline';

export const WAV_FORMATS: { value: WavFormat; label: string }[] = [
	{ value: 'pcm24', label: 'WAV 24-bit' },
	{ value: 'pcm16', label: 'WAV 16-bit (dithered)' },
	{ value: 'float32', label: 'WAV 32-bit float' }
];

/** "My Song.mp3" + "vocals" -> "My Song - vocals.wav", without characters file systems refuse. */
export function stemFileName(sourceName: string, stem: string): string {
	const base = sourceName.replace(/\.[^./\\]+$/, '').replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').trim() || 'audio';
	return `${base} - ${stem}.wav`;
}

export function stemWav(result: SeparationResult, stem: Stem, format: WavFormat): Uint8Array {
	return encodeWav({ sampleRate: result.sampleRate, channels: stem.channels }, { format });
}

export function stemsZip(sourceName: string, result: SeparationResult, format: WavFormat): Uint8Array {
	const files: Record<string, [Uint8Array, { level: 0 }]> = {};
	for (const stem of result.stems) files[stemFileName(sourceName, stem.name)] = [stemWav(result, stem, format), { level: 0 }];
	return zipSync(files);
}

export function downloadBytes(bytes: Uint8Array, name: string, type: string): void {
	const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type }));
	const a = document.createElement('a');
	a.href = url;
	a.download = name;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
