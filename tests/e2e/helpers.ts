import { expect, type BrowserContext, type ConsoleMessage, type Locator, type Page, type TestInfo } from '@playwright/test';
import { unzipSync } from 'fflate';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AudioData } from '../../src/lib/dsp/audio';
import { measureLoudness } from '../../src/lib/dsp/loudness/loudness';
import { encodeWav, parseWav } from '../../src/lib/dsp/wav';
import { COMMON_HEADERS, CSP_DIRECTIVES, formatCsp, securityHeaders } from '../../src/lib/security/headers.js';

export type BackendName = 'webgpu' | 'wasm';

export function backendOf(info: TestInfo): BackendName {
	return info.project.name === 'webgpu' ? 'webgpu' : 'wasm';
}

/**
 * A stereo test "song", different per channel: a C-major triad (or `chord`, in Hz), a bass
 * alternating every half second between two notes (A1 and D2 unless `bass` says otherwise) and
 * noise-burst hats on sixteenths.
 */
export function testSong(seconds: number, sampleRate = 44100, { chord: chordHz = [261.63, 329.63, 392], bass: bassHz = [55, 73.4] } = {}): AudioData {
	const n = Math.round(seconds * sampleRate);
	const left = new Float32Array(n);
	const right = new Float32Array(n);
	let seed = 12345;
	const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
	for (let i = 0; i < n; i++) {
		const t = i / sampleRate;
		const chord = chordHz.reduce((s, f) => s + 0.08 * Math.sin(2 * Math.PI * f * t), 0);
		const bass = 0.2 * Math.sin(2 * Math.PI * (t % 1 < 0.5 ? bassHz[0] : bassHz[1]) * t);
		const beat = t % 0.25;
		const hat = beat < 0.03 ? 0.15 * rnd() * (1 - beat / 0.03) : 0;
		left[i] = chord + bass + hat;
		right[i] = 0.8 * chord + bass - 0.5 * hat;
	}
	return { sampleRate, channels: [left, right] };
}

export function wavFile(name: string, audio: AudioData) {
	return { name, mimeType: 'audio/wav', buffer: Buffer.from(encodeWav(audio, { format: 'float32' })) };
}

/** Records every request any page, worker or service worker in the context makes. */
export function recordRequests(context: BrowserContext) {
	const requests: { url: string; method: string; body: number; type: string }[] = [];
	context.on('request', (r) =>
		requests.push({ url: r.url(), method: r.method(), body: r.postDataBuffer()?.length ?? 0, type: r.resourceType() })
	);
	return requests;
}

/** Drops files on the drop zone the way a browser does for a drag from the desktop. */
export async function dropFiles(page: Page, files: { name: string; mimeType: string; buffer: Buffer }[]) {
	const payload = files.map((f) => ({ name: f.name, type: f.mimeType, data: f.buffer.toString('base64') }));
	const transfer = await page.evaluateHandle((items) => {
		const dt = new DataTransfer();
		for (const item of items) {
			const bytes = Uint8Array.from(atob(item.data), (c) => c.charCodeAt(0));
			dt.items.add(new File([bytes], item.name, { type: item.type }));
		}
		return dt;
	}, payload);
	await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer: transfer });
}

export async function openApp(page: Page, backend: BackendName) {
	await page.goto(`/?backend=${backend}`);
	await expect(page.getByTestId('model-state')).toHaveText('Model ready', { timeout: 240_000 });
	await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
}

/** Every file in the "all stems" zip (32-bit float WAV stems, plus the analysis JSON). */
export async function downloadZipEntries(page: Page): Promise<Record<string, Uint8Array>> {
	await page.getByTestId('format').first().selectOption('float32');
	const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').first().click()]);
	return unzipSync(new Uint8Array(readFileSync(await download.path())));
}

export function wavEntries(files: Record<string, Uint8Array>): Map<string, AudioData> {
	return new Map(Object.entries(files).filter(([name]) => name.endsWith('.wav')).map(([name, bytes]) => [name, parseWav(bytes)]));
}

export async function downloadZip(page: Page): Promise<Map<string, AudioData>> {
	return wavEntries(await downloadZipEntries(page));
}

/**
 * Downloads the custom mix of a result normalised to streaming loudness (−14 LUFS) under a
 * −1.5 dBTP ceiling, and checks what the exported file measures: the target within ±0.5 LU and
 * the ceiling. Returns the mix.
 */
export async function exportNormalisedMix(page: Page, result: Locator): Promise<AudioData> {
	await result.getByTestId('loudness-target').selectOption('streaming');
	await result.getByTestId('loudness-ceiling').fill('-1.5');
	const [download] = await Promise.all([page.waitForEvent('download'), result.getByTestId('download-mix').click()]);
	await expect(result.getByTestId('loudness-outcome')).toContainText('Normalised to');
	const mix = parseWav(new Uint8Array(readFileSync(await download.path())));
	const m = measureLoudness(mix.channels, mix.sampleRate);
	expect(Math.abs(m.integrated - -14)).toBeLessThanOrEqual(0.5);
	expect(m.truePeak).toBeLessThanOrEqual(-1.5);
	return mix;
}

/**
 * Collects every Content-Security-Policy violation the browser reports on the page, in its workers
 * (ORT's threads included) and in the service worker: as `securitypolicyviolation` events and as
 * console messages. Call before the first navigation; check `violations` at the end.
 */
export function watchCsp(page: Page): { violations: string[] } {
	const violations: string[] = [];
	const csp = /Content[ -]Security[ -]Policy|securitypolicyviolation|CSP violation/i;
	const note = (where: string) => (m: ConsoleMessage) => {
		if (csp.test(m.text())) violations.push(`${where}: ${m.text()}`);
	};
	page.on('console', note('page'));
	page.on('pageerror', (e) => {
		if (csp.test(e.message) || /EvalError|unsafe-eval/.test(e.message)) violations.push(`page error: ${e.message}`);
	});
	const listen = () =>
		self.addEventListener('securitypolicyviolation', (e) => {
			const v = e as SecurityPolicyViolationEvent;
			console.error(`CSP violation: ${v.effectiveDirective} blocked ${v.blockedURI || 'inline'} at ${v.sourceFile}:${v.lineNumber}`);
		});
	page.on('worker', (w) => {
		w.on('console', note(`worker ${w.url()}`));
		void w.evaluate(listen).catch(() => undefined); // a worker that ends first has nothing more to report
	});
	page.context().on('serviceworker', (w) => void w.evaluate(listen).catch(() => undefined));
	void page.addInitScript(listen);
	return { violations };
}

/**
 * The security headers on the app's page, a worker script and the bundled model, the page's
 * <meta> policy with the bootstrap's hash, and that another site cannot frame the app.
 */
export async function expectSecurityHeaders(page: Page) {
	const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
	const doc = await page.request.get('/');
	expect(doc.headers()).toMatchObject(lower(securityHeaders('page')));
	expect(doc.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
	const meta = await page.locator('meta[http-equiv="content-security-policy"]').getAttribute('content');
	expect(meta).toContain("connect-src 'self'");
	expect(meta).toMatch(/script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]{44}'/);
	const workerUrls = page.workers().map((w) => w.url());
	expect(workerUrls.some((u) => /separator\.worker-/.test(u))).toBe(true);
	for (const url of workerUrls) {
		const r = await page.request.get(url);
		expect(r.headers(), url).toMatchObject({ ...lower(COMMON_HEADERS), 'content-security-policy': formatCsp(CSP_DIRECTIVES) });
	}
	const model = await page.request.get('/models/bsr-4stem.onnx', { headers: { range: 'bytes=0-15' } });
	expect(model.headers()['content-type']).toBe('application/octet-stream');
	expect(model.headers()['x-content-type-options']).toBe('nosniff');
	// frame-ancestors 'none': a page of another site that frames the app gets nothing.
	const app = new URL('/', page.url()).href;
	const site = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><iframe src="${app}"></iframe>`));
	await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
	// Its own browser context, so that the other site's requests are not counted as the app's.
	const elsewhere = await page.context().browser()!.newContext();
	const other = await elsewhere.newPage();
	try {
		await other.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
		const frame = other.frames().find((f) => f !== other.mainFrame())!;
		await expect.poll(() => frame.url()).not.toBe('about:blank');
		await other.waitForTimeout(1000);
		expect(frame.url()).not.toBe(app);
		expect(await frame.evaluate(() => document.querySelector('[data-testid=dropzone]') !== null).catch(() => false)).toBe(false);
	} finally {
		await elsewhere.close();
		site.close();
	}
}
