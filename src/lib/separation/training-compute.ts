/**
 * The compute a bundled model's training spent, in one sentence for *About the model*, from its
 * manifest's `training` (tools/ship_snapshot.py): the synthetic start (`started_from`: examples,
 * wall time, device) and the CPU runs on the stem bank since (`cpu_runs`), or a single phase
 * (`examples_seen`, `wall_seconds`, `device`). Null when the manifest does not say (imported
 * checkpoints). Pure.
 */
interface Phase {
	examples: number;
	seconds: number | null;
	device: string | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** "16 minutes", "2.8 hours". */
export function duration(seconds: number): string {
	if (seconds < 90 * 60) {
		const minutes = Math.max(1, Math.round(seconds / 60));
		return `${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
	}
	return `${(seconds / 3600).toFixed(1)} hours`;
}

function phaseText({ examples, seconds, device }: Phase, first: boolean): string {
	const count = examples.toLocaleString('en-US');
	return `${count}${first ? ' two-second examples' : ''}${seconds !== null ? ` in ${duration(seconds)}` : ''}${device ? ` on ${device}` : ''}`;
}

export function trainingCompute(training: unknown): string | null {
	if (!isObj(training)) return null;
	const phases: Phase[] = [];
	const start = isObj(training.started_from) ? training.started_from : null;
	const runs = Array.isArray(training.cpu_runs) ? training.cpu_runs.filter(isObj) : [];
	const cpu = 'a 2-core CPU';
	if (start && num(start.examples_seen)) {
		phases.push({ examples: num(start.examples_seen)!, seconds: num(start.wall_seconds), device: text(start.device) });
		if (runs.length) {
			const examples = runs.reduce((s, r) => s + (num(r.examples) ?? 0), 0);
			const seconds = runs.every((r) => num(r.wall_seconds) !== null) ? runs.reduce((s, r) => s + num(r.wall_seconds)!, 0) : null;
			phases.push({ examples, seconds, device: cpu });
		} else if (num(training.examples_this_run)) {
			phases.push({ examples: num(training.examples_this_run)!, seconds: num(training.wall_seconds), device: cpu });
		}
	} else if (num(training.examples_seen)) {
		phases.push({ examples: num(training.examples_seen)!, seconds: num(training.wall_seconds), device: text(training.device) });
	}
	if (phases.length === 0 || phases[0].examples === 0) return null;
	return `Training: ${phases.map((p, i) => phaseText(p, i === 0)).join(', then ')}.`;
}
