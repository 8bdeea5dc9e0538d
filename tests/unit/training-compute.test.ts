import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { duration, trainingCompute } from '../../src/lib/separation/training-compute';

describe('the compute a model\'s training spent (About the model)', () => {
	it('states the synthetic start and the CPU runs since, added up', () => {
		const training = {
			examples_seen: 137344,
			started_from: { examples_seen: 133344, wall_seconds: 948, device: 'NVIDIA H100 80GB HBM3' },
			cpu_runs: [
				{ run: 'main-a', examples: 2000, wall_seconds: 8654 },
				{ run: 'main-d', examples: 2000, wall_seconds: 1453 }
			]
		};
		expect(trainingCompute(training)).toBe('Training: 133,344 two-second examples in 16 minutes on NVIDIA H100 80GB HBM3, then 4,000 in 2.8 hours on a 2-core CPU.');
	});
	it('reads a manifest with one CPU run and no list of runs, and a single phase', () => {
		expect(trainingCompute({ examples_this_run: 2000, wall_seconds: 8654, started_from: { examples_seen: 133344, wall_seconds: 948, device: 'a GPU' } })).toBe(
			'Training: 133,344 two-second examples in 16 minutes on a GPU, then 2,000 in 2.4 hours on a 2-core CPU.'
		);
		expect(trainingCompute({ examples_seen: 500, device: 'CPU' })).toBe('Training: 500 two-second examples on CPU.');
	});
	it('says nothing where the manifest does not (imported checkpoints, hostile values)', () => {
		for (const t of [null, undefined, 'x', [], {}, { examples_seen: -3 }, { examples_seen: 'many' }, { started_from: { examples_seen: NaN } }]) {
			expect(trainingCompute(t)).toBeNull();
		}
	});
	it('formats durations in minutes, then hours', () => {
		expect([duration(10), duration(60), duration(948), duration(5399), duration(5400), duration(36000)]).toEqual(['1 minute', '1 minute', '16 minutes', '90 minutes', '1.5 hours', '10.0 hours']);
	});
	it('the bundled model\'s manifest states it', () => {
		const index = JSON.parse(readFileSync('static/models/index.json', 'utf8'));
		const manifest = JSON.parse(readFileSync(`static/models/${index.default}.json`, 'utf8'));
		expect(trainingCompute(manifest.training)).toMatch(/^Training: [\d,]+ two-second examples in \d+ minutes on .+, then [\d,]+ in [\d.]+ hours on a 2-core CPU\.$/);
	});
});
