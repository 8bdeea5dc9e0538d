/**
 * Memory benchmark (issue 11, bounded memory): separates a generated long stereo WAV in
 * Debian's Chromium and reads the process memory of Chromium's renderer processes (the page
 * and its separation worker live there) from /proc/<pid>/status (VmRSS) every 200 ms, and
 * prints the peak as a ratio to the 1.2 GiB target: of the page's renderer process (page +
 * worker) and of all renderer processes together (adds the service worker's).
 *
 * The model is a fixed-mask network (writeMaskModel below): the memory measured is that of
 * the audio buffers, not of the network. The app's build is copied to .bench/memory-site
 * with that model as the only one, served with the
 * same headers as scripts/serve.mjs. A license signed with the TEST key (tests/edge) is put
 * in the profile so whole songs are separated (the build must carry the TEST public key, as
 * `npm run build:test` does). The profile is on disk (persistent context),
 * as a user's is: OPFS of an off-the-record profile would live in memory.
 *
 * usage: npm run bench:memory [-- --minutes 20,60] [--port 4393] [--no-build] [--no-zip] [--build-dir DIR]
 */
import { chromium, type Page } from '@playwright/test';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { cpSync, createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execSync } from 'node:child_process';
import sirv from 'sirv';
import { encodeWav } from '../src/lib/dsp/wav';
import { Graph } from '../src/lib/models/onnx/graph';
import { serializeModel } from '../src/lib/models/onnx/serialize';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : fallback;
};
const minutesList = opt('minutes', '20,60').split(',').map(Number);
const port = Number(opt('port', '4393'));
/** Another build to measure (e.g. an older commit's, for a before/after comparison). */
const buildDir = opt('build-dir', 'build');
const TARGET = 1.2 * 1024 ** 3;
const MODEL = 'bench-mask-4stem';
const RATE = 44100;

if (!args.includes('--no-build') && buildDir === 'build') execSync('npm run build:test', { stdio: 'inherit' });

// The site: the build with the small fixture model as the only (default) model.
const site = join('.bench', 'memory-site');
rmSync(site, { recursive: true, force: true });
cpSync(buildDir, site, { recursive: true });
await writeMaskModel(join(site, 'models'));
for (const f of readdirSync(join(site, 'models'))) if (/^index\.json\.(br|gz)$/.test(f)) rmSync(join(site, 'models', f));
writeFileSync(join(site, 'models', 'index.json'), JSON.stringify({ default: MODEL, models: [MODEL] }));
const assets = sirv(site, { dev: false, etag: true, extensions: ['html'], brotli: true, gzip: true });
const server = createServer((req, res) => {
	res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
	res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
	assets(req, res, () => {
		res.writeHead(404).end();
	});
}).listen(port, '127.0.0.1');

/**
 * The benchmark's model: a fixed-mask network in the app's model interface (BS-Roformer I/O,
 * [1, 2, F, T, 2] STFT in, [1, 4, 2, F, T, 2] out: each stem is the mix times 0.4 / 0.3 / 0.2 /
 * 0.1), built with the app's own ONNX writer. It costs almost nothing to run, so the benchmark
 * measures the pipeline's audio buffers (4 s chunks, n_fft 2048, hop 441) and finishes an
 * hour of audio in minutes on two cores.
 */
async function writeMaskModel(dir: string): Promise<void> {
	const frames = 401;
	const bins = 1025;
	const g = new Graph('float32');
	const input = g.input('stft', 'float32', [1, 2, bins, frames, 2]);
	const gains = g.floats('gains', [0.4, 0.3, 0.2, 0.1], [1, 4, 1, 1, 1, 1]);
	const out = g.op('Mul', [g.op('Unsqueeze', [input, g.int64s([1])]), gains]);
	g.output(out, 'stems', 'float32', [1, 4, 2, bins, frames, 2]);
	const { parts } = await serializeModel(g);
	const bytes = Buffer.concat(parts);
	writeFileSync(join(dir, `${MODEL}.onnx`), bytes);
	const manifest = {
		id: MODEL,
		name: 'Fixed masks (memory benchmark)',
		architecture: 'bs_roformer',
		file: `${MODEL}.onnx`,
		bytes: bytes.length,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		sampleRate: RATE,
		channels: 2,
		stems: ['vocals', 'drums', 'bass', 'other'],
		residualStem: null,
		stft: { nFft: 2048, hopLength: 441, window: 'hann', center: true, padMode: 'reflect' },
		chunk: { frames, samples: 441 * (frames - 1) },
		io: { input: 'stft', inputLayout: '[1, S, F, T, 2]', output: 'stems', outputLayout: '[1, N, S, F, T, 2]' },
		trained: false,
		description: 'Fixed masks: a benchmark model, not a separator.',
		training: null,
		quality: null
	};
	writeFileSync(join(dir, `${MODEL}.json`), JSON.stringify(manifest, null, 2));
}

/** The device id the benchmark's profile gets (as the app would make one), and its licence. */
const DEVICE = 'benchMemoryDevice00001';

/** A licence for the TEST key pair activated for DEVICE, so the worker separates whole songs. */
function testLicense(): string {
	const { TEST_LICENSE_SIGNING_KEY } = JSON.parse(readFileSync('tests/edge/test-keys.json', 'utf8')) as Record<string, string>;
	const der = Buffer.from(TEST_LICENSE_SIGNING_KEY.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
	const head = `SSL1.${Buffer.from(JSON.stringify({ lid: 'benchMemory000001', plan: 'full', iat: Math.floor(Date.now() / 1000) - 60, dev: DEVICE })).toString('base64url')}`;
	const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
	return `${head}.${sign(null, Buffer.from(head), key).toString('base64url')}`;
}

/** A stereo test song written to disk block by block (16-bit WAV, as most rips are). */
async function writeSong(path: string, minutes: number): Promise<void> {
	const frames = Math.round(minutes * 60 * RATE);
	const out = createWriteStream(path);
	const header = encodeWav({ sampleRate: RATE, channels: [new Float32Array(0), new Float32Array(0)] }, { format: 'pcm16', dither: false });
	const v = new DataView(header.buffer);
	v.setUint32(4, 36 + frames * 4, true);
	v.setUint32(40, frames * 4, true);
	out.write(header);
	const BLOCK = 1 << 16;
	let seed = 12345;
	for (let f = 0; f < frames; f += BLOCK) {
		const n = Math.min(BLOCK, frames - f);
		const l = new Float32Array(n);
		const r = new Float32Array(n);
		for (let i = 0; i < n; i++) {
			const t = (f + i) / RATE;
			seed = (seed * 1103515245 + 12345) >>> 0;
			const hat = t % 0.25 < 0.03 ? 0.15 * (seed / 2 ** 32 - 0.5) : 0;
			const chord = 0.08 * (Math.sin(2 * Math.PI * 261.63 * t) + Math.sin(2 * Math.PI * 329.63 * t) + Math.sin(2 * Math.PI * 392 * t));
			const bass = 0.2 * Math.sin(2 * Math.PI * (t % 1 < 0.5 ? 55 : 73.4) * t);
			l[i] = chord + bass + hat;
			r[i] = 0.8 * chord + bass - 0.5 * hat;
		}
		const body = encodeWav({ sampleRate: RATE, channels: [l, r] }, { format: 'pcm16', dither: false }).subarray(44);
		if (!out.write(body)) await new Promise((resolve) => out.once('drain', resolve));
	}
	await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

// ---- process memory ------------------------------------------------------------------
interface Proc {
	pid: number;
	type: string;
}
function descendants(root: number): Proc[] {
	const parent = new Map<number, number>();
	for (const d of readdirSync('/proc')) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
			parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
		} catch {
			/* gone */
		}
	}
	const out: Proc[] = [];
	const walk = (pid: number) => {
		for (const [child, p] of parent) {
			if (p !== pid) continue;
			let type = 'browser';
			try {
				type = readFileSync(`/proc/${child}/cmdline`, 'utf8').match(/--type=([a-z-]+)/)?.[1] ?? 'other';
			} catch {
				continue;
			}
			out.push({ pid: child, type });
			walk(child);
		}
	};
	walk(root);
	return out;
}
function status(pid: number, field: 'VmRSS'): number {
	try {
		const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`));
		return m ? Number(m[1]) * 1024 : 0;
	} catch {
		return 0;
	}
}

class Sampler {
	peak = 0;
	/** Highest sampled RSS of one renderer process (the page's, which also runs its workers). */
	peakSingle = 0;
	peakByType = new Map<string, number>();
	private timer: ReturnType<typeof setInterval> | undefined;
	constructor(private readonly root: number) {}
	renderers(): Proc[] {
		return descendants(this.root).filter((p) => p.type === 'renderer');
	}
	sample(): void {
		const procs = descendants(this.root);
		const byType = new Map<string, number>();
		for (const p of procs) {
			const rss = status(p.pid, 'VmRSS');
			byType.set(p.type, (byType.get(p.type) ?? 0) + rss);
			if (p.type === 'renderer') this.peakSingle = Math.max(this.peakSingle, rss);
		}
		this.peak = Math.max(this.peak, byType.get('renderer') ?? 0);
		for (const [t, v] of byType) this.peakByType.set(t, Math.max(this.peakByType.get(t) ?? 0, v));
	}
	start(): void {
		this.timer = setInterval(() => this.sample(), 200);
	}
	stop(): void {
		clearInterval(this.timer);
		this.sample();
	}
}

const gib = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GiB`;

async function jobState(page: Page): Promise<{ status: string; text: string }> {
	const job = page.getByTestId('job').first();
	return { status: (await job.getAttribute('data-status')) ?? '', text: (await job.textContent()) ?? '' };
}

async function run(minutes: number): Promise<boolean> {
	const song = join(tmpdir(), `stemsafe-bench-${minutes}min.wav`);
	if (!existsSync(song) || statSync(song).size !== 44 + Math.round(minutes * 60 * RATE) * 4) await writeSong(song, minutes);
	const profile = mkdtempSync(join(tmpdir(), 'stemsafe-bench-profile-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
		args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-quic'],
		acceptDownloads: true
	});
	const browserPid = Number(execSync(`pgrep -o -f -- '--user-data-dir=${profile}'`).toString().trim());
	const sampler = new Sampler(browserPid);
	const started = Date.now();
	const secs = () => ((Date.now() - started) / 1000).toFixed(0);
	let ok = false;
	try {
		const page = context.pages()[0] ?? (await context.newPage());
		await page.goto(`http://127.0.0.1:${port}/?backend=wasm`);
		await page.evaluate(
			({ token, device }) =>
				new Promise<void>((resolve, reject) => {
					const open = indexedDB.open('keyval-store');
					open.onupgradeneeded = () => open.result.createObjectStore('keyval');
					open.onsuccess = () => {
						const tx = open.result.transaction('keyval', 'readwrite');
						tx.objectStore('keyval').put(token, 'stemsafe:license');
						tx.objectStore('keyval').put(device, 'stemsafe:device');
						tx.oncomplete = () => (open.result.close(), resolve());
						tx.onerror = () => reject(tx.error);
					};
					open.onerror = () => reject(open.error);
				}),
			{ token: testLicense(), device: DEVICE }
		);
		await page.reload();
		await page.getByTestId('model-state').filter({ hasText: 'Model ready' }).waitFor({ timeout: 300_000 });
		sampler.sample();
		const idle = sampler.peak;
		sampler.start();
		console.log(`\n${minutes}-minute stereo WAV (${gib(statSync(song).size)}), model ${MODEL}, WASM; at idle: page renderer ${gib(sampler.peakSingle)}, all renderers ${gib(idle)}`);
		await page.getByTestId('file-input').setInputFiles(song);
		let last = '';
		for (;;) {
			const { status: st, text } = await jobState(page);
			const pct = text.match(/(\d+)%/)?.[1];
			const line = `${st}${pct ? ` ${pct}%` : ''}`;
			if (line !== last && (st !== 'separating' || Number(pct) % 10 === 0)) console.log(`  [${secs()} s] ${line}; renderer peak so far ${gib(sampler.peak)}`);
			last = line;
			if (st === 'done' || st === 'error' || st === 'cancelled') {
				if (st !== 'done') console.log(`  job ended: ${text.slice(0, 400)}`);
				ok = st === 'done';
				break;
			}
			await page.waitForTimeout(1000);
		}
		const separated = sampler.peak;
		console.log(`  separation: page renderer peak ${gib(sampler.peakSingle)} = ${(sampler.peakSingle / TARGET).toFixed(2)}x the 1.2 GiB target; all renderers ${gib(separated)}`);
		if (ok) {
			const result = page.getByTestId('result').first();
			await result.getByTestId('disk-note').waitFor({ state: 'detached', timeout: 600_000 }).catch(() => undefined);
			console.log(`  [${secs()} s] waveforms ready; renderer peak so far ${gib(sampler.peak)}`);
			await result.getByTestId('play').click();
			await page.waitForTimeout(3000);
			const time = await result.getByTestId('time').textContent();
			await result.getByTestId('play').click();
			console.log(`  played 3 s from disk: clock reads ${time}`);
			if (!args.includes('--no-zip')) {
				const [download] = await Promise.all([page.waitForEvent('download', { timeout: 1_200_000 }), result.getByTestId('download-zip').click({ timeout: 1_200_000 })]);
				const size = statSync(await download.path()).size;
				console.log(`  [${secs()} s] zip of all stems (WAV 24-bit) downloaded: ${gib(size)}; renderer peak so far ${gib(sampler.peak)}`);
				await download.delete();
			}
		}
		sampler.stop();
		console.log(
			`  PEAK ${minutes} min: page renderer (page + worker) ${gib(sampler.peakSingle)} = ${(sampler.peakSingle / TARGET).toFixed(2)}x the 1.2 GiB target ; ` +
				`all renderer processes together ${gib(sampler.peak)} = ${(sampler.peak / TARGET).toFixed(2)}x; other processes: ${[...sampler.peakByType].filter(([t]) => t !== 'renderer').map(([t, v]) => `${t} ${gib(v)}`).join(', ')}`
		);
		console.log(`  ${ok ? 'completed' : 'did NOT complete'} in ${secs()} s`);
	} finally {
		sampler.stop();
		await context.close();
		rmSync(profile, { recursive: true, force: true });
	}
	return ok;
}

let allOk = true;
try {
	for (const m of minutesList) allOk = (await run(m)) && allOk;
} finally {
	server.close();
}
process.exit(allOk ? 0 : 1);
