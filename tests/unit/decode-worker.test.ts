/**
 * Dropped files are decoded off the page's thread: FileDecoder (input/decode-client.ts) calls
 * decodeApi in a worker — here one made of a MessageChannel, as worker-crash.test.ts does — and
 * gets the same audio, the same clear errors, and the page's Web Audio decoder is used for
 * compressed files.
 */
import * as Comlink from 'comlink';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { AudioFormatError } from '../../src/lib/dsp/audio';
import { decodeUserFile } from '../../src/lib/dsp/decode';
import { encodeWav } from '../../src/lib/dsp/wav';
import { decodeApi } from '../../src/lib/input/decode-api';
import { FileDecoder } from '../../src/lib/input/decode-client';
import { constantFlac } from '../../scripts/lib/fuzz/builders';
import { sine } from './signals';

const decoders: FileDecoder[] = [];
afterEach(() => decoders.splice(0).forEach((d) => d.terminate()));

/** A FileDecoder whose worker is decodeApi on the other end of a MessageChannel. */
function decoder(): FileDecoder {
	const d = new FileDecoder(() => {
		const { port1, port2 } = new MessageChannel();
		Comlink.expose(decodeApi, port2 as unknown as Comlink.Endpoint);
		return Object.assign(port1 as unknown as Comlink.Endpoint, { terminate: () => (port1.close(), port2.close()) });
	});
	decoders.push(d);
	return d;
}

const refuse = async () => {
	throw new Error('no compressed decoder here');
};

describe('decoding dropped files in a worker', () => {
	it('a FLAC file: the same audio as decoding it on the page', async () => {
		const bytes = readFileSync(new URL('../fixtures/audio/s24-stereo-96k.flac', import.meta.url));
		const file = new File([bytes], 'song.flac');
		const got = await decoder().decode(file, refuse);
		const here = await decodeUserFile(file, refuse);
		expect(got.sampleRate).toBe(96000);
		expect(got.channels.map((c) => Array.from(c))).toEqual(here.channels.map((c) => Array.from(c)));
	});

	it('a WAV file, with the notes of a truncated one', async () => {
		const wav = encodeWav({ sampleRate: 8000, channels: [sine(440, 8000, 800)] }, { format: 'pcm16', dither: false });
		const got = await decoder().decode(new File([wav.subarray(0, 44 + 1000) as BlobPart], 'cut.wav'), refuse);
		expect(got.channels[0].length).toBe(500);
		expect(got.notes?.[0]).toMatch(/truncated/);
	});

	it('compressed files go to the page\'s decoder with their bytes and rate', async () => {
		const mp3 = readFileSync(new URL('../fixtures/audio/tone-32k.mp3', import.meta.url));
		const calls: { bytes: number; rate: number | null }[] = [];
		const got = await decoder().decode(new File([mp3], 'tone.mp3'), async (bytes, rate) => {
			calls.push({ bytes: bytes.byteLength, rate });
			return { sampleRate: 32000, channels: [sine(440, 32000, 3200)] };
		});
		expect(calls).toEqual([{ bytes: mp3.length, rate: 32000 }]);
		expect(got.channels[0].length).toBe(3200);
	});

	it('a damaged or hostile file fails with the reader\'s own message', async () => {
		const bomb = constantFlac({ channels: 8, sampleRate: 44100, bitsPerSample: 16, blockSize: 65535, frames: 300, value: 1000 });
		const file = new File([bomb as BlobPart], 'bomb.flac');
		const expected = await decodeUserFile(file, refuse).catch((e: Error) => e);
		expect(expected).toBeInstanceOf(AudioFormatError);
		const e = await decoder().decode(file, refuse).catch((err: Error) => err);
		expect(e).toBeInstanceOf(Error);
		expect((e as Error).name).toBe('AudioFormatError'); // what the job queue recognises
		expect((e as Error).message).toBe((expected as Error).message);
	});
});
