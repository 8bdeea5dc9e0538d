#!/usr/bin/env python3
"""Test fixtures for the converter: small randomly initialised BS-Roformer and Mel-Band-Roformer
checkpoints written the way ZFTurbo's training code writes them (a torch.save'd state_dict
with 'module.' prefixes under 'state_dict', plus a yaml config), then converted with
tools/convert.py into tests/fixtures/models/*.onnx + manifest and tests/golden/*.parity.json.
tests/unit/model-parity.test.ts runs every fixture through onnxruntime-web and compares it with
PyTorch to 1e-4. The weights are random: these fixtures prove the conversion, not separation.

usage: /usr/bin/python3 tools/make_fixture_models.py
"""
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402
from stemsafe_tools.mel_band_roformer import MelBandRoformer  # noqa: E402

ROOT = HERE.parent
FIXTURES = {
    # id: (arch, class, yaml model section, instruments, target_instrument, chunk_size)
    "fixture-mel-band-vocals": ("mel_band_roformer", MelBandRoformer,
                                dict(dim=16, depth=1, stereo=True, num_stems=1, time_transformer_depth=1,
                                     freq_transformer_depth=1, num_bands=60, dim_head=16, heads=2,
                                     attn_dropout=0.1, ff_dropout=0.1, flash_attn=True, dim_freqs_in=1025,
                                     sample_rate=44100, stft_n_fft=2048, stft_hop_length=512, stft_win_length=2048,
                                     stft_normalized=False, mask_estimator_depth=1, mlp_expansion_factor=1,
                                     multi_stft_resolution_loss_weight=1.0,
                                     multi_stft_resolutions_window_sizes=[4096, 2048, 1024, 512, 256],
                                     multi_stft_hop_size=147, multi_stft_normalized=False, zero_dc=False),
                                ["vocals", "other"], "vocals", 512 * 40),
    "fixture-bs-4stem": ("bs_roformer", BSRoformer,
                         dict(dim=16, depth=1, stereo=True, num_stems=4, time_transformer_depth=1,
                              freq_transformer_depth=1, dim_head=16, heads=2, attn_dropout=0.1, ff_dropout=0.1,
                              flash_attn=True, dim_freqs_in=1025, stft_n_fft=2048, stft_hop_length=441,
                              stft_win_length=2048, stft_normalized=False, mask_estimator_depth=2,
                              mlp_expansion_factor=1, multi_stft_resolution_loss_weight=1.0,
                              multi_stft_resolutions_window_sizes=[4096, 2048, 1024, 512, 256],
                              multi_stft_hop_size=147, multi_stft_normalized=False, zero_dc=False),
                         ["vocals", "drums", "bass", "other"], None, 441 * 40),
}


def fixture_model(model_id: str):
    """The fixture's network with its random weights (the same on every run)."""
    _, cls, model_cfg, *_ = FIXTURES[model_id]
    torch.manual_seed(1234)
    model = cls(**model_cfg)
    for p in model.parameters():  # random gains/biases too, so masks are far from trivial
        p.data.add_(0.05 * torch.randn_like(p))
    return model


def main():
    out = ROOT / "tests" / "fixtures" / "models"
    golden = ROOT / "tests" / "golden"
    out.mkdir(parents=True, exist_ok=True)
    for model_id, (arch, cls, model_cfg, instruments, target, chunk) in FIXTURES.items():
        model = fixture_model(model_id)
        config = {"audio": {"chunk_size": chunk, "num_channels": 2, "sample_rate": 44100},
                  "model": model_cfg,
                  "training": {"instruments": instruments, "target_instrument": target}}
        with tempfile.TemporaryDirectory() as tmp:
            ckpt = Path(tmp) / f"{model_id}.ckpt"
            cfg = Path(tmp) / f"{model_id}.yaml"
            torch.save({"state_dict": {f"module.{k}": v for k, v in model.state_dict().items()}}, str(ckpt))
            cfg.write_text(yaml.safe_dump(config))
            subprocess.run([sys.executable, str(HERE / "convert.py"), "--checkpoint", str(ckpt), "--config", str(cfg),
                            "--arch", arch, "--id", model_id, "--name", f"{model_id} (random weights, test fixture)",
                            "--out", str(out), "--golden", str(golden), "--untrained",
                            "--description", "Random weights: a converter test fixture, not a usable model."],
                           check=True)


if __name__ == "__main__":
    main()
