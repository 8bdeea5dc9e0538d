"""Model manifest: everything the browser needs to run an exported graph."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_manifest(onnx_path: Path, *, model_id: str, name: str, architecture: str, sample_rate: int,
                   channels: int, stems: list[str], residual_stem: str | None, n_fft: int, hop_length: int,
                   chunk_frames: int, trained: bool, description: str, training: dict | None,
                   quality: dict | None) -> Path:
    manifest = {
        "id": model_id,
        "name": name,
        "architecture": architecture,
        "file": onnx_path.name,
        "bytes": onnx_path.stat().st_size,
        "sha256": sha256_file(onnx_path),
        "sampleRate": sample_rate,
        "channels": channels,
        "stems": stems,
        "residualStem": residual_stem,
        "stft": {"nFft": n_fft, "hopLength": hop_length, "window": "hann", "center": True, "padMode": "reflect"},
        "chunk": {"frames": chunk_frames, "samples": (chunk_frames - 1) * hop_length},
        "io": {"input": "stft", "inputLayout": "[1, S, F, T, 2]", "output": "stems",
               "outputLayout": "[1, N, S, F, T, 2]"},
        "trained": trained,
        "description": description,
        "training": training,
        "quality": quality,
    }
    path = onnx_path.with_suffix(".json")
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    return path


def write_model_index(models_dir: Path, default: str) -> Path:
    """static/models/index.json: the manifests the app offers, and which one it loads first."""
    ids = sorted(p.stem for p in Path(models_dir).glob("*.json") if p.name != "index.json")
    if default not in ids:
        raise ValueError(f"default model {default} has no manifest in {models_dir}")
    path = Path(models_dir) / "index.json"
    path.write_text(json.dumps({"default": default, "models": ids}, indent=2) + "\n")
    return path
