/**
 * Opus in a browser without a WebCodecs Opus encoder (Firefox before 130, Safari before 26). The
 * app's service worker precaches the WebAssembly libopus chunk (so it works offline), and the
 * app's own export worker — started behind a same-origin wrapper that deletes `AudioEncoder`
 * from the worker's global scope and served with the export worker's own headers (its CSP),
 * then spoken to over Comlink's message protocol as the page does — encodes Ogg Opus with it;
 * Chromium's decoder reads the file back lined up with the input. The same worker unwrapped
 * encodes through WebCodecs, checked the same way. No separation: the worker's encodeFile gets
 * the samples directly. (--disable-blink-features=WebCodecs does not switch WebCodecs off in
 * current Chromium, hence the wrapper.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from '@playwright/test';
import { BUILD_PATH } from '../../scripts/lib/build-dir.mjs';
import { oggPackets, readOggPages } from '../../src/lib/encode/ogg';
import { levelOnset, toneBurst } from '../unit/signals';
import { backendOf } from './helpers';

const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));

test('Opus without WebCodecs: the WebAssembly libopus, precached, under the CSP', async ({ browser }, info) => {
	test.skip(backendOf(info) !== 'wasm', 'does not depend on the backend; run it once');
	const workers = join(BUILD_PATH, '_app/immutable/workers');
	const all = files(workers).filter((f) => f.endsWith('.js'));
	const exportFile = all.find((f) => /export\.worker-[^/]*\.js$/.test(f))!;
	const exportWorker = '/' + relative(BUILD_PATH, exportFile);
	const libopus = all.filter((f) => readFileSync(f, 'utf8').includes('oc_create_encoder'));
	expect(libopus, 'one chunk holds the WebAssembly libopus').toHaveLength(1);
	const libopusPath = '/' + relative(BUILD_PATH, libopus[0]);
	expect(readFileSync(exportFile, 'utf8'), 'the worker loads it lazily, not in its own bundle').not.toContain('oc_create_encoder');

	// 1. the service worker precaches it with the worker's other files
	const online = await browser.newContext();
	try {
		const page = await online.newPage();
		await page.goto('/');
		await expect(page.getByTestId('offline-state')).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });
		const cached = () =>
			page.evaluate(async () => {
				const paths: string[] = [];
				for (const key of await caches.keys()) for (const r of await (await caches.open(key)).keys()) paths.push(new URL(r.url).pathname);
				return paths;
			});
		await expect.poll(cached, { timeout: 60_000 }).toEqual(expect.arrayContaining([libopusPath, exportWorker]));
	} finally {
		await online.close();
	}

	// 2. the export worker without AudioEncoder encodes with it (no service worker: the wrapper is routed)
	const context = await browser.newContext({ serviceWorkers: 'block' });
	try {
		const wrapper = '/__e2e/export-without-webcodecs.js';
		await context.route(`**${wrapper}`, async (route) => {
			const real = await route.fetch({ url: new URL(exportWorker, route.request().url()).href });
			expect(real.headers()['content-security-policy'], 'the export worker is served with its CSP').toMatch(/script-src[^;]*'wasm-unsafe-eval'/);
			// static imports run first: the worker is set up, then WebCodecs leaves its global scope
			await route.fulfill({ response: real, body: `import ${JSON.stringify(exportWorker)};\ndelete self.AudioEncoder;\n` });
		});
		const page = await context.newPage();
		page.on('console', (m) => console.log(`console (${m.type()}): ${m.text()}`));
		await page.goto('/privacy/');
		const rate = 44100, frames = 44100 + 321, onset = 15_000;
		const encode = (url: string) =>
			page.evaluate(
				async ({ url, rate, frames, onset }) => {
					const channels = [0, 1].map((c) => {
						const x = new Float32Array(frames);
						for (let i = onset; i < frames; i++) x[i] = 0.6 * Math.sin((2 * Math.PI * (220 + 110 * c) * (i - onset)) / rate) * Math.exp(-(i - onset) / (0.2 * rate));
						return x;
					});
					const worker = new Worker(url, { type: 'module' });
					type Reply = { id: string; type: string; value: unknown };
					const reply = await new Promise<Reply>((resolve, reject) => {
						worker.onmessage = (e: MessageEvent<Reply>) => e.data?.id === 'opus' && resolve(e.data);
						worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
						// Comlink's wire format: api.encodeFile(audio, 'opus', tags)
						const args = [{ sampleRate: rate, channels }, 'opus', { song: 'Fallback', stem: 'bass', model: 'm' }];
						worker.postMessage({ id: 'opus', type: 'APPLY', path: ['encodeFile'], argumentList: args.map((value) => ({ type: 'RAW', value })) });
					});
					worker.terminate();
					if (reply.type !== 'RAW') throw new Error(`encodeFile failed: ${JSON.stringify(reply.value)}`);
					const bytes = reply.value as Uint8Array;
					const decoded = await new OfflineAudioContext(2, 1, rate).decodeAudioData(bytes.slice().buffer);
					return { bytes: Array.from(bytes), decoded: Array.from(decoded.getChannelData(0)) };
				},
				{ url, rate, frames, onset }
			);
		// the WebAssembly libopus without WebCodecs, and (the same code around it) WebCodecs where it is
		for (const [url, vendor] of [[wrapper, 'libopus 1.6.1 via WebAssembly'], [exportWorker, 'libopus via WebCodecs']]) {
			const result = await encode(url);
			const file = Uint8Array.from(result.bytes);
			const pages = readOggPages(file);
			expect(pages.every((p) => p.crcOk)).toBe(true);
			const [head, tags] = oggPackets(pages);
			const preSkip = head[10] | (head[11] << 8);
			expect(preSkip).toBe(312);
			expect(pages.at(-1)!.granule - preSkip).toBe(Math.round((frames * 48000) / rate));
			const comments = new TextDecoder().decode(tags);
			expect(comments, 'the encoder that made it').toContain(vendor);
			expect(comments).toContain('TITLE=Fallback - bass');
			// Chromium may return the last 20 ms packet whole (see export-formats.spec.ts)
			const decoded = Float32Array.from(result.decoded);
			expect(decoded.length).toBeGreaterThanOrEqual(frames - 44);
			expect(decoded.length).toBeLessThanOrEqual(frames + 44 + Math.ceil((960 * rate) / 48000));
			const want = levelOnset(toneBurst(frames, onset, 220, rate)), got = levelOnset(decoded);
			console.log(`Opus (${vendor}) in Chromium: input onset ${want}, decoded onset ${got}, ${decoded.length} samples decoded for ${frames}, ${file.length} bytes`);
			expect(Math.abs(got - want)).toBeLessThanOrEqual(44);
		}
	} finally {
		await context.close();
	}
});
