#!/usr/bin/env python3
"""The converter fixtures' weights as safetensors (tests/fixtures/models/<id>.safetensors), so the
TypeScript ONNX builder can be checked against the same parity goldens (tests/golden/<id>.parity.json)
as the Python-exported fixtures. The models are rebuilt exactly as tools/make_fixture_models.py builds
them, and their forward_spec output is checked against the committed golden before writing.

usage: /usr/bin/python3 tools/make_fixture_weights.py
"""
import json
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_fixture_models import FIXTURES, fixture_model  # noqa: E402
from stemsafe_tools.golden import parity_error  # noqa: E402

ROOT = HERE.parent


def write_safetensors(path: Path, state: dict) -> None:
    """safetensors format: u64 header length, JSON header (dtype, shape, data_offsets), raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for key, t in state.items():
        data = t.detach().cpu().contiguous().numpy().astype("<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    for model_id in FIXTURES:
        model = fixture_model(model_id).eval()
        err, _ = parity_error(model, ROOT / "tests" / "golden" / f"{model_id}.parity.json")
        if err > 1e-6:
            raise SystemExit(f"{model_id}: rebuilt model differs from its golden by {err}")
        out = ROOT / "tests" / "fixtures" / "models" / f"{model_id}.safetensors"
        write_safetensors(out, model.state_dict())
        print(f"{out.relative_to(ROOT)}: {len(model.state_dict())} tensors, matches its golden (max diff {err:.1e})")


if __name__ == "__main__":
    main()
