import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-web';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { separateAudio } from '../../src/lib/separation/pipeline';
import { modelQualityFor, modelStems } from '../../src/lib/separation/manifest';
import { loadManifest, modelBytes } from '../../scripts/lib/model-files';
import { backendOf, downloadZipEntries, dropFiles, expectSecurityHeaders, openApp, recordRequests, testSong, watchCsp, wavEntries, wavFile } from './helpers';

test('drop a song, get stems that sum back to it, with no audio leaving the page', async ({ page, context }, info) => {
	const backend = backendOf(info);
	const requests = recordRequests(context);
	const csp = watchCsp(page);
	await openApp(page, backend);
	// The security headers and the page's CSP (with the bootstrap's hash); nobody can frame the app.
	await expectSecurityHeaders(page);

	const manifest = loadManifest();
	// WebGPU here is SwiftShader (a CPU emulation): ~2 min per 2 s model chunk on 2 cores, so that
	// run gets one chunk; WASM gets three, which covers the chunk crossfades in the browser too.
	const seconds = backend === 'webgpu' ? 1.9 : 4;
	const song = testSong(seconds);
	await dropFiles(page, [wavFile('test mix.wav', song)]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'separating', { timeout: 30_000 });
	await expect(job.getByTestId('progress')).toBeVisible();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 480_000 });
	await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend); // no silent fallback
	// Multi-threaded WASM: the server's COOP/COEP headers make the page cross-origin isolated.
	expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
	expect(Number(await page.getByTestId('backend').getAttribute('data-threads'))).toBeGreaterThan(1);
	// the STFT/iSTFT run on the WASM SIMD FFT (its .wasm loads from the worker's own assets)
	await expect(page.getByTestId('backend')).toHaveAttribute('data-simd-fft', 'true');

	const entries = await downloadZipEntries(page);
	const stems = wavEntries(entries);
	// the zip carries the analysis: loudness of the mix and of every stem, tempo and key
	const analysis = JSON.parse(new TextDecoder().decode(entries['test mix - analysis.json']));
	expect(typeof analysis.mix.integratedLufs).toBe('number');
	expect(typeof analysis.mix.truePeakDbtp).toBe('number');
	expect(Object.keys(analysis.stems).sort()).toEqual([...manifest.stems].sort());
	await expect(page.getByTestId('analysis-mix-lufs').first()).toHaveText(/^-?\d+\.\d LUFS$/);
	const fileOf = (stem: string) => `test mix - ${stem} (${manifest.id}).wav`;
	expect([...stems.keys()].sort()).toEqual(manifest.stems.map(fileOf).sort());
	let err = 0;
	let signal = 0;
	for (let c = 0; c < 2; c++) {
		for (let i = 0; i < song.channels[c].length; i++) {
			let sum = 0;
			for (const stem of stems.values()) sum += stem.channels[c][i];
			err += (sum - song.channels[c][i]) ** 2;
			signal += song.channels[c][i] ** 2;
		}
	}
	for (const stem of stems.values()) {
		expect(stem.sampleRate).toBe(44100);
		expect(stem.channels.map((ch) => ch.length)).toEqual(song.channels.map((ch) => ch.length));
	}
	const snr = 10 * Math.log10(signal / err);
	console.log(`[${backend}] ${stems.size} stems sum to the mix at ${snr.toFixed(1)} dB SNR`);
	expect(snr).toBeGreaterThan(90);

	// Every stem the network outputs matches the same pipeline run in Node (onnxruntime-web WASM).
	const session = await ortSessionFactory(ort, modelBytes(manifest))('wasm');
	const reference = await separateAudio(testSong(seconds), manifest, (input, dims) => session.run(input, dims));
	await session.release();
	for (const name of modelStems(manifest)) {
		const browser = stems.get(fileOf(name))!;
		const ref = reference.stems.find((s) => s.name === name)!.channels;
		let refErr = 0;
		let refEnergy = 0;
		for (let c = 0; c < 2; c++) {
			for (let i = 0; i < ref[c].length; i++) {
				refErr += (browser.channels[c][i] - ref[c][i]) ** 2;
				refEnergy += ref[c][i] ** 2;
			}
		}
		expect(refEnergy).toBeGreaterThan(0); // the network produced a stem, not silence
		const agreement = 10 * Math.log10(refEnergy / refErr);
		console.log(`[${backend}] ${name} agrees with the Node reference at ${agreement.toFixed(1)} dB`);
		expect(agreement).toBeGreaterThan(60);
	}

	// About the model states what it was trained on, its measured quality on real and synthetic
	// songs (from the manifest) and where it runs (the backend in use).
	await page.getByTestId('about-model').locator(':scope > summary').click();
	await expect(page.getByTestId('trained-on')).toContainText(String((manifest.training as { data: string }).data));
	await expect(page.getByTestId('training-compute')).toHaveText(/^Training: [\d,]+ two-second examples in \d+ minutes on .+, then [\d,]+ in [\d.]+ hours on a 2-core CPU\.$/);
	const synthetic = modelQualityFor(manifest, 'synthetic');
	const quality = page.getByTestId('quality-synthetic');
	await expect(quality).toContainText(synthetic ? synthetic.model.mean.toFixed(2) : 'missing');
	await expect(quality.locator('tbody tr')).toHaveCount(3);
	const real = modelQualityFor(manifest, 'eval-real');
	if (real) {
		await expect(page.getByTestId('quality-eval-real')).toContainText(real.model.mean.toFixed(2));
		await expect(page.getByTestId('quality-eval-real')).toContainText('CC BY-NC-SA 4.0');
		await expect(page.getByTestId('real-verdict')).toContainText(`${real.model.mean.toFixed(2)} dB on average`);
	} else {
		await expect(page.getByTestId('real-verdict')).toContainText('not been measured on real recordings');
	}
	// The weights' licence and the training data's credits, from the manifest.
	expect(typeof manifest.licence).toBe('string');
	await expect(page.getByTestId('model-licence')).toContainText(String(manifest.licence));
	const credits = ((manifest.training as { credits?: { credit: string }[] }).credits ?? []).map((c) => c.credit);
	if (credits.length) {
		await page.getByTestId('model-credits').locator('xpath=..').locator('summary').click();
		for (const credit of credits.slice(0, 3)) await expect(page.getByTestId('model-credits')).toContainText(credit);
	}
	await expect(page.getByTestId('runs-on')).toContainText(backend === 'webgpu' ? 'GPU) through WebGPU' : 'CPU) through WebAssembly');

	// A broken file fails on its own and the finished result stays.
	await dropFiles(page, [{ name: 'broken.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('ID3 not really audio') }]);
	const failed = page.getByTestId('job').nth(1);
	await expect(failed).toHaveAttribute('data-status', 'error');
	await expect(failed.getByTestId('job-error')).toContainText("couldn't be decoded");
	await expect(page.getByTestId('result')).toHaveCount(1);
	// FLAC is decoded by Stemsafe's own decoder, which names the damage.
	const flac = readFileSync(new URL('../fixtures/audio/s16-stereo-44k1.flac', import.meta.url));
	flac[Math.floor(flac.length / 2)] ^= 0x10;
	await dropFiles(page, [{ name: 'damaged.flac', mimeType: 'audio/flac', buffer: flac }]);
	const damaged = page.getByTestId('job').nth(2);
	await expect(damaged).toHaveAttribute('data-status', 'error');
	await expect(damaged.getByTestId('job-error')).toContainText('The FLAC file is damaged');
	await expect(page.getByTestId('result')).toHaveCount(1);

	// Privacy: only GETs for the app's own static files; nothing carries a body or leaves the origin.
	const origin = new URL(page.url()).origin;
	const outgoing = requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
	expect(outgoing).toEqual([]);
	expect(requests.filter((r) => r.method !== 'GET' || r.body > 0)).toEqual([]);
	expect(requests.length).toBeGreaterThan(3);
	// Separation (ORT's WASM and its threads, the SIMD FFT), analysis and export ran under the CSP.
	expect(csp.violations).toEqual([]);
});
