/**
 * The page's side of "Download all" (batch-zip.ts): each song's stems as they are — files on
 * disk referenced, samples sent only for a song the library could not keep — with its tags and
 * the MIDI files of its bass and vocals (transcribed in the export worker, as for the song's own
 * zip), then one zip from the export worker, or, without a private file system, in memory with
 * the compressed formats encoded by the worker.
 */
import { batchZipBytes, batchZipName, songEntries, songFolders, type BatchSong, type BatchZipInput, type ZipExtra } from './batch-zip';
import { encodeInWorker, exportWorker, stemMidiFiles, type MidiSource } from './client';
import { fileTags, isLossy, songBase, type AudioFileFormat } from './files';
import { opfsSupported } from '../library/opfs';
import type { AudioTags } from '../encode/tags';

/** A song's stem files as plain data for the worker, or null when they are not on disk. */
const plainStored = (song: BatchSong) => {
	const s = song.result.stored;
	return s ? { folder: s.folder, frames: s.frames, channels: s.channels, files: s.files.map((f) => [...f]) } : null;
};

/** Where the worker reads a song's stem: its file, or (not on disk) a copy of its samples. */
function midiSource(song: BatchSong): (stem: number) => MidiSource {
	const stored = plainStored(song);
	return (i) => (stored ? { stored, stem: i } : { channels: [...song.result.stems[i].channels] });
}

/** The batch's zip, named, ready to download; `onSong` hears as each song is prepared. */
export async function batchZip(songs: readonly BatchSong[], format: AudioFileFormat, model?: string, onSong?: (done: number) => void): Promise<{ file: Blob; name: string }> {
	const name = batchZipName(songs.length, format, model);
	const folders = songFolders(songs.map((s) => s.fileName));
	const prepared: { song: BatchSong; tags: AudioTags[]; midi: ZipExtra[] }[] = [];
	for (const song of songs) {
		const midi = (await stemMidiFiles(songBase(song.fileName), song.result, midiSource(song), model)).map(({ name, bytes }) => ({ name, bytes }));
		prepared.push({ song, tags: song.result.stems.map((s) => fileTags(song.fileName, s.name, song.result, model)), midi });
		onSong?.(prepared.length);
	}
	if (!opfsSupported()) {
		const inMemory = [];
		for (const { song, tags, midi } of prepared) {
			// one stem at a time: each one's samples are copied to the worker
			const encoded: Uint8Array[] | undefined = isLossy(format) ? [] : undefined;
			for (const [i, s] of song.result.stems.entries()) encoded?.push(await encodeInWorker({ sampleRate: song.result.sampleRate, channels: [...s.channels] }, format, tags[i]));
			inMemory.push({ ...song, encoded, extras: midi });
		}
		return { file: new Blob([batchZipBytes(inMemory, format, model) as BlobPart], { type: 'application/zip' }), name };
	}
	const inputs: BatchZipInput[] = prepared.map(({ song, tags, midi }, i) => {
		const { stems, analysis } = songEntries(folders[i], song, format, model);
		const stored = plainStored(song);
		return {
			stored,
			stems: stored ? null : song.result.stems.map((s) => [...s.channels]),
			sampleRate: song.result.sampleRate,
			names: stems,
			extras: [...analysis, ...midi.map((m) => ({ name: `${folders[i]}/${m.name}`, bytes: m.bytes }))],
			tags
		};
	});
	return { file: await exportWorker().songsZipFile(inputs, format, name), name };
}
