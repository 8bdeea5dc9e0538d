"""Export a BS-Roformer's spectral part (STFT outside the graph) to ONNX."""
from __future__ import annotations

from pathlib import Path

import torch

import onnx

from .bs_roformer import BSRoformer
from .onnx_webgpu import MAX_BUFFERS, split_wide_concats, widest_buffers


def export_spec_graph(model: BSRoformer, path: Path, chunk_frames: int, opset: int = 17) -> None:
    model = model.eval()
    dummy = torch.randn(1, model.audio_channels, model.num_bins, chunk_frames, 2)

    class SpecOnly(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, stft):
            return self.inner.forward_spec(stft)

    # The wrapper must be in eval mode too: torch.onnx.export restores the wrapper's mode afterwards,
    # which would otherwise switch `model` (and its dropouts) back to training.
    with torch.no_grad():
        torch.onnx.export(SpecOnly(model).eval(), (dummy,), str(path), input_names=["stft"], output_names=["stems"],
                          opset_version=opset, do_constant_folding=True)
    model.eval()

    graph = onnx.load(str(path))
    split_wide_concats(graph)
    if widest_buffers(graph) > MAX_BUFFERS:
        raise RuntimeError(f"{path}: a Concat/Split binds {widest_buffers(graph)} buffers, over WebGPU's {MAX_BUFFERS}")
    onnx.checker.check_model(graph)
    onnx.save(graph, str(path))
