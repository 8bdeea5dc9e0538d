/**
 * Downloads of stems that stay on disk: WAV files and the zip of all stems are written as
 * streams into a private file (OPFS `exports/`), region by region, and that file is then
 * offered for download, so no whole stem, mix or zip is ever in memory. The previous
 * export is replaced by the next one.
 */
import { Zip, ZipPassThrough } from 'fflate';
import { AudioFormatError } from '../dsp/audio';
import { WavStreamEncoder, wavFileBytes } from '../dsp/wav-stream';
import { FlacSignature, FlacStreamEncoder, STREAMINFO_OFFSET, type FlacEncodeOptions } from '../dsp/flac/encode';
import { seededRandom } from '../dsp/random';
import { isFlac, isLossy, type AudioFileFormat } from './files';
import { encodeLossy } from '../encode/lossy';
import type { AudioTags } from '../encode/tags';
import { registerDataCategory } from '../privacy/data-categories';
import { READ_FRAMES, type StemFiles } from '../library/stem-files';
import { mixStems } from '../mixdown/mix';
import { clickIntoRegion, type ClickTrack } from '../click/click';
import { normalizedReader, planNormalization, type LoudnessTarget, type NormalizeResult, type RegionReader } from '../dsp/loudness/normalize';
import { opfsRoot } from '../library/opfs';
import { stretchedReader } from '../stretch/offline';
import { stretchedFrames, type PracticeSettings } from '../stretch/settings';

export const EXPORT_DIR = 'exports';
const ZIP_LIMIT = 0xffffffff; // no ZIP64: every size must fit 32 bits

registerDataCategory({
	id: 'exports',
	label: 'Exported files',
	description: `The last stem, mix or zip file prepared for download from a long song (private files “${EXPORT_DIR}/”).`,
	optional: false,
	idb: [],
	opfs: [EXPORT_DIR]
});

/** A fresh, empty writable file in exports/ (older exports are removed first). */
async function exportFile(name: string): Promise<{ handle: FileSystemFileHandle; out: FileSystemWritableFileStream }> {
	const root = await opfsRoot();
	await root.removeEntry(EXPORT_DIR, { recursive: true }).catch(() => undefined);
	const dir = await root.getDirectoryHandle(EXPORT_DIR, { create: true });
	const handle = await dir.getFileHandle(name.replace(/[\\/]/g, '_'), { create: true });
	return { handle, out: await handle.createWritable() };
}

/** An audio file as pieces, and (FLAC) what to write over its header once all pieces are out. */
interface Encoded {
	pieces: AsyncGenerator<Uint8Array>;
	/** bytes for position `at`, known at the end (FLAC's STREAMINFO: frame sizes and MD5) */
	patch: () => { at: number; bytes: Uint8Array } | null;
}

type RegionRead = (start: number, end: number) => Promise<Float32Array[]>;

/**
 * Encodes a region source (frames [start, end) -> planar channels) as WAV or FLAC, piece by
 * piece; MP3 and Opus (a tenth of the size or less) come out whole, as one piece, with `tags`.
 */
function encodePieces(
	read: RegionRead,
	frames: number,
	channels: number,
	sampleRate: number,
	format: AudioFileFormat,
	flac: Pick<FlacEncodeOptions, 'md5' | 'random'> = {},
	tags?: AudioTags
): Encoded {
	if (isLossy(format)) {
		return {
			pieces: (async function* () {
				yield await encodeLossy(read, frames, channels, sampleRate, format, tags);
			})(),
			patch: () => null
		};
	}
	const enc = isFlac(format)
		? new FlacStreamEncoder(sampleRate, channels, frames, { bitDepth: flacBits(format), ...flac })
		: new WavStreamEncoder(sampleRate, channels, frames, { format });
	async function* pieces() {
		yield enc.header();
		for (let f = 0; f < frames; f += READ_FRAMES) yield enc.body(await read(f, Math.min(frames, f + READ_FRAMES)));
		if (enc instanceof FlacStreamEncoder) yield enc.finish();
	}
	return { pieces: pieces(), patch: () => (enc instanceof FlacStreamEncoder ? { at: STREAMINFO_OFFSET, bytes: enc.streamInfo() } : null) };
}

const flacBits = (format: AudioFileFormat) => (format === 'flac16' ? 16 : 24);

/**
 * FLAC options for an output that cannot be patched at the end (a zip entry): one pass over the
 * audio finds the MD5 the encoder will compute, with a seeded dither that the encoding replays.
 */
async function announcedFlacSignature(read: RegionRead, frames: number, format: AudioFileFormat): Promise<Pick<FlacEncodeOptions, 'md5' | 'random'>> {
	const seed = (Math.random() * 2 ** 32) >>> 0;
	const signature = new FlacSignature(flacBits(format), { random: seededRandom(seed) });
	for (let f = 0; f < frames; f += READ_FRAMES) signature.add(await read(f, Math.min(frames, f + READ_FRAMES)));
	return { md5: signature.digest(), random: seededRandom(seed) };
}

async function writeAll(name: string, { pieces, patch }: Encoded): Promise<File> {
	const { handle, out } = await exportFile(name);
	try {
		for await (const p of pieces) await out.write(p as Uint8Array<ArrayBuffer>);
		const last = patch();
		if (last) await out.write({ type: 'write', position: last.at, data: last.bytes as Uint8Array<ArrayBuffer> });
		await out.close();
	} catch (e) {
		await out.abort().catch(() => undefined);
		throw e;
	}
	return handle.getFile();
}

/** One stem as a file; with `practice`, at that speed and transposition (stretched region by region as it is written). */
export async function stemAudioFile(files: StemFiles, stem: number, sampleRate: number, format: AudioFileFormat, name: string, tags?: AudioTags, practice?: PracticeSettings): Promise<File> {
	const source = practiced((s, e) => files.read(stem, s, e), files.frames, files.stored.channels, sampleRate, practice);
	try {
		return await writeAll(name, encodePieces(source.read, source.frames, files.stored.channels, sampleRate, format, {}, tags));
	} finally {
		source.close();
	}
}

/** A region source at the practice settings (stretch/offline.ts; unchanged without them). */
function practiced(read: RegionRead, frames: number, channels: number, sampleRate: number, practice: PracticeSettings | undefined) {
	return stretchedReader(read, frames, channels, sampleRate, practice ?? { speed: 1, semitones: 0 });
}

/** What writing a mix from disk found: its highest sample, and what normalising it measured. */
export interface DiskMix {
	peak: number;
	normalized?: Omit<NormalizeResult, 'channels'>;
}

/**
 * The selected stems summed with their volumes (see mixStems), as a WAV or FLAC; `peak` gets the highest
 * sample. With a loudness `target` the mix is normalised first (planNormalization: one pass over
 * the stems per trial, `onPass` hears of each) and `normalized` says what it measures.
 */
export async function mixAudioFile(
	files: StemFiles,
	selected: boolean[],
	volumes: number[],
	sampleRate: number,
	format: AudioFileFormat,
	name: string,
	target?: LoudnessTarget,
	onPass?: (pass: number) => void,
	tags?: AudioTags,
	practice?: PracticeSettings,
	click?: ClickTrack
): Promise<DiskMix & { file: File }> {
	const unstretched: RegionReader = async (start, end) => {
		const stems = await Promise.all(files.stored.files.map(async (_, s) => ({ name: String(s), channels: selected[s] ? await files.read(s, start, end) : Array.from({ length: files.stored.channels }, () => new Float32Array(end - start)) })));
		return mixStems(stems, selected, volumes, sampleRate).channels;
	};
	// the mix is stretched (one stretch, not one per stem), then normalised: the limiter sees the samples written
	const stretched = practiced(unstretched, files.frames, files.stored.channels, sampleRate, practice);
	// the click after the stretch, at its speed (as renderMix does for stems in memory)
	const mixed: RegionReader = click
		? async (start, end) => {
				const region = await stretched.read(start, end);
				clickIntoRegion(region, start, click.events, { sampleRate, speed: practice?.speed ?? 1, volume: click.volume });
				return region;
			}
		: stretched.read;
	const frames = stretched.frames;
	const normalized = target ? await planNormalization(mixed, frames, files.stored.channels, sampleRate, target, onPass) : undefined;
	const source = normalized && target ? normalizedReader(mixed, frames, sampleRate, normalized.gainDb, target) : mixed;
	let peak = 0;
	const read = async (start: number, end: number) => {
		const mix = await source(start, end);
		for (const ch of mix) for (let i = 0; i < ch.length; i++) peak = Math.max(peak, Math.abs(ch[i]));
		return mix;
	};
	try {
		const file = await writeAll(name, encodePieces(read, frames, files.stored.channels, sampleRate, format, {}, tags));
		return { file, peak, normalized };
	} finally {
		stretched.close();
	}
}

/** One song's stems for a zip: where to read them, and the name of each stem's entry. */
export interface ZipSong {
	/** Frames [start, end) of stem `stem`, one array per channel. */
	read: (stem: number, start: number, end: number) => Promise<Float32Array[]>;
	frames: number;
	channels: number;
	sampleRate: number;
	/** One entry name per stem; a folder per song is a prefix ("Song/Song - vocals.wav"). */
	names: string[];
	/** Small files beside the stems (the analysis, MIDI). */
	extras?: { name: string; bytes: Uint8Array }[];
	/** Tags of each stem's file (the compressed formats carry them). */
	tags?: AudioTags[];
	/** Speed and transposition applied to every stem (stretch/offline.ts); none: as separated. */
	practice?: PracticeSettings;
}

/**
 * All stems as WAV or FLAC files in one zip (stored, like stemsZip), plus small `extras` (the
 * analysis), streamed into a file. The zip cannot be patched, so a FLAC in it carries the MD5
 * found by a first pass over its stem (announcedFlacSignature) and leaves only the frame size
 * bounds unknown, which the format allows.
 */
export function stemsZipFile(
	files: StemFiles,
	names: string[],
	sampleRate: number,
	format: AudioFileFormat,
	zipName: string,
	extras: { name: string; bytes: Uint8Array }[] = [],
	tags?: AudioTags[],
	practice?: PracticeSettings
): Promise<File> {
	return songsZipFile([{ read: (s, a, b) => files.read(s, a, b), frames: files.frames, channels: files.stored.channels, sampleRate, names, extras, tags, practice }], format, zipName);
}

/** Several songs' stems in one zip (a batch's "download all"), streamed like stemsZipFile, one region at a time. */
export async function songsZipFile(songs: ZipSong[], format: AudioFileFormat, zipName: string): Promise<File> {
	// a FLAC file is at worst VERBATIM frames plus their headers: under 1 % more than the WAV of the same samples
	const one = (song: ZipSong) => {
		const frames = song.practice ? stretchedFrames(song.frames, song.practice.speed) : song.frames;
		return isLossy(format)
			? wavFileBytes(frames, song.channels, 'pcm16') // MP3 and Opus are far smaller than 16-bit PCM
			: isFlac(format)
			? Math.ceil(1.01 * wavFileBytes(frames, song.channels, format === 'flac16' ? 'pcm16' : 'pcm24'))
			: wavFileBytes(frames, song.channels, format);
	};
	const entrySize = (name: string) => 2 * (30 + 46 + name.length * 3) + 16; // local + central headers, data descriptor
	let total = 22;
	for (const song of songs) {
		total += song.names.reduce((sum, n) => sum + one(song) + entrySize(n), 0) + (song.extras ?? []).reduce((sum, x) => sum + x.bytes.length + entrySize(x.name), 0);
	}
	if (total > ZIP_LIMIT) {
		throw new AudioFormatError(
			songs.length > 1
				? 'These songs\' stems are too big for one zip file (over 4 GiB); download them song by song, or choose 16-bit.'
				: 'These stems are too big for one zip file (over 4 GiB); download them one by one, or choose 16-bit.'
		);
	}
	const { handle, out } = await exportFile(zipName);
	let pending: Promise<void> = Promise.resolve();
	let failed: unknown = null;
	const zip = new Zip((err, chunk) => {
		if (err) failed = err;
		else pending = pending.then(() => out.write(chunk as Uint8Array<ArrayBuffer>));
	});
	try {
		for (const song of songs) {
			for (let s = 0; s < song.names.length; s++) {
				const entry = new ZipPassThrough(song.names[s]);
				zip.add(entry);
				const stem = practiced((a, b) => song.read(s, a, b), song.frames, song.channels, song.sampleRate, song.practice);
				try {
					const flac = isFlac(format) ? await announcedFlacSignature(stem.read, stem.frames, format) : {};
					const { pieces } = encodePieces(stem.read, stem.frames, song.channels, song.sampleRate, format, flac, song.tags?.[s]);
					let prev: Uint8Array | null = null;
					for await (const p of pieces) {
						if (prev) entry.push(prev, false);
						prev = p;
						await pending; // back-pressure: at most one region waits for the disk
						if (failed) throw failed;
					}
					entry.push(prev ?? new Uint8Array(0), true);
				} finally {
					stem.close();
				}
			}
			for (const extra of song.extras ?? []) {
				const entry = new ZipPassThrough(extra.name);
				zip.add(entry);
				entry.push(extra.bytes, true);
			}
		}
		zip.end();
		await pending;
		if (failed) throw failed;
		await out.close();
	} catch (e) {
		await pending.catch(() => undefined);
		await out.abort().catch(() => undefined);
		throw e;
	}
	return handle.getFile();
}
