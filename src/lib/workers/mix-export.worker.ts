/**
 * Custom-mix export worker: a thin comlink shell over renderMix ($lib/mixdown/render), so
 * normalising and encoding a mix held in memory do not hold the page's thread.
 */
import * as Comlink from 'comlink';
import { renderMix, type RenderedMix } from '../mixdown/render';

const api = {
	async render(...args: Parameters<typeof renderMix>): Promise<RenderedMix> {
		const rendered = await renderMix(...args);
		return rendered.ok ? Comlink.transfer(rendered, [rendered.bytes.buffer]) : rendered;
	}
};

export type MixExportApi = typeof api;

Comlink.expose(api);
