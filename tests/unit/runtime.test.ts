import { describe, expect, it } from 'vitest';
import { fetchCached, readBody, type CacheLike } from '../../src/lib/runtime/asset-cache';
import { planBackends } from '../../src/lib/runtime/backend-plan';
import { explainError } from '../../src/lib/runtime/errors';
import { classifyAdapter, describeAdapter, probeAdapter, type AdapterFacts } from '../../src/lib/runtime/gpu-adapter';
import { planWasmThreads } from '../../src/lib/runtime/threads';
import { interimFraction, progressText } from '../../src/lib/separation/progress';

const facts = (over: Partial<AdapterFacts>): AdapterFacts => ({
	vendor: 'nvidia',
	architecture: 'ampere',
	description: '',
	isFallbackAdapter: false,
	features: [],
	...over
});

describe('WASM threads', () => {
	it('uses every core when the page is cross-origin isolated', () => {
		expect(planWasmThreads(8, true)).toEqual({ threads: 8, reason: null });
		expect(planWasmThreads(64, true).threads).toBe(16);
	});
	it('stays on one thread, with the reason, when it is not', () => {
		const plan = planWasmThreads(8, false);
		expect(plan.threads).toBe(1);
		expect(plan.reason).toMatch(/cross-origin isolated/);
		expect(planWasmThreads(undefined, true).threads).toBe(1);
		expect(planWasmThreads(1, true).reason).toMatch(/single CPU core/);
	});
});

describe('GPU adapter', () => {
	it('tells software adapters from hardware ones', () => {
		expect(classifyAdapter(null)).toBe('none');
		expect(classifyAdapter(facts({}))).toBe('hardware');
		expect(classifyAdapter(facts({ isFallbackAdapter: true }))).toBe('software');
		expect(classifyAdapter(facts({ vendor: 'google', architecture: 'swiftshader' }))).toBe('software');
		expect(classifyAdapter(facts({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe('software');
		expect(describeAdapter(facts({ vendor: 'google', architecture: 'swiftshader', description: '' }))).toBe('google swiftshader');
	});
	it('reads adapter info, old and new API shapes', async () => {
		const modern = { requestAdapter: async () => ({ info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true }, features: new Set(['shader-f16']) }) };
		expect(await probeAdapter(modern)).toEqual({ vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true, features: ['shader-f16'] });
		const legacy = { requestAdapter: async () => ({ isFallbackAdapter: true, requestAdapterInfo: async () => ({ vendor: 'x' }) }) };
		expect((await probeAdapter(legacy))?.isFallbackAdapter).toBe(true);
		expect(await probeAdapter({ requestAdapter: async () => null })).toBeNull();
		expect(await probeAdapter({ requestAdapter: async () => Promise.reject(new Error('blocked')) })).toBeNull();
		expect(await probeAdapter(undefined)).toBeNull();
	});
});

describe('backend plan', () => {
	it('keeps WebGPU first on a hardware GPU', () => {
		expect(planBackends(['webgpu', 'wasm'], 'hardware', 'nvidia')).toEqual({ backends: ['webgpu', 'wasm'], note: null });
	});
	it('prefers the CPU over a software GPU, and says so', () => {
		const plan = planBackends(['webgpu', 'wasm'], 'software', 'google swiftshader');
		expect(plan.backends).toEqual(['wasm']);
		expect(plan.note).toMatch(/software emulation \(google swiftshader\)/);
	});
	it('honours an explicit WebGPU request on a software GPU, with a warning', () => {
		const plan = planBackends(['webgpu'], 'software', 'google swiftshader');
		expect(plan.backends).toEqual(['webgpu']);
		expect(plan.note).toMatch(/much slower/);
	});
	it('drops WebGPU when there is none', () => {
		expect(planBackends(['webgpu', 'wasm'], 'none', '').backends).toEqual(['wasm']);
		expect(planBackends(['wasm'], 'none', '')).toEqual({ backends: ['wasm'], note: null });
	});
});

describe('asset cache', () => {
	class MemoryCache implements CacheLike {
		entries = new Map<string, Response>();
		async match(url: string) {
			return this.entries.get(url)?.clone();
		}
		async put(url: string, r: Response) {
			this.entries.set(url, r);
		}
	}
	const body = new Uint8Array(300_000).map((_, i) => i % 251);
	const url = 'https://app.example/models/m.onnx';

	it('downloads once, then serves from the cache, reporting progress', async () => {
		const cache = new MemoryCache();
		let fetches = 0;
		const fetch = async () => {
			fetches++;
			return new Response(body, { headers: { 'content-length': String(body.length) } });
		};
		const seen: [number, number | null][] = [];
		const first = await fetchCached(url, { cache, fetch }, (l, t) => seen.push([l, t]));
		expect(first.fromCache).toBe(false);
		expect(first.bytes).toEqual(body);
		expect(seen.at(-1)).toEqual([body.length, body.length]);
		const second = await fetchCached(url, { cache, fetch });
		expect(second.fromCache).toBe(true);
		expect(second.bytes).toEqual(body);
		expect(fetches).toBe(1);
	});
	it('fails with the status on an HTTP error and caches nothing', async () => {
		const cache = new MemoryCache();
		await expect(fetchCached(url, { cache, fetch: async () => new Response('no', { status: 404, statusText: 'Not Found' }) })).rejects.toThrow(/404 Not Found/);
		expect(cache.entries.size).toBe(0);
	});
	it('works without a cache, and does not trust Content-Length of an encoded body', async () => {
		const r = new Response(body, { headers: { 'content-length': '1000', 'content-encoding': 'br' } });
		const seen: (number | null)[] = [];
		expect(await readBody(r, (_, t) => seen.push(t))).toEqual(body);
		expect(seen.every((t) => t === null)).toBe(true);
		expect((await fetchCached(url, { cache: null, fetch: async () => new Response(body) })).bytes).toEqual(body);
	});
});

describe('errors for users', () => {
	it('replaces engine text with a sentence and keeps the details', () => {
		const e = explainError(new Error('failed to call OrtRun(). ERROR_CODE: 6, ERROR_MESSAGE: std::bad_alloc'));
		expect(e.message).toMatch(/ran out of memory/);
		expect(e.details).toMatch(/bad_alloc/);
		expect(explainError(new Error('WebGPU error: GPU device lost: destroyed')).message).toMatch(/graphics card/);
		const unknown = explainError('weird');
		expect(unknown.message).not.toMatch(/weird/);
		expect(unknown.details).toBe('weird');
	});
	it('passes messages already written for users through', () => {
		expect(explainError(new Error('The file is empty.'), true)).toEqual({ message: 'The file is empty.', details: null });
	});
});

describe('progress within a long chunk', () => {
	it('moves in proportion to the previous chunk and never passes the running one', () => {
		expect(interimFraction(0, 4, 5000, null)).toBe(0);
		expect(interimFraction(1, 4, 500, 1000)).toBeCloseTo(1.5 / 4);
		expect(interimFraction(1, 4, 5000, 1000)).toBeCloseTo(1.95 / 4);
		expect(interimFraction(0, 0, 1, 1)).toBe(0);
	});
	it('explains why the first chunk shows no time left', () => {
		expect(progressText({ fraction: 0, etaSeconds: null, stage: 'separating', chunk: { done: 0, total: 5, runningSeconds: 42 } })).toMatch(
			/Measuring speed on the first of 5 chunks \(42 s so far\)/
		);
		expect(progressText({ fraction: 0.4, etaSeconds: 3, stage: 'separating', chunk: { done: 2, total: 5, runningSeconds: 1 } })).toBe('Chunk 3 of 5');
	});
});
