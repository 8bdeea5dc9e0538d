/**
 * The separator worker's model loading: bytes from a URL (bundled models) or from the
 * on-device store (imported models), the variant each backend needs, each sha256-checked
 * before use and loaded at most once.
 */
import type { Backend } from '../../separation/fallback';
import { verifyModel } from '../../separation/integrity';
import type { ModelManifest } from '../../separation/manifest';
import { variantFor, type GpuCaps } from './precision';
import type { ModelSource, Precision, StoredFile } from './types';

export interface ModelBytesIo {
	fetchUrl(url: string): Promise<ArrayBuffer>;
	readStored(file: StoredFile): Promise<ArrayBuffer>;
}

export function modelBytesLoader(manifest: ModelManifest, source: ModelSource, caps: GpuCaps, io: ModelBytesIo) {
	const cache = new Map<Precision, Promise<Uint8Array>>();
	const load = (precision: Precision): Promise<Uint8Array> => {
		let p = cache.get(precision);
		if (!p) {
			p = (async () => {
				if (source.kind === 'url') {
					const bytes = await io.fetchUrl(source.url);
					await verifyModel(bytes, manifest, manifest.file);
					return new Uint8Array(bytes);
				}
				const file = precision === 'fp16' && source.fp16 ? source.fp16 : source.fp32;
				const bytes = await io.readStored(file);
				await verifyModel(bytes, file, file.name);
				return new Uint8Array(bytes);
			})();
			p.catch(() => cache.delete(precision));
			cache.set(precision, p);
		}
		return p;
	};
	const available = { fp16: source.kind === 'opfs' && !!source.fp16 };
	return {
		precisionFor: (backend: Backend) => variantFor(backend, available, caps),
		bytesFor: (backend: Backend) => load(variantFor(backend, available, caps))
	};
}
