/**
 * The screenshots in docs/screenshots/: the app at 1280, 768 and 390 px wide, light and dark, on
 * its start screen and with separated songs (a result open, an older one folded, the library).
 * Run after a change to the UI and commit the pictures, so they show the app as it is:
 *
 *   npm run screenshots                    (builds into build-shots/ or STEMSAFE_BUILD_DIR, serves it on port 4391)
 *   npm run screenshots -- --url http://127.0.0.1:5173   (a running app, e.g. `vite dev`)
 *   npm run screenshots -- --no-build      (the existing build-shots/)
 *   npm run screenshots -- --widths 390    (some widths only; --out DIR to look before committing)
 *
 * The songs are synthesised here (chords, bass, drums and a sung-like line), so no audio is needed.
 */
import { chromium, type Page } from '@playwright/test';
import { execSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { encodeWav } from '../src/lib/dsp/wav';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const out = opt('out', 'docs/screenshots');
const port = Number(opt('port', '4391'));
const buildDir = process.env.STEMSAFE_BUILD_DIR || 'build-shots'; // its own build: never the one npm start serves
let url = opt('url', '');

/** A short, song-like stereo clip: a chord progression, a bass line, a drum groove and a vibrato melody. */
function demoSong(seconds: number, seed: number, sampleRate = 44100): Buffer {
	const n = Math.round(seconds * sampleRate);
	const left = new Float32Array(n);
	const right = new Float32Array(n);
	const hz = (midi: number) => 440 * 2 ** ((midi - 69) / 12);
	const chords = [
		[57, 60, 64],
		[53, 57, 60],
		[48, 52, 55],
		[55, 59, 62]
	];
	const melody = [69, 71, 72, 74, 76, 74, 72, 71];
	let r = seed;
	const rnd = () => ((r = (r * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
	const beat = 0.5;
	for (let i = 0; i < n; i++) {
		const t = i / sampleRate;
		const bar = Math.floor(t / (4 * beat)) % chords.length;
		const chord = chords[(bar + seed) % chords.length].reduce((s, m) => s + 0.05 * Math.sin(2 * Math.PI * hz(m) * t), 0);
		const bass = 0.22 * Math.sin(2 * Math.PI * hz(chords[(bar + seed) % chords.length][0] - 24) * t) * (1 - ((t % beat) / beat) * 0.6);
		const inBeat = t % beat;
		const kick = Math.floor(t / beat) % 2 === 0 && inBeat < 0.12 ? 0.5 * Math.sin(2 * Math.PI * (50 + 90 * Math.exp(-inBeat * 40)) * inBeat) * Math.exp(-inBeat * 25) : 0;
		const snare = Math.floor(t / beat) % 2 === 1 && inBeat < 0.15 ? 0.25 * rnd() * Math.exp(-inBeat * 30) : 0;
		const hat = t % (beat / 2) < 0.03 ? 0.08 * rnd() * (1 - (t % (beat / 2)) / 0.03) : 0;
		const note = melody[Math.floor(t / beat) % melody.length];
		const phrase = t % 8 < 6 ? 1 : 0; // the singer breathes
		const voice = phrase * 0.16 * Math.sin(2 * Math.PI * hz(note) * t + 0.4 * Math.sin(2 * Math.PI * 5.5 * t)) * (0.6 + 0.4 * Math.sin(2 * Math.PI * hz(note) * 2 * t));
		left[i] = chord + bass + kick + snare + hat * 1.2 + voice;
		right[i] = 0.85 * chord + bass + kick + snare * 0.8 + hat * 0.6 + voice;
	}
	return Buffer.from(encodeWav({ sampleRate, channels: [left, right] }, { format: 'pcm16' }));
}

async function drop(page: Page, files: { name: string; buffer: Buffer }[]) {
	await page.getByTestId('file-input').setInputFiles(files.map((f) => ({ name: f.name, mimeType: 'audio/wav', buffer: f.buffer })));
}

async function shoot(page: Page, name: string) {
	for (const scheme of ['light', 'dark'] as const) {
		await page.emulateMedia({ colorScheme: scheme });
		await page.evaluate(() => window.scrollTo(0, 0)); // a full-page shot draws the sticky bar where the page is scrolled
		await page.waitForTimeout(300); // waveforms redraw in the new colours
		await page.screenshot({ path: `${out}/${name}-${scheme}.png`, fullPage: true });
		console.log(`  ${out}/${name}-${scheme}.png`);
	}
}

let server: ReturnType<typeof spawn> | null = null;
if (!url) {
	if (!args.includes('--no-build')) execSync('npm run build:test', { stdio: 'inherit', env: { ...process.env, STEMSAFE_BUILD_DIR: buildDir } });
	server = spawn(process.execPath, ['scripts/serve.mjs', String(port)], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, STEMSAFE_BUILD_DIR: buildDir } });
	await new Promise<void>((resolve, reject) => {
		server!.stdout!.on('data', (d: Buffer) => d.toString().includes('http://') && resolve());
		server!.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
	});
	url = `http://127.0.0.1:${port}`;
}

mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-quic']
});
try {
	for (const width of opt('widths', '1280,768,390').split(',').map(Number)) {
		console.log(`${width} px:`);
		const context = await browser.newContext({ viewport: { width, height: width === 390 ? 844 : 900 }, deviceScaleFactor: 1 });
		const page = await context.newPage();
		await page.goto(`${url}/?backend=wasm`);
		await page.getByTestId('model-state').filter({ hasText: 'Model ready' }).waitFor({ timeout: 300_000 });
		await page.locator('[data-testid=offline-state][data-state=ready]').waitFor({ timeout: 300_000 }).catch(() => undefined);
		await shoot(page, `${width}-start`);
		// two songs: the first result folds away when the second one finishes
		await drop(page, [
			{ name: 'Demo song A.wav', buffer: demoSong(8, 1) },
			{ name: 'Demo song B.wav', buffer: demoSong(8, 2) }
		]);
		await page.locator('[data-testid=job][data-status=done]').nth(1).waitFor({ timeout: 600_000 });
		await page.locator('[data-testid=library-item][data-status=complete]').nth(1).waitFor({ timeout: 60_000 });
		const open = page.locator('[data-testid=job][data-open=true]');
		await open.getByTestId('details-analysis').locator('summary').click();
		await open.getByTestId('stem-drums').getByRole('button', { name: /^Mute/ }).click(); // a muted stem is drawn faint
		await page.mouse.move(0, 0);
		await shoot(page, `${width}-result`);
		await context.close();
	}
} finally {
	await browser.close();
	server?.kill();
}
