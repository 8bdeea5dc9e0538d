/**
 * The download format the user chose, shared by every result's format menu and the batch's
 * "Download all": choosing FLAC for one song's zip makes the next zip, and the whole batch's,
 * FLAC too. For this visit of the page.
 */
import type { AudioFileFormat } from './files';

export const formatChoice = $state<{ format: AudioFileFormat }>({ format: 'pcm24' });
