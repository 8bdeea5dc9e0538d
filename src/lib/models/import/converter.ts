/** The checkpoint converter the import worker uses (checkpoint readers + ONNX graph builder). */
import type { CheckpointConverter } from './pipeline';

export function checkpointConverter(): CheckpointConverter | null {
	return null;
}
