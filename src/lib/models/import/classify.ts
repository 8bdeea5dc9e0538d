/**
 * What the user dropped: a checkpoint + its yaml, a UVR MDX-Net .onnx, or a Stemsafe
 * .onnx + manifest. Every other combination gets a sentence saying what is missing.
 */
export interface NamedFile {
	name: string;
	size: number;
}

export type ImportPlan<F extends NamedFile = NamedFile> =
	| { kind: 'checkpoint'; checkpoint: F; config: F }
	| { kind: 'mdx'; onnx: F }
	| { kind: 'stemsafe'; onnx: F; manifest: F };

export class ImportError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ImportError';
	}
}

const CHECKPOINT = ['ckpt', 'pth', 'pt', 'safetensors'];
const CONFIG = ['yaml', 'yml'];

export function extension(name: string): string {
	const dot = name.lastIndexOf('.');
	return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function list(files: NamedFile[]): string {
	return files.map((f) => f.name).join(', ');
}

export function classifyFiles<F extends NamedFile>(files: F[]): ImportPlan<F> {
	if (files.length === 0) throw new ImportError('No files were given.');
	const of = (exts: string[]) => files.filter((f) => exts.includes(extension(f.name)));
	const checkpoints = of(CHECKPOINT);
	const configs = of(CONFIG);
	const onnx = of(['onnx']);
	const json = of(['json']);
	const other = files.filter((f) => ![...CHECKPOINT, ...CONFIG, 'onnx', 'json'].includes(extension(f.name)));
	if (other.length) {
		throw new ImportError(
			`${list(other)}: not a model file. Stemsafe imports a checkpoint (.ckpt, .pth, .pt, .safetensors) with its .yaml config, a UVR MDX-Net .onnx, or a Stemsafe .onnx with its .json manifest.`
		);
	}
	const empty = files.filter((f) => f.size === 0);
	if (empty.length) throw new ImportError(`${list(empty)} ${empty.length > 1 ? 'are' : 'is'} empty.`);
	if (checkpoints.length + onnx.length > 1) throw new ImportError(`Import one model at a time (got ${list([...checkpoints, ...onnx])}).`);
	if (checkpoints.length === 1) {
		if (onnx.length || json.length) throw new ImportError(`${list([...onnx, ...json])} does not belong with the checkpoint ${checkpoints[0].name}.`);
		if (configs.length === 0) {
			throw new ImportError(
				`${checkpoints[0].name} needs its .yaml config: add the .yaml file published with the checkpoint (it describes the network's size and stems).`
			);
		}
		if (configs.length > 1) throw new ImportError(`Give one .yaml config with the checkpoint (got ${list(configs)}).`);
		return { kind: 'checkpoint', checkpoint: checkpoints[0], config: configs[0] };
	}
	if (onnx.length === 1) {
		if (configs.length) throw new ImportError(`${list(configs)}: a .yaml config goes with a checkpoint (.ckpt, .pth, .pt, .safetensors), not with an .onnx model.`);
		if (json.length > 1) throw new ImportError(`Give one .json manifest with the model (got ${list(json)}).`);
		return json.length ? { kind: 'stemsafe', onnx: onnx[0], manifest: json[0] } : { kind: 'mdx', onnx: onnx[0] };
	}
	if (configs.length) throw new ImportError(`${list(configs)} is a config: add the checkpoint (.ckpt, .pth, .pt or .safetensors) it belongs to.`);
	throw new ImportError(`${list(json)}: a manifest alone is not a model; add the .onnx file it describes.`);
}
