import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-web';
import { ortSessionFactory } from '../../src/lib/separation/ort-session';
import { separateAudio } from '../../src/lib/separation/pipeline';
import { loadManifest, modelBytes } from '../unit/models';
import { backendOf, downloadZip, dropFiles, openApp, recordRequests, testSong, wavFile } from './helpers';

test('drop a song, get stems that sum back to it, with no audio leaving the page', async ({ page, context }, info) => {
	const backend = backendOf(info);
	const requests = recordRequests(context);
	await openApp(page, backend);

	const song = testSong(6);
	await dropFiles(page, [wavFile('test mix.wav', song)]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'separating', { timeout: 30_000 });
	await expect(job.getByTestId('progress')).toBeVisible();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
	await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend); // no silent fallback

	const stems = await downloadZip(page);
	expect([...stems.keys()].sort()).toEqual(['test mix - instrumental.wav', 'test mix - vocals.wav']);
	const vocals = stems.get('test mix - vocals.wav')!;
	const inst = stems.get('test mix - instrumental.wav')!;
	expect(vocals.sampleRate).toBe(44100);
	let err = 0;
	let signal = 0;
	let vocalEnergy = 0;
	for (let c = 0; c < 2; c++) {
		expect(vocals.channels[c].length).toBe(song.channels[c].length);
		for (let i = 0; i < song.channels[c].length; i++) {
			const d = vocals.channels[c][i] + inst.channels[c][i] - song.channels[c][i];
			err += d * d;
			signal += song.channels[c][i] ** 2;
			vocalEnergy += vocals.channels[c][i] ** 2;
		}
	}
	const snr = 10 * Math.log10(signal / err);
	console.log(`[${backend}] stems sum to the mix at ${snr.toFixed(1)} dB SNR`);
	expect(snr).toBeGreaterThan(90);
	expect(vocalEnergy).toBeGreaterThan(0); // the network produced a stem, not silence

	// The browser's model stem matches the same pipeline run in Node (onnxruntime-web WASM).
	const manifest = loadManifest();
	const session = await ortSessionFactory(ort, modelBytes(manifest))('wasm');
	const reference = await separateAudio(testSong(6), manifest, (input, dims) => session.run(input, dims));
	await session.release();
	let refErr = 0;
	let refEnergy = 0;
	for (let c = 0; c < 2; c++) {
		const ref = reference.stems[0].channels[c];
		for (let i = 0; i < ref.length; i++) {
			refErr += (vocals.channels[c][i] - ref[i]) ** 2;
			refEnergy += ref[i] ** 2;
		}
	}
	const agreement = 10 * Math.log10(refEnergy / refErr);
	console.log(`[${backend}] vocals agree with the Node reference at ${agreement.toFixed(1)} dB`);
	expect(agreement).toBeGreaterThan(60);

	// A broken file fails on its own and the finished result stays.
	await dropFiles(page, [{ name: 'broken.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('ID3 not really audio') }]);
	const failed = page.getByTestId('job').nth(1);
	await expect(failed).toHaveAttribute('data-status', 'error');
	await expect(failed.getByTestId('job-error')).toContainText("couldn't be decoded");
	await expect(page.getByTestId('result')).toHaveCount(1);

	// Privacy: only GETs for the app's own static files; nothing carries a body or leaves the origin.
	const origin = new URL(page.url()).origin;
	const outgoing = requests.filter((r) => !r.url.startsWith(origin) && !r.url.startsWith('blob:') && !r.url.startsWith('data:'));
	expect(outgoing).toEqual([]);
	expect(requests.filter((r) => r.method !== 'GET' || r.body > 0)).toEqual([]);
	expect(requests.length).toBeGreaterThan(3);
});
