/**
 * Checkpoint readers: PyTorch zip checkpoints (.ckpt/.pth/.pt), .safetensors and NumPy .npz
 * (tools/train.py's model.npz), detected by content, not by name. Tensors are read lazily
 * (TensorEntry.read) straight from the source.
 */
import type { ByteSource, TensorMap } from '../types';
import { CheckpointError } from './errors';
import { readSafetensors, safetensorsHeaderLength } from './safetensors';
import { readTorchZip } from './torch';
import { isNpz, readNpz } from './npz';
import { looksLikeZip, readZipDirectory } from './zip';

export { CheckpointError } from './errors';
export { readSafetensors } from './safetensors';
export { readTorchZip } from './torch';

export async function readCheckpoint(src: ByteSource): Promise<TensorMap> {
	if (src.size === 0) throw new CheckpointError('the checkpoint file is empty');
	if (await looksLikeZip(src)) {
		const entries = await readZipDirectory(src);
		return isNpz(entries) ? readNpz(src, entries) : readTorchZip(src, entries);
	}
	if ((await safetensorsHeaderLength(src)) !== null) return readSafetensors(src);
	const head = await src.read(0, Math.min(src.size, 2));
	if (head[0] === 0x80 && head.length === 2 && head[1] <= 5) {
		throw new CheckpointError(
			'this is a legacy PyTorch checkpoint (saved before PyTorch 1.6 or with _use_new_zipfile_serialization=False), ' +
				'which the browser cannot read: load it in Python and save it again with torch.save(state_dict, path)'
		);
	}
	throw new CheckpointError('not a checkpoint: expected a PyTorch zip checkpoint (.ckpt, .pth, .pt) or a .safetensors file');
}
