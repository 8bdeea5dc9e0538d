/**
 * Decode worker: a thin comlink shell over decodeApi (input/decode-api.ts), so parsing a dropped
 * file (up to 60 minutes of audio, or a damaged file up to its limits) never blocks the page.
 */
import * as Comlink from 'comlink';
import { decodeApi } from '../input/decode-api';

Comlink.expose(decodeApi);
