/**
 * Custom mixes of a separation result: any selection of stems summed with their volumes,
 * and the usual presets (instrumental, drumless, bassless, a cappella).
 */
import type { AudioData } from '../dsp/audio';

export interface MixStem {
	name: string;
	channels: Float32Array[];
}

export type PresetId = 'instrumental' | 'drumless' | 'bassless' | 'acappella';

export interface Preset {
	id: PresetId;
	label: string;
	/** Which stems the preset keeps, given the result's stem names; null when it does not apply. */
	select: (stems: string[]) => boolean[] | null;
}

const allBut = (name: string) => (stems: string[]) =>
	stems.includes(name) && stems.length > 1 ? stems.map((s) => s !== name) : null;

export const PRESETS: Preset[] = [
	{ id: 'instrumental', label: 'Instrumental (no vocals)', select: allBut('vocals') },
	{ id: 'drumless', label: 'Drumless', select: allBut('drums') },
	{ id: 'bassless', label: 'Bassless', select: allBut('bass') },
	{ id: 'acappella', label: 'A cappella (vocals only)', select: (stems) => (stems.includes('vocals') ? stems.map((s) => s === 'vocals') : null) }
];

export function presetById(id: PresetId): Preset {
	const p = PRESETS.find((x) => x.id === id);
	if (!p) throw new Error(`unknown preset ${id}`);
	return p;
}

/** The name a selection goes by in file names: a preset's id, one stem's name, or the stems joined. */
export function selectionName(stems: string[], selected: boolean[]): string {
	for (const p of PRESETS) {
		const sel = p.select(stems);
		if (sel && sel.every((v, i) => v === selected[i])) return p.id === 'acappella' ? 'a cappella' : p.id;
	}
	const names = stems.filter((_, i) => selected[i]);
	if (names.length === stems.length) return 'full mix';
	return names.join('+');
}

/**
 * Sums the selected stems, each scaled by its volume. Output has the stems' channel count
 * and length; nothing is clipped here (the file encoder decides: float keeps overs, PCM clips).
 */
export function mixStems(stems: MixStem[], selected: boolean[], volumes: number[], sampleRate: number): AudioData {
	if (stems.length === 0) throw new Error('no stems to mix');
	if (selected.length !== stems.length || volumes.length !== stems.length) throw new Error('one selection flag and volume per stem');
	const chans = stems[0].channels.length;
	const n = stems[0].channels[0].length;
	const out = Array.from({ length: chans }, () => new Float32Array(n));
	stems.forEach((stem, s) => {
		const g = volumes[s];
		if (!selected[s] || g === 0) return;
		for (let c = 0; c < chans; c++) {
			const src = stem.channels[c];
			const dst = out[c];
			for (let i = 0; i < n; i++) dst[i] += g * src[i];
		}
	});
	return { sampleRate, channels: out };
}

/** Highest absolute sample: above 1 the mix clips in a PCM file. */
export function peakLevel(audio: AudioData): number {
	let peak = 0;
	for (const ch of audio.channels) for (let i = 0; i < ch.length; i++) peak = Math.max(peak, Math.abs(ch[i]));
	return peak;
}
