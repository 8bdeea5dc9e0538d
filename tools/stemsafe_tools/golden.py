"""Golden vectors for the TypeScript tests: float32 arrays as base64 little-endian in JSON."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import torch


def encode(t) -> dict:
    a = (t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)).astype("<f4")
    return {"shape": list(a.shape), "f32": base64.b64encode(a.tobytes()).decode()}


def write_f32(path: Path, arrays: dict, note: str = "", **meta) -> None:
    doc = {"note": note, **meta, **{k: encode(v) for k, v in arrays.items()}}
    Path(path).write_text(json.dumps(doc) + "\n")


def parity_input(channels: int, bins: int, frames: int) -> torch.Tensor:
    """Deterministic STFT-shaped input that tests/model-parity.test.ts rebuilds bit for bit:
    x[i] = float32(sin(0.37 i) * (1 + 0.5 cos(0.0011 i))) over the flat row-major index i."""
    i = np.arange(channels * bins * frames * 2, dtype=np.float64)
    x = (np.sin(0.37 * i) * (1 + 0.5 * np.cos(0.0011 * i))).astype(np.float32)
    return torch.from_numpy(x.reshape(1, channels, bins, frames, 2))


def sampled_output(model, bins: int, frames: int, stride: int) -> torch.Tensor:
    """Every `stride`-th element of the model's output for parity_input, in eval mode."""
    model.eval()  # dropout off: the reference is the inference graph
    with torch.no_grad():
        return model.forward_spec(parity_input(model.audio_channels, bins, frames)).reshape(-1)[::stride]


def write_parity_vector(model, path: Path, frames: int, stride: int = 97) -> None:
    """PyTorch reference for the exported graph: every `stride`-th output element."""
    y = sampled_output(model, model.num_bins, frames, stride)
    write_f32(path, {"sampled_output": y}, note="torch forward_spec(parity_input); see golden.py",
              stride=stride, output_shape=[1, model.num_stems, model.audio_channels, model.num_bins, frames, 2])


def parity_error(model, path: Path) -> tuple[float, float]:
    """How far the model is from a parity vector written by write_parity_vector: (max |diff|, max |reference|)."""
    doc = json.loads(Path(path).read_text())
    _, _, _, bins, frames, _ = doc["output_shape"]
    y = sampled_output(model, bins, frames, doc["stride"]).numpy()
    ref = np.frombuffer(base64.b64decode(doc["sampled_output"]["f32"]), dtype="<f4")
    return float(np.abs(y - ref).max()), float(np.abs(ref).max())
