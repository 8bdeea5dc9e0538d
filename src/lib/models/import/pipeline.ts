/**
 * The import pipeline, pure apart from its injected parts (store, checkpoint converter): classify the dropped files, read them lazily, convert or verify, and store.
 * A failed or cancelled import leaves no files and no record behind (ModelStore.install).
 */
import { validateManifest, type ModelManifest } from '../../separation/manifest';
import { nameFromFile, uniqueId } from '../store/catalog';
import { importPrecisions, type GpuCaps } from '../store/precision';
import type { InstallRequest, InstallVariant } from '../store/store';
import type { Precision, StoredModel } from '../store/types';
import type { ByteSource, ModelSpec, TensorMap } from '../types';
import { classifyFiles, ImportError, type ImportPlan } from './classify';
import { blobByteSource, blobParts } from './files';
import { identifyMdx, mdxManifest } from './mdx';
import type { MdxSettings } from '../mdx';
import { buildManifest } from '../manifest';
import { overlapFromNumOverlap } from '../settings';
import { parseYaml } from '../yaml';

export interface ImportProgress {
	stage: 'checking' | 'reading' | 'converting' | 'writing';
	/** 0..1 of the current stage when known. */
	fraction: number | null;
	detail: string;
}

export interface BuiltModel {
	parts: Uint8Array[];
	bytes: number;
	params: number;
}

/** h-ckpt's readers + h-onnx's graph builder. */
export interface CheckpointConverter {
	/** yaml text -> network spec (the checkpoint's keys tell the architecture when the yaml does not);
	 * throws a clear message for unsupported or malformed configs. */
	parseConfig(yaml: string, keys: Iterable<string>): ModelSpec;
	/** A checkpoint's tensors, read lazily from `source`. */
	readCheckpoint(source: ByteSource, fileName: string): Promise<TensorMap>;
	/** Builds the ONNX graph; throws naming missing / unexpected keys when the weights do not fit. */
	build(
		spec: ModelSpec,
		weights: TensorMap,
		options: { precision: Precision; onProgress?: (fraction: number) => void; signal?: AbortSignal }
	): Promise<BuiltModel>;
	/** Whether `build` can write fp16 weights. */
	fp16: boolean;
}

export interface ImportTarget {
	install(req: InstallRequest): Promise<StoredModel>;
}

export interface ImportDeps {
	store: ImportTarget;
	/** Ids in use (bundled and imported). */
	takenIds(): Promise<string[]>;
	converter: CheckpointConverter | null;
	caps: GpuCaps;
	now?: () => Date;
}

export interface ImportOptions {
	/** Seconds per model call for a converted checkpoint, when shorter than its config's chunk
	 * (less memory: WASM cannot run viperx's 8 s chunk in its 4 GB heap, 2 s works). */
	chunkSeconds?: number | null;
	/** For a UVR MDX-Net model that UVR's table does not know. */
	mdxSettings?: Partial<MdxSettings> | null;
	signal?: AbortSignal;
	onProgress?: (p: ImportProgress) => void;
}

export type ImportFile = Blob & { readonly name: string };

/** The overlap a ZFTurbo yaml asks for (inference.num_overlap), as a fraction. */
export function configOverlap(yaml: string): number | null {
	const doc = parseYaml(yaml) as { inference?: { num_overlap?: unknown } } | null;
	return overlapFromNumOverlap(doc?.inference?.num_overlap);
}

/** STFT frames for a chunk of `seconds`, never longer than the config's own chunk. */
export function chunkFramesFor(spec: ModelSpec, seconds: number): number {
	const { sampleRate, hopLength } = spec.config;
	const frames = Math.floor((seconds * sampleRate) / hopLength) + 1;
	return Math.max(2, Math.min(spec.chunkFrames, frames));
}

async function readJson(file: ImportFile): Promise<unknown> {
	try {
		return JSON.parse(await file.text());
	} catch {
		throw new ImportError(`${file.name} is not a valid JSON manifest.`);
	}
}

function sentence(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

function paramsOf(m: ModelManifest): number | null {
	const p = (m.training as { params?: unknown } | null)?.params;
	return typeof p === 'number' ? p : null;
}

export async function importModel(files: ImportFile[], deps: ImportDeps, options: ImportOptions = {}): Promise<StoredModel> {
	const { signal, onProgress } = options;
	const plan: ImportPlan<ImportFile> = classifyFiles(files);
	const taken = await deps.takenIds();
	const importedAt = (deps.now?.() ?? new Date()).toISOString();
	const totalOf = (sizes: number[]) => sizes.reduce((a, b) => a + b, 0);
	const writing = (total: number) => (written: number) =>
		onProgress?.({ stage: 'writing', fraction: total > 0 ? Math.min(1, written / total) : null, detail: 'Saving the model on this device' });
	signal?.throwIfAborted();

	if (plan.kind === 'stemsafe') {
		onProgress?.({ stage: 'checking', fraction: null, detail: `Reading ${plan.manifest.name}` });
		let manifest: ModelManifest;
		try {
			manifest = validateManifest(await readJson(plan.manifest));
		} catch (e) {
			throw e instanceof ImportError ? e : new ImportError(`${plan.manifest.name} is not a Stemsafe model manifest (${sentence(e)}).`);
		}
		const io = (manifest as { io?: { input?: string } }).io;
		if (io && io.input !== 'stft') throw new ImportError(`${plan.manifest.name} describes a model with input “${io.input}”, which Stemsafe cannot run.`);
		if (plan.onnx.size !== manifest.bytes) {
			throw new ImportError(
				`${plan.onnx.name} has ${plan.onnx.size} bytes but ${plan.manifest.name} expects ${manifest.bytes}: the model file is incomplete or belongs to another manifest.`
			);
		}
		const id = uniqueId(manifest.name || manifest.id, taken);
		return deps.store.install({
			id,
			describe: () => ({ manifest, params: paramsOf(manifest) }),
			origin: { kind: 'stemsafe', files: [plan.onnx.name, plan.manifest.name], importedAt },
			variants: { fp32: { parts: blobParts(plan.onnx, signal), expect: { sha256: manifest.sha256, bytes: manifest.bytes } } },
			signal,
			onBytes: writing(plan.onnx.size)
		});
	}

	if (plan.kind === 'mdx') {
		onProgress?.({ stage: 'checking', fraction: null, detail: `Identifying ${plan.onnx.name}` });
		const found = await identifyMdx(blobByteSource(plan.onnx), plan.onnx.name, options.mdxSettings ?? null);
		const id = uniqueId(found.name, taken);
		const manifest = mdxManifest(found.settings, { id, name: found.name, from: plan.onnx.name, hash: found.hash, known: found.known });
		return deps.store.install({
			id,
			describe: () => ({ manifest, params: null }),
			origin: { kind: 'mdx', files: [plan.onnx.name], importedAt },
			variants: { fp32: { parts: blobParts(plan.onnx, signal) } },
			signal,
			onBytes: writing(plan.onnx.size)
		});
	}

	const converter = deps.converter;
	if (!converter) throw new ImportError('Checkpoint conversion is not part of this build of Stemsafe.');
	const { checkpoint, config } = plan;
	onProgress?.({ stage: 'reading', fraction: null, detail: `Reading ${checkpoint.name}` });
	let weights: TensorMap;
	try {
		weights = await converter.readCheckpoint(blobByteSource(checkpoint), checkpoint.name);
	} catch (e) {
		throw new ImportError(`${checkpoint.name} could not be read: ${sentence(e)}`);
	}
	signal?.throwIfAborted();
	onProgress?.({ stage: 'checking', fraction: null, detail: `Reading ${config.name}` });
	let spec: ModelSpec;
	let overlap: number | null = null;
	try {
		const text = await config.text();
		spec = converter.parseConfig(text, weights.keys());
		overlap = configOverlap(text);
	} catch (e) {
		throw new ImportError(`${config.name}: ${sentence(e)}`);
	}
	if (options.chunkSeconds) spec.chunkFrames = chunkFramesFor(spec, options.chunkSeconds);
	signal?.throwIfAborted();
	const precisions = importPrecisions(deps.caps, converter.fp16);
	let params: number | null = null;
	let built = 0;
	const estimate = checkpoint.size * (precisions.length > 1 ? 1.5 : 1);
	const variant = (precision: Precision): InstallVariant => ({
		parts: (async function* () {
			const model = await converter
				.build(spec, weights, {
					precision,
					signal,
					onProgress: (f) =>
						onProgress?.({
							stage: 'converting',
							fraction: f,
							detail: `Converting to ONNX${precisions.length > 1 ? ` (${precision}, ${precisions.indexOf(precision) + 1} of ${precisions.length})` : ''}`
						})
				})
				.catch((e) => {
					if (signal?.aborted) throw e;
					throw new ImportError(`${checkpoint.name} does not fit ${config.name}: ${sentence(e)}`);
				});
			params = model.params;
			built += model.bytes;
			// hand each part over and drop it here, so written parts can be collected before the next variant is built
			for (let part = model.parts.shift(); part; part = model.parts.shift()) yield part;
		})()
	});
	const from = [checkpoint.name, config.name];
	const id = uniqueId(nameFromFile(checkpoint.name), taken);
	const name = nameFromFile(checkpoint.name);
	return deps.store.install({
		id,
		describe: (fp32) => ({
			manifest: buildManifest({
				id,
				name,
				spec,
				bytes: fp32.bytes,
				sha256: fp32.sha256,
				description: `Imported on this device from ${from.join(' + ')}. Stemsafe has not measured its quality; see where the checkpoint was published.`,
				source: from.join(' + '),
				params: params ?? undefined
			}),
			params,
			overlap
		}),
		origin: { kind: 'checkpoint', files: from, importedAt },
		variants: { fp32: variant('fp32'), ...(precisions.includes('fp16') ? { fp16: variant('fp16') } : {}) },
		signal,
		onBytes: (w) => writing(Math.max(estimate, built))(w)
	});
}
