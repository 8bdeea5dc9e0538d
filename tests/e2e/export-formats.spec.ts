import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { unzipSync } from 'fflate';
import * as tonejs from '@tonejs/midi';
import type { AudioData } from '../../src/lib/dsp/audio';
import { parseWav } from '../../src/lib/dsp/wav';
import { readOggPages } from '../../src/lib/encode/ogg';
import { loadManifest } from '../../scripts/lib/model-files';
import { backendOf, dropFiles, openApp, testSong, wavFile } from './helpers';

// @tonejs/midi is CommonJS: Node's ESM loader sees only its default export
const { Midi } = ((tonejs as unknown as { default?: typeof tonejs }).default ?? tonejs) as typeof tonejs;

test.beforeEach(({}, info) => test.skip(backendOf(info) !== 'wasm', 'exports do not depend on the backend; run them on WASM'));

/** Decodes a file with the browser's own decoder (decodeAudioData: FFmpeg in Chromium) at `rate`. */
async function decodeInPage(page: Page, bytes: Uint8Array, rate: number): Promise<AudioData> {
	const decoded = await page.evaluate(
		async ({ data, rate }) => {
			const buf = Uint8Array.from(atob(data), (c) => c.charCodeAt(0)).buffer;
			const audio = await new OfflineAudioContext(2, 1, rate).decodeAudioData(buf);
			return { sampleRate: audio.sampleRate, channels: Array.from({ length: audio.numberOfChannels }, (_, c) => Array.from(audio.getChannelData(c))) };
		},
		{ data: Buffer.from(bytes).toString('base64'), rate }
	);
	return { sampleRate: decoded.sampleRate, channels: decoded.channels.map((c) => Float32Array.from(c)) };
}

async function download(page: Page, testId: string): Promise<{ name: string; bytes: Uint8Array }> {
	const waiting = page.waitForEvent('download', { timeout: 120_000 });
	await page.getByTestId(testId).first().click();
	const file = await waiting.catch(async (e) => {
		// what the page said instead (a failed export shows its reason)
		const note = await page.getByTestId('disk-note').first().textContent({ timeout: 1000 }).catch(() => null);
		throw new Error(`no download from ${testId}${note ? `: ${note}` : ''} (${e})`);
	});
	return { name: file.suggestedFilename(), bytes: new Uint8Array(readFileSync(await file.path())) };
}

/**
 * The onset after the song's silent lead-in: the first sample where the short-term level (mean square over
 * ±32 samples, 1.5 ms) reaches a quarter of its maximum (half its RMS). A level, not a single sample, so that a
 * codec's pre-echo (a few per cent of the attack, smeared over a millisecond) does not count.
 */
function onset(x: Float32Array): number {
	const half = 32;
	const sq = new Float64Array(x.length + 1);
	for (let i = 0; i < x.length; i++) sq[i + 1] = sq[i] + x[i] * x[i];
	const level = (i: number) => (sq[Math.min(x.length, i + half)] - sq[Math.max(0, i - half)]) / (2 * half);
	let max = 0;
	for (let i = 0; i < x.length; i++) max = Math.max(max, level(i));
	for (let i = 0; i < x.length; i++) if (level(i) >= 0.25 * max) return i;
	return -1;
}

/** The lag (samples) of `b` against `a` within ±max where their cross-correlation peaks. */
function lag(a: Float32Array, b: Float32Array, max: number): number {
	let best = 0, bestValue = -Infinity;
	const n = Math.min(a.length, b.length);
	for (let d = -max; d <= max; d++) {
		let s = 0;
		for (let i = Math.max(0, -d); i < n && i + d < n; i += 2) s += a[i] * b[i + d];
		if (s > bestValue) (bestValue = s), (best = d);
	}
	return best;
}

/** The lossy stem lines up with the WAV: same onset within 1 ms (44 samples; Opus: its 2.5 ms window), cross-correlation at lag 0 within 1 ms, same length. */
/**
 * `endPadding`: how many samples past the end a decoder may return. MP3: none (the gapless header
 * is read). Opus: the file ends exactly (its last granule position, checked separately), but
 * Chromium's decodeAudioData does not always apply an Ogg Opus end trim and may return the last
 * 20 ms packet whole.
 * `onsetTolerance`: how far the level-threshold onset may move. 1 ms by default; Opus codes at 48 kHz
 * with a 2.5 ms overlap window, which reshapes the first milliseconds of an attack enough to move a
 * 25 %-of-peak crossing by a millisecond (measured: 45 samples on a drums stem whose lag is 0), so
 * for Opus the onset is held to that window and the alignment itself to the lag's 1 ms.
 */
function expectAligned(wav: AudioData, lossy: AudioData, label: string, endPadding = 0, onsetTolerance = 44) {
	expect(lossy.sampleRate).toBe(wav.sampleRate);
	const extra = lossy.channels[0].length - wav.channels[0].length;
	expect(extra, `${label}: length ${lossy.channels[0].length} against ${wav.channels[0].length}`).toBeGreaterThanOrEqual(-44);
	expect(extra, `${label}: length ${lossy.channels[0].length} against ${wav.channels[0].length}`).toBeLessThanOrEqual(44 + endPadding);
	const a = onset(wav.channels[0]), b = onset(lossy.channels[0]);
	console.log(`${label}: WAV onset ${a}, decoded onset ${b}; cross-correlation lag ${lag(wav.channels[0], lossy.channels[0], 2000)}`);
	expect(Math.abs(a - b), `${label}: onset`).toBeLessThanOrEqual(onsetTolerance);
	expect(Math.abs(lag(wav.channels[0], lossy.channels[0], 2000)), `${label}: lag`).toBeLessThanOrEqual(44);
}

test('MP3 and Opus stems line up with the WAV and carry their tags; MIDI of bass and vocals, alone and in the zip', async ({ page }) => {
	const manifest = loadManifest();
	// half a second of silence, then the test song: an onset to line up
	const body = testSong(3);
	const lead = 22050;
	const song: AudioData = { sampleRate: 44100, channels: body.channels.map((ch) => {
		const x = new Float32Array(lead + ch.length);
		x.set(ch, lead);
		return x;
	}) };
	page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
	page.on('console', (m) => m.type() === 'error' && console.log(`console: ${m.text()}`));
	await openApp(page, 'wasm');
	await dropFiles(page, [wavFile('fmt song.wav', song)]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 300_000 });

	// the menu says which formats are lossy
	const labels = await page.getByTestId('format').first().locator('option').allTextContents();
	expect(labels.filter((l) => /lossy/.test(l))).toEqual(['MP3 320 kbit/s (lossy)', 'MP3 V0 VBR (lossy)', 'Ogg Opus 192 kbit/s (lossy)']);
	expect(labels.filter((l) => /^(WAV|FLAC)/.test(l)).every((l) => !/lossy/.test(l))).toBe(true);

	// the reference: the stems as 32-bit float WAV
	await page.getByTestId('format').first().selectOption('float32');
	const wavZip = unzipSync((await download(page, 'download-zip')).bytes);
	const wav = (stem: string) => parseWav(wavZip[`fmt song - ${stem} (${manifest.id}).wav`]);
	// the zip holds the bass and vocals as MIDI whatever the audio format
	expect(Object.keys(wavZip).filter((n) => n.endsWith('.mid')).sort()).toEqual([`fmt song - bass (${manifest.id}).mid`, `fmt song - vocals (${manifest.id}).mid`]);

	// MP3 320 CBR, one stem: decoded by Chromium, it lines up with the WAV; ID3 names song and stem
	await page.getByTestId('format').first().selectOption('mp3-320');
	const mp3 = await download(page, 'download-bass');
	expect(mp3.name).toBe(`fmt song - bass (${manifest.id}).mp3`);
	const id3 = new TextDecoder().decode(mp3.bytes.subarray(0, 400));
	expect(id3.startsWith('ID3')).toBe(true);
	expect(id3).toContain('fmt song - bass');
	expect(id3).toContain(manifest.id);
	expectAligned(wav('bass'), await decodeInPage(page, mp3.bytes, 44100), 'MP3 320 bass');

	// MP3 V0 in the zip: every stem an .mp3, plus the MIDI files and the analysis
	await page.getByTestId('format').first().selectOption('mp3-v0');
	const v0 = await download(page, 'download-zip');
	expect(v0.name).toBe(`fmt song - stems mp3-v0 (${manifest.id}).zip`);
	const v0Zip = unzipSync(v0.bytes);
	expect(Object.keys(v0Zip).filter((n) => n.endsWith('.mp3')).length).toBe(manifest.stems.length);
	expectAligned(wav('drums'), await decodeInPage(page, v0Zip[`fmt song - drums (${manifest.id}).mp3`], 44100), 'MP3 V0 drums');

	// Ogg Opus through WebCodecs: 48 kHz inside, decoded at the stems' rate it lines up too
	const opusOk = await page.evaluate(async () => typeof AudioEncoder !== 'undefined' && (await AudioEncoder.isConfigSupported({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 })).supported);
	expect(opusOk, 'Chromium encodes Opus').toBe(true);
	await page.getByTestId('format').first().selectOption('opus');
	const opus = await download(page, 'download-drums');
	expect(opus.name).toBe(`fmt song - drums (${manifest.id}).opus`);
	expect(new TextDecoder().decode(opus.bytes.subarray(0, 4))).toBe('OggS');
	const comments = new TextDecoder().decode(opus.bytes.subarray(0, 2000));
	expect(comments).toContain('OpusHead');
	expect(comments).toContain('STEM=drums');
	expect(comments).toContain(`MODEL=${manifest.id}`);
	// the file itself ends exactly: last granule position = pre-skip + the input's length at 48 kHz
	const pages = readOggPages(opus.bytes);
	const preSkip = new DataView(pages[0].body.buffer, pages[0].body.byteOffset).getUint16(10, true); // OpusHead: pre-skip at byte 10
	expect(pages.at(-1)!.granule - preSkip).toBe(Math.round((wav('drums').channels[0].length * 48000) / 44100));
	expectAligned(wav('drums'), await decodeInPage(page, opus.bytes, 44100), 'Opus drums', Math.ceil((960 * 44100) / 48000), Math.ceil((120 * 44100) / 48000));
	// a custom mix in Opus is written too
	await page.getByTestId('details-mix').first().locator('summary').click();
	const mix = await download(page, 'download-mix');
	expect(mix.name).toMatch(/\.opus$/);
	expect(new TextDecoder().decode(mix.bytes.subarray(0, 4))).toBe('OggS');

	// MIDI of the bass: a Standard MIDI File named for the stem, its notes on the song's two bass pitches (A1, D2)
	const midi = await download(page, 'midi-bass');
	expect(midi.name).toBe(`fmt song - bass (${manifest.id}).mid`);
	const parsed = new Midi(midi.bytes);
	expect(parsed.tracks[0].name).toBe('bass');
	expect(parsed.header.tempos.length).toBeGreaterThan(0);
	const notes = parsed.tracks[0].notes;
	console.log(`MIDI bass: ${notes.length} notes: ${notes.map((n) => `${n.midi}@${n.time.toFixed(2)}`).join(' ')}`);
	expect(notes.length).toBeGreaterThanOrEqual(4);
	const onPitch = notes.filter((n) => n.midi === 33 || n.midi === 38).length;
	expect(onPitch / notes.length).toBeGreaterThanOrEqual(0.75);
	expect(Math.min(...notes.map((n) => n.time))).toBeGreaterThan(0.4); // nothing in the silent lead-in
	await expect(page.getByTestId('midi-vocals').first()).toBeVisible();
	await expect(page.getByTestId('midi-drums')).toHaveCount(0);
});
