/** Solo/mute logic of the stem mixer: any solo silences every stem that is not soloed. */
export interface ChannelStrip {
	muted: boolean;
	soloed: boolean;
	volume: number;
}

export function effectiveGains(strips: ChannelStrip[]): number[] {
	const anySolo = strips.some((s) => s.soloed);
	return strips.map((s) => (s.muted || (anySolo && !s.soloed) ? 0 : s.volume));
}
