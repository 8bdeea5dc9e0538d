#!/usr/bin/env python3
"""Build the bundled placeholder model: a correctly shaped BS-Roformer with seeded random
weights (NOT trained: it does not separate). Also writes an ONNX-vs-PyTorch parity vector.

usage: /usr/bin/python3 tools/make_untrained_model.py [static/models] [tests/golden]
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402
from stemsafe_tools.export_onnx import export_spec_graph  # noqa: E402
from stemsafe_tools.golden import write_parity_vector  # noqa: E402
from stemsafe_tools.manifest import write_manifest, write_model_index  # noqa: E402

MODEL_ID = "bsr-tiny-untrained"
CHUNK_FRAMES = 201  # 2.0 s at 44.1 kHz, hop 441


def main():
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "static/models")
    golden_dir = Path(sys.argv[2] if len(sys.argv) > 2 else "tests/golden")
    out_dir.mkdir(parents=True, exist_ok=True)
    golden_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(20261122)
    model = BSRoformer(32, depth=1, stereo=True, num_stems=1, time_transformer_depth=1, freq_transformer_depth=1,
                       dim_head=16, heads=2, stft_n_fft=2048, stft_hop_length=441).eval()
    onnx_path = out_dir / f"{MODEL_ID}.onnx"
    export_spec_graph(model, onnx_path, CHUNK_FRAMES)
    write_manifest(
        onnx_path, model_id=MODEL_ID, name="Tiny BS-Roformer (untrained placeholder)", architecture="bs_roformer",
        sample_rate=44100, channels=2, stems=["vocals", "instrumental"], residual_stem="instrumental",
        n_fft=2048, hop_length=441, chunk_frames=CHUNK_FRAMES, trained=False,
        description=("UNTRAINED placeholder: random weights with the right shapes, so the whole pipeline can run. "
                     "It does not separate vocals; 'instrumental' is the mixture minus the 'vocals' output."),
        training=None, quality=None)
    write_model_index(out_dir, default=MODEL_ID)
    write_parity_vector(model, golden_dir / f"{MODEL_ID}.parity.json", CHUNK_FRAMES)
    print("wrote", onnx_path, onnx_path.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
