/**
 * Overlap between model chunks: more overlap blends more estimates per sample (smoother
 * chunk borders, a little better quality, as UVR's and MSST's overlap settings) and costs
 * proportionally more compute: each sample is computed 1 / (1 - overlap) times.
 */
export interface OverlapChoice {
	id: 'model' | 'fast' | 'balanced' | 'better' | 'best';
	label: string;
	/** null: what the model's config says (ZFTurbo `inference.num_overlap`; UVR's default for MDX-Net). */
	fraction: number | null;
}

export const OVERLAP_CHOICES: readonly OverlapChoice[] = [
	{ id: 'model', label: "As the model's settings say", fraction: null },
	{ id: 'fast', label: 'Fastest', fraction: 0.125 },
	{ id: 'balanced', label: 'Balanced', fraction: 0.25 },
	{ id: 'better', label: 'Better', fraction: 0.5 },
	{ id: 'best', label: 'Best (slowest)', fraction: 0.75 }
];

export const DEFAULT_OVERLAP: OverlapChoice['id'] = 'model';

/** ZFTurbo's inference.num_overlap (chunks start every chunk / n samples) as an overlap fraction. */
export function overlapFromNumOverlap(n: unknown): number | null {
	return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 16 ? 1 - 1 / n : null;
}

/** The overlap a job runs with; undefined: the separator's own default (25 %, UVR's for MDX-Net). */
export function resolveOverlap(choice: OverlapChoice, modelOverlap: number | null): number | undefined {
	return choice.fraction ?? modelOverlap ?? undefined;
}

/** Compute relative to no overlap (1.0 = each sample once). */
export function overlapCost(fraction: number): number {
	return 1 / (1 - fraction);
}

/** A stored choice, or the default when it is missing or unknown. */
export function overlapChoice(stored: string | null | undefined): OverlapChoice {
	return OVERLAP_CHOICES.find((c) => c.id === stored) ?? OVERLAP_CHOICES.find((c) => c.id === DEFAULT_OVERLAP)!;
}

/** "Processed in 8 s pieces with 25 % overlap: 1.33× the work of no overlap" */
export function describeChunking(chunkSeconds: number, fraction: number | undefined, mdx = false): string {
	if (fraction === undefined && mdx) return `Processed in ${formatSeconds(chunkSeconds)} pieces with Ultimate Vocal Remover's usual overlap`;
	fraction ??= 0.25;
	return `Processed in ${formatSeconds(chunkSeconds)} pieces with ${Math.round(fraction * 1000) / 10} % overlap: ${overlapCost(fraction).toFixed(2)}× the work of no overlap`;
}

/** "8 s", "5.94 s", "0.0073 s": short but never rounded to nothing or printed to 17 digits. */
export function formatSeconds(s: number): string {
	if (Number.isInteger(s)) return `${s} s`;
	return `${s >= 0.1 ? s.toFixed(2).replace(/0+$/, '').replace(/\.$/, '') : s.toPrecision(2)} s`;
}

export function formatBytes(n: number): string {
	if (n < 1024) return `${n} B`;
	const units = ['KB', 'MB', 'GB'];
	let v = n / 1024;
	let u = 0;
	while (v >= 1024 && u < units.length - 1) {
		v /= 1024;
		u++;
	}
	return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}

export function formatParams(n: number | null): string {
	if (n === null) return 'unknown';
	return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}
