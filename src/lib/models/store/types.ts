/** What the on-device model store keeps for one imported model. */
import type { ModelManifest } from '../../separation/manifest';

export type Precision = 'fp32' | 'fp16';

/** One model file in the store's OPFS folder (`models/<name>`). */
export interface StoredFile {
	name: string;
	bytes: number;
	sha256: string;
}

export type ImportKind = 'checkpoint' | 'mdx' | 'stemsafe';

export interface ModelOrigin {
	kind: ImportKind;
	/** The files the user gave, by name. */
	files: string[];
	/** ISO date and time of the import. */
	importedAt: string;
}

export interface StoredModel {
	id: string;
	/** file / bytes / sha256 describe the fp32 variant. */
	manifest: ModelManifest;
	/** fp32 always (WASM and WebGPU without shader-f16); fp16 for WebGPU with shader-f16. */
	variants: { fp32: StoredFile; fp16?: StoredFile };
	origin: ModelOrigin;
	/** Network parameters, when known. */
	params: number | null;
	/** Overlap fraction the model's config asks for (ZFTurbo inference.num_overlap), if any. */
	overlap?: number | null;
}

/** How the separator worker gets a model's bytes. */
export type ModelSource =
	| { kind: 'url'; url: string }
	| { kind: 'opfs'; fp32: StoredFile; fp16?: StoredFile };
