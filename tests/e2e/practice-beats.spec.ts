/**
 * Issue 25, beat grid, click and chords on a result: the grid drawn on the waveforms, the chord
 * timeline under them and its .lab download, the click played live on the stems' clock (every
 * click source the page starts is recorded) and exported alone with its onsets on the song's
 * beats, C toggling it from the keyboard, and loops snapping to bar lines.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import type { AudioData } from '../../src/lib/dsp/audio';
import { parseWav } from '../../src/lib/dsp/wav';
import { backendOf, downloadZipEntries, dropFiles, openApp, wavFile } from './helpers';
import { expectNoAxeViolations, smallTargets } from './ui-helpers';
import { soundStarts } from '../unit/signals';

test.beforeEach(({}, info) => test.skip(backendOf(info) !== 'wasm', 'the beat grid does not depend on the backend; run it on WASM'));

const RATE = 44100;
const BPM = 120;
/** The first kick (s): beats every 0.5 s from here, bars of four. */
const FIRST = 0.25;
const NOTE = (midi: number) => 440 * 2 ** ((midi - 69) / 12);

/** 9.5 s at 120 BPM (under 10 s: the clock shows hundredths): a kick on every beat, one chord a bar (C, Am, F, G) with its root in the bass. */
function beatSong(seconds = 9.5): AudioData {
	const n = Math.round(seconds * RATE);
	const x = new Float32Array(n);
	const chords = [
		[60, 64, 67],
		[57, 60, 64],
		[53, 57, 60],
		[55, 59, 62]
	];
	for (let b = 0; FIRST + b * 0.5 < seconds; b++) {
		const i0 = Math.round((FIRST + b * 0.5) * RATE);
		let phase = 0;
		for (let i = 0; i < 0.15 * RATE && i0 + i < n; i++) {
			const t = i / RATE;
			phase += (2 * Math.PI * (50 + 100 * Math.exp(-t * 40))) / RATE;
			x[i0 + i] += 0.5 * Math.exp(-t * 30) * Math.sin(phase);
		}
		if (b % 4 !== 0) continue;
		const chord = chords[(b / 4) % 4];
		for (const midi of [...chord, chord[0] - 12])
			for (let i = 0; i < 2 * RATE && i0 + i < n; i++) {
				const t = i / RATE;
				x[i0 + i] += 0.05 * Math.exp(-t * 0.5) * (Math.sin(2 * Math.PI * NOTE(midi) * t) + 0.4 * Math.sin(4 * Math.PI * NOTE(midi) * t));
			}
	}
	return { sampleRate: RATE, channels: [x, x.slice()] };
}

/** Records every short buffer source started (the click's), with its start time on the audio clock. */
async function recordClicks(page: Page) {
	await page.addInitScript(() => {
		const w = window as unknown as { __clicks: number[] };
		w.__clicks = [];
		const start = AudioBufferSourceNode.prototype.start;
		AudioBufferSourceNode.prototype.start = function (this: AudioBufferSourceNode, when?: number, ...rest: number[]) {
			if (this.buffer && this.buffer.duration < 0.05) w.__clicks.push(when ?? 0);
			return start.call(this, when, ...rest);
		} as typeof start;
	});
}

/** Plays for `ms` and pauses; the clock times of the clicks started meanwhile (recordClicks). */
async function clicksWhilePlaying(page: Page, job: Locator, ms: number): Promise<number[]> {
	await page.evaluate(() => ((window as unknown as { __clicks: number[] }).__clicks = []));
	await job.getByTestId('play').click();
	await page.waitForTimeout(ms);
	await job.getByTestId('play').click();
	return page.evaluate(() => (window as unknown as { __clicks: number[] }).__clicks);
}

/** Where each click starts (sample index): sound after 100 ms of silence. */
const onsets = (x: Float32Array) => soundStarts(x, RATE, { gap: 0.1, floor: 1e-4 });

test('a result draws the beat grid and chords, plays and exports the click, downloads the chords as .lab, snaps loops to bars', async ({ page }) => {
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await recordClicks(page);
	await openApp(page, 'wasm');
	await dropFiles(page, [wavFile('beats.wav', beatSong())]);
	const job = page.getByTestId('job').first();
	await expect(job).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
	await expect(job.getByTestId('analysis-bpm')).toHaveText('120.0 BPM');

	// the grid on every waveform: about one beat every 0.5 s
	const beats = Number(await job.getByTestId('waveform-mix').getAttribute('data-beats'));
	expect(beats).toBeGreaterThanOrEqual(16);
	expect(beats).toBeLessThanOrEqual(20);

	// analysis.json in the zip: the beats (every kick within 20 ms), the downbeats among them, the chords
	const entries = await downloadZipEntries(page);
	const analysis = JSON.parse(new TextDecoder().decode(entries['beats - analysis.json']));
	expect(analysis.beats).toHaveLength(beats);
	for (const t of analysis.beats) expect(Math.abs(((t - FIRST + 0.25) % 0.5) - 0.25)).toBeLessThan(0.02);
	expect(analysis.downbeats.length).toBeGreaterThanOrEqual(4);
	expect(analysis.downbeats.every((t: number) => analysis.beats.includes(t))).toBe(true);
	expect(analysis.chords.map((c: { label: string }) => c.label)).toEqual(expect.arrayContaining(['C:maj', 'A:min', 'F:maj', 'G:maj']));

	// the chord timeline and its .lab
	const timeline = job.getByTestId('chord-timeline');
	await expect(timeline).toBeVisible();
	const labels = await timeline.locator('[data-label]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
	expect(labels).toEqual(expect.arrayContaining(['C:maj', 'A:min', 'F:maj', 'G:maj']));
	const [lab] = await Promise.all([page.waitForEvent('download'), job.getByTestId('download-lab').click()]);
	expect(lab.suggestedFilename()).toBe('beats - chords.lab');
	const lines = readFileSync(await lab.path(), 'utf8').trim().split('\n');
	for (const line of lines) expect(line).toMatch(/^\d+\.\d{3}\t\d+\.\d{3}\t(N|[A-G][#b]?:(maj|min))$/);
	expect(lines.some((l) => l.endsWith('\tA:min'))).toBe(true);
	// the zip carries the same .lab beside analysis.json
	expect(new TextDecoder().decode(entries['beats - chords.lab'])).toBe(readFileSync(await lab.path(), 'utf8'));

	// the click alone: one click per beat, on the song's kicks (within 20 ms), downbeats louder
	const [clickFile] = await Promise.all([page.waitForEvent('download'), job.getByTestId('download-click').click()]);
	expect(clickFile.suggestedFilename()).toBe('beats - click 120.0 BPM.wav');
	const click = parseWav(new Uint8Array(readFileSync(await clickFile.path())));
	expect(click.channels).toHaveLength(1);
	const starts = onsets(click.channels[0]).map((i) => i / RATE);
	expect(starts.length).toBeGreaterThanOrEqual(16);
	for (const t of starts) expect(Math.abs(((t - FIRST + 0.25) % 0.5) - 0.25)).toBeLessThan(0.02);
	const peak = (t: number) => Math.max(...click.channels[0].subarray(Math.round(t * RATE), Math.round((t + 0.03) * RATE)).map(Math.abs));
	const louder = starts.filter((t) => peak(t) > 0.55).length;
	expect(louder).toBeGreaterThanOrEqual(Math.floor(starts.length / 4) - 1);
	expect(louder).toBeLessThanOrEqual(Math.ceil(starts.length / 4) + 1);

	// the click live: C turns it on from the keyboard, playback schedules clicks half a second apart
	await job.locator('.waves').focus();
	await page.keyboard.press('c');
	await expect(job.getByTestId('click-toggle')).toHaveAttribute('aria-pressed', 'true');
	const live = await clicksWhilePlaying(page, job, 2500);
	expect(live.length).toBeGreaterThanOrEqual(3);
	const gaps = live.slice(1).map((t, i) => t - live[i]);
	// the grid's beats are within a 10 ms analysis frame of the kicks
	for (const g of gaps) expect(Math.abs(g - 60 / BPM)).toBeLessThan(0.025);

	// at 80 % speed the click follows: exported alone on the kicks' times / 0.8, live 0.625 s apart
	for (let i = 0; i < 4; i++) await job.getByTestId('speed-down').click();
	await expect(job.getByTestId('speed-value')).toHaveText('80 %');
	const [slowFile] = await Promise.all([page.waitForEvent('download'), job.getByTestId('download-click').click()]);
	expect(slowFile.suggestedFilename()).toBe('beats - click 96.0 BPM (80% speed).wav');
	const slow = parseWav(new Uint8Array(readFileSync(await slowFile.path())));
	expect(slow.channels[0].length).toBe(Math.round(click.channels[0].length / 0.8));
	const slowStarts = onsets(slow.channels[0]);
	const fastStarts = onsets(click.channels[0]);
	expect(slowStarts).toHaveLength(fastStarts.length);
	slowStarts.forEach((i, k) => expect(Math.abs(i * 0.8 - fastStarts[k])).toBeLessThanOrEqual(1));
	const slowLive = await clicksWhilePlaying(page, job, 3000);
	expect(slowLive.length).toBeGreaterThanOrEqual(3);
	for (const g of slowLive.slice(1).map((t, i) => t - slowLive[i])) expect(Math.abs(g - 60 / BPM / 0.8)).toBeLessThan(0.025);
	await job.getByTestId('practice-reset').click();

	// loops snap to bar lines (2.25, 4.25, 6.25 … s)
	await job.getByTestId('loop-snap').selectOption('bar');
	await job.getByTestId('position').fill('2.1');
	await job.getByTestId('loop-start').click();
	await job.getByTestId('position').fill('6.4');
	await job.getByTestId('loop-end').click();
	await expect(job.getByTestId('loop-region')).toHaveText(/Loop 0:02\.2\d–0:06\.2\d/);

	// a bar of count-in before the loop: four clicks a beat apart, then the loop's first click a beat later
	await job.getByTestId('click-count-in').click();
	await expect(job.getByTestId('click-count-in')).toHaveAttribute('aria-pressed', 'true');
	const counted = await clicksWhilePlaying(page, job, 3500);
	expect(counted.length).toBeGreaterThanOrEqual(6);
	const countGaps = counted.slice(1, 5).map((t, i) => t - counted[i]);
	for (const g of countGaps.slice(0, 3)) expect(Math.abs(g - 0.5)).toBeLessThan(0.025);
	// into the loop: the stems start on the audio clock at the bar's end; the loop's first click comes from the
	// live click, which sees playback start within a tick (25 ms) and plays a beat it just missed at once
	expect(Math.abs(countGaps[3] - 0.5)).toBeLessThan(0.06);

	// a phone: the click controls and the chord lane are 44 px touch targets, nothing scrolls sideways
	await page.setViewportSize({ width: 390, height: 844 });
	expect(await smallTargets(job.getByTestId('click-controls'))).toEqual([]);
	expect(await smallTargets(job.locator('.chordlane'))).toEqual([]);
	const width = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
	expect(width.doc).toBeLessThanOrEqual(width.view);
	await expect(job.getByTestId('chord-timeline')).toBeVisible();
	await expectNoAxeViolations(page, 'the click controls', '[data-testid=click-controls]');
	await expectNoAxeViolations(page, 'the chord lane', '.chordlane');
	expect(errors).toEqual([]);
});
