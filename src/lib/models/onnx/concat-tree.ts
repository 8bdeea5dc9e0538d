/**
 * WebGPU limit: onnxruntime-web's WebGPU kernels bind every input of a Concat and every output of a
 * Split as its own storage buffer, and devices may allow only 8 per shader stage (SwiftShader does);
 * beyond that the GPU work is silently dropped. As tools/stemsafe_tools/onnx_webgpu.py does for the
 * Python exporter, every Concat with more than `maxInputs` inputs becomes a tree of Concats.
 */
import type { NodeDef } from './graph';

export const MAX_BUFFERS = 8;

/** Rewrites wide Concats in place (keeping node order valid); returns how many were rewritten. */
export function splitWideConcats(nodes: NodeDef[], maxInputs = MAX_BUFFERS - 2): number {
	const out: NodeDef[] = [];
	let rewritten = 0;
	for (const node of nodes) {
		if (node.opType !== 'Concat' || node.inputs.length <= maxInputs) {
			out.push(node);
			continue;
		}
		rewritten++;
		let inputs = node.inputs;
		let level = 0;
		while (inputs.length > maxInputs) {
			const grouped: string[] = [];
			for (let g = 0; g < inputs.length; g += maxInputs) {
				const group = inputs.slice(g, g + maxInputs);
				if (group.length === 1) {
					grouped.push(group[0]);
					continue;
				}
				const name = `${node.outputs[0]}__tree${level}_${g / maxInputs}`;
				out.push({ opType: 'Concat', inputs: group, outputs: [name], name, attrs: { ...node.attrs } });
				grouped.push(name);
			}
			inputs = grouped;
			level++;
		}
		out.push({ ...node, inputs });
	}
	nodes.length = 0;
	for (const n of out) nodes.push(n);
	return rewritten;
}

/** The most tensors (inputs + outputs) any Concat or Split binds. */
export function widestBuffers(nodes: readonly NodeDef[]): number {
	let widest = 0;
	for (const n of nodes) if (n.opType === 'Concat' || n.opType === 'Split') widest = Math.max(widest, n.inputs.length + n.outputs.length);
	return widest;
}
