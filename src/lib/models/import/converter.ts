/** The checkpoint converter the import worker uses: checkpoint readers, the ZFTurbo yaml mapping
 * and the TypeScript ONNX graph builder (src/lib/models/{checkpoint,config,onnx}). */
import { readCheckpoint } from '../checkpoint';
import { specFromYaml } from '../config';
import { buildRoformerOnnx } from '../onnx';
import type { CheckpointConverter } from './pipeline';

export function checkpointConverter(): CheckpointConverter {
	return {
		fp16: true,
		parseConfig: (yaml, keys) => specFromYaml(yaml, { keys }),
		readCheckpoint: (source) => readCheckpoint(source),
		build: (spec, weights, options) => buildRoformerOnnx(spec, weights, options)
	};
}
