/**
 * The live stretch's AudioWorklet processor (signalsmith-stretch's, with playback/stretch-worklet.js's
 * fixes) run in Node in a stand-in AudioWorklet scope, block by block as the browser runs it: fed
 * buffer by buffer as the stretch player feeds it, it plays across the buffers' seams (the package's
 * own processor threw a RangeError there) and puts input time t at output time t / speed.
 * A file of its own: the package registers its processor once per module registry.
 */
import { beforeAll, describe, expect, it } from 'vitest';

const RATE = 44100;
const BLOCK = 128;

type Port = { postMessage: (m: unknown) => void; onmessage: ((e: { data: unknown[] }) => void) | null };
type Processor = { port: Port; process: (inputs: Float32Array[][], outputs: Float32Array[][], params: object) => boolean };

class ScopeProcessor {
	port: Port = { postMessage: (m) => this.onPost?.(m), onmessage: null };
	onPost?: (m: unknown) => void;
}

const registered = new Map<string, new (options: object) => Processor>();
const g = globalThis as Record<string, unknown>;

beforeAll(async () => {
	g.AudioWorkletProcessor = ScopeProcessor;
	g.registerProcessor = (name: string, cls: new (options: object) => Processor) => registered.set(name, cls);
	g.sampleRate = RATE;
	g.currentTime = 0;
	await import('../../src/lib/playback/stretch-worklet.js');
	await import('signalsmith-stretch');
});

async function processor(channels: number): Promise<Processor & ScopeProcessor> {
	const Cls = registered.get('signalsmith-stretch');
	if (!Cls) throw new Error('not registered');
	const p = new Cls({ numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [channels] }) as Processor & ScopeProcessor;
	await new Promise<void>((resolve) => (p.onPost = (m) => Array.isArray(m) && m[0] === 'ready' && resolve()));
	return p;
}

/** Calls one of the processor's remote methods as the node does (its reply is not needed here). */
function call(p: Processor, method: string, ...args: unknown[]) {
	p.port.onmessage!({ data: [0, method, ...args] });
}

describe('the live stretch processor (buffer mode)', () => {
	it('plays across the seams of buffers fed one after another, at the scheduled speed, without throwing', async () => {
		const p = await processor(2);
		const seconds = 3;
		const n = seconds * RATE;
		const click = Math.round(1.7 * RATE);
		const input = [0, 1].map(() => {
			const x = new Float32Array(n);
			for (let i = 0; i < n; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 330 * i) / RATE);
			x[click] += 0.9;
			return x;
		});
		// fed in uneven pieces, as segments are
		for (const [a, b] of [
			[0, 30000],
			[30000, 88200],
			[88200, 100000],
			[100000, n]
		])
			call(p, 'addBuffers', input.map((x) => x.slice(a, b)));
		const speed = 0.5;
		const start = 0.2;
		call(p, 'schedule', { active: true, input: 0, output: start, rate: speed });
		const total = Math.round((start + seconds / speed + 0.5) * RATE);
		const out = [new Float32Array(total), new Float32Array(total)];
		for (let f = 0; f + BLOCK <= total; f += BLOCK) {
			g.currentTime = f / RATE;
			const block = [new Float32Array(BLOCK), new Float32Array(BLOCK)];
			expect(p.process([[]], [block], {})).toBe(true);
			block.forEach((b, c) => out[c].set(b, f));
		}
		const y = out[0];
		// sound all the way from the start to the end of the input (no block of silence at a seam)
		const first = Math.round((start + 0.05) * RATE);
		const last = Math.round((start + seconds / speed - 0.05) * RATE);
		let quietest = Infinity;
		for (let f = first; f + 2048 <= last; f += 2048) quietest = Math.min(quietest, Math.max(...y.subarray(f, f + 2048).map(Math.abs)));
		expect(quietest).toBeGreaterThan(0.15);
		// the click at its input time / speed after the start (within 5 ms)
		let at = first;
		for (let i = first; i < last; i++) if (Math.abs(y[i] - y[i - 1]) > Math.abs(y[at] - y[at - 1])) at = i;
		expect(Math.abs(at / RATE - (start + click / RATE / speed))).toBeLessThan(0.005);
	});
});
