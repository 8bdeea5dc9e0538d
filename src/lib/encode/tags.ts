/**
 * What a compressed stem says about itself: song, stem, model, tempo and key, as an ID3v2.4 tag
 * (MP3) or Vorbis comments (Ogg Opus). Pure.
 *
 * ID3v2.4 frames: TIT2 "Song - stem" (so stems of one song sort and show apart in a player),
 * TALB the song, TBPM (integer, as the frame demands), TKEY (the ID3 notation: "Am", "F#"),
 * TSSE the encoder, TXXX STEM / MODEL / BPM (the tempo with its decimals) / KEY (the key's name).
 * Vorbis comments: TITLE, ALBUM, STEM, MODEL, BPM, KEY, ENCODER.
 */

export interface AudioTags {
	/** The song's name (its file name without the extension). */
	song: string;
	/** "vocals", "bass", a custom mix's selection ... */
	stem: string;
	/** The separation model's id. */
	model?: string;
	/** The song's tempo (BPM) from the analysis. */
	bpm?: number | null;
	/** The song's key, e.g. "A minor" (KeyEstimate.name). */
	key?: string | null;
	/** Which encoder wrote the file ("LAME 3.100", "libopus via WebCodecs"). */
	encoder?: string;
}

const PITCH_CLASSES = ['C', 'C#', 'D', 'D#', 'E', 'F', 'F#', 'G', 'G#', 'A', 'A#', 'B'];
const FLATS: Record<string, string> = { Db: 'C#', Eb: 'D#', Gb: 'F#', Ab: 'G#', Bb: 'A#' };

/** "A minor" -> "Am", "F# major" -> "F#", "Eb major" -> "D#" (ID3's TKEY: up to 3 characters, sharps and 'm'); null if unreadable. */
export function id3Key(name: string): string | null {
	const m = /^\s*([A-G])([#b♯♭]?)\s*(major|minor|maj|min|m)?\s*$/i.exec(name);
	if (!m) return null;
	let tonic = m[1].toUpperCase() + m[2].replace('♯', '#').replace('♭', 'b');
	tonic = FLATS[tonic] ?? tonic;
	if (!PITCH_CLASSES.includes(tonic)) {
		// E# / B# / Cb / Fb: the same pitch class by another name
		const base = PITCH_CLASSES.indexOf(tonic[0]);
		tonic = PITCH_CLASSES[(base + (tonic[1] === '#' ? 1 : 11)) % 12];
	}
	const minor = /^(minor|min|m)$/i.test(m[3] ?? '') && m[3] !== 'M';
	return tonic + (minor ? 'm' : '');
}

/** The tags as name/value pairs, in a fixed order, empty values left out (shared by both formats). */
export function tagFields(tags: AudioTags): [string, string][] {
	const out: [string, string][] = [
		['TITLE', `${tags.song} - ${tags.stem}`],
		['ALBUM', tags.song],
		['STEM', tags.stem]
	];
	if (tags.model) out.push(['MODEL', tags.model]);
	if (tags.bpm && Number.isFinite(tags.bpm) && tags.bpm > 0) out.push(['BPM', String(Math.round(tags.bpm * 100) / 100)]);
	if (tags.key) out.push(['KEY', tags.key]);
	if (tags.encoder) out.push(['ENCODER', tags.encoder]);
	return out;
}

const utf8 = new TextEncoder();

/** 28-bit "synchsafe" integer (7 bits per byte), as ID3v2.4 writes sizes. */
function synchsafe(n: number): number[] {
	if (n >= 2 ** 28) throw new RangeError('ID3 tag too large');
	return [(n >>> 21) & 0x7f, (n >>> 14) & 0x7f, (n >>> 7) & 0x7f, n & 0x7f];
}

function frame(id: string, body: Uint8Array): Uint8Array {
	const out = new Uint8Array(10 + body.length);
	out.set(utf8.encode(id), 0);
	out.set(synchsafe(body.length), 4);
	out.set(body, 10);
	return out;
}

/** A text frame (encoding 3: UTF-8). */
function textFrame(id: string, text: string): Uint8Array {
	const t = utf8.encode(text);
	const body = new Uint8Array(1 + t.length);
	body[0] = 3;
	body.set(t, 1);
	return frame(id, body);
}

/** A user text frame: TXXX with a description and a value (UTF-8, NUL between). */
function userFrame(description: string, value: string): Uint8Array {
	const d = utf8.encode(description), v = utf8.encode(value);
	const body = new Uint8Array(1 + d.length + 1 + v.length);
	body[0] = 3;
	body.set(d, 1);
	body.set(v, 2 + d.length);
	return frame('TXXX', body);
}

/** An ID3v2.4 tag (header + frames, no padding, no unsynchronisation) to put before the MP3's frames. */
export function id3v2(tags: AudioTags): Uint8Array {
	const fields = new Map(tagFields(tags));
	const frames: Uint8Array[] = [textFrame('TIT2', fields.get('TITLE')!), textFrame('TALB', fields.get('ALBUM')!)];
	const bpm = fields.get('BPM');
	if (bpm) frames.push(textFrame('TBPM', String(Math.round(Number(bpm)))));
	const key = tags.key ? id3Key(tags.key) : null;
	if (key) frames.push(textFrame('TKEY', key));
	if (tags.encoder) frames.push(textFrame('TSSE', tags.encoder));
	frames.push(userFrame('STEM', tags.stem));
	if (fields.has('MODEL')) frames.push(userFrame('MODEL', fields.get('MODEL')!));
	if (bpm) frames.push(userFrame('BPM', bpm));
	if (tags.key) frames.push(userFrame('KEY', tags.key));
	const size = frames.reduce((n, f) => n + f.length, 0);
	const out = new Uint8Array(10 + size);
	out.set([0x49, 0x44, 0x33, 4, 0, 0], 0); // "ID3", version 2.4.0, no flags
	out.set(synchsafe(size), 6);
	let at = 10;
	for (const f of frames) {
		out.set(f, at);
		at += f.length;
	}
	return out;
}

/** Vorbis comments (the body of an OpusTags packet after its magic): vendor, then NAME=value fields. */
export function vorbisComments(vendor: string, tags?: AudioTags): Uint8Array {
	const v = utf8.encode(vendor);
	const fields = (tags ? tagFields(tags) : []).map(([k, value]) => utf8.encode(`${k}=${value}`));
	const out = new Uint8Array(4 + v.length + 4 + fields.reduce((n, f) => n + 4 + f.length, 0));
	const view = new DataView(out.buffer);
	let at = 0;
	view.setUint32(at, v.length, true);
	out.set(v, (at += 4));
	at += v.length;
	view.setUint32(at, fields.length, true);
	at += 4;
	for (const f of fields) {
		view.setUint32(at, f.length, true);
		out.set(f, (at += 4));
		at += f.length;
	}
	return out;
}
