/** FLAC codec: `decodeFlac(bytes)` and `encodeFlac(audio, { bitDepth })`. */
export { decodeFlac, isFlac, type FlacAudio, type StreamInfo } from './decode';
export { encodeFlac, type FlacEncodeOptions } from './encode';
