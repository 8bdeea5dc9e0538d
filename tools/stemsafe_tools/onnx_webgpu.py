"""Graph rewrites that keep an exported model within WebGPU's per-shader limits.

onnxruntime-web's WebGPU kernels bind each input of a Concat and each output of a Split
as its own storage buffer. Devices may allow only 8 storage buffers per shader stage
(SwiftShader does), and when a kernel exceeds that the GPU work is silently dropped. The
exporter flattens nested torch.cat calls, so the fix is applied to the ONNX graph itself.
"""
from __future__ import annotations

import onnx
from onnx import helper

MAX_BUFFERS = 8


def split_wide_concats(model: onnx.ModelProto, max_inputs: int = MAX_BUFFERS - 2) -> int:
    """Rewrites every Concat with more than `max_inputs` inputs into a tree. Returns how many."""
    graph = model.graph
    nodes = []
    rewritten = 0
    for node in graph.node:
        if node.op_type != "Concat" or len(node.input) <= max_inputs:
            nodes.append(node)
            continue
        rewritten += 1
        axis = next(a.i for a in node.attribute if a.name == "axis")
        level, inputs = 0, list(node.input)
        while len(inputs) > max_inputs:
            grouped = []
            for g in range(0, len(inputs), max_inputs):
                group = inputs[g:g + max_inputs]
                if len(group) == 1:
                    grouped.append(group[0])
                    continue
                out = f"{node.output[0]}__tree{level}_{g // max_inputs}"
                nodes.append(helper.make_node("Concat", group, [out], name=f"{node.name}__tree{level}_{g // max_inputs}", axis=axis))
                grouped.append(out)
            inputs, level = grouped, level + 1
        nodes.append(helper.make_node("Concat", inputs, list(node.output), name=node.name, axis=axis))
    del graph.node[:]
    graph.node.extend(nodes)
    return rewritten


def widest_buffers(model: onnx.ModelProto) -> int:
    """The most tensors (inputs + outputs) any Concat or Split node binds."""
    return max([len(n.input) + len(n.output) for n in model.graph.node if n.op_type in ("Concat", "Split")] or [0])
