#!/usr/bin/env python3
"""Parity goldens for the TypeScript ONNX builder (src/lib/models/onnx) on the EXACT architectures of
the public checkpoints users import (../shared/model-configs): viperx BS-Roformer 1297, viperx
Mel-Band-Roformer 3005, Kimberley Jensen's Mel-Band-Roformer, the MUSDB18 BS-Roformer config; and two
small inline configs for what those do not cover (mono, several Mel-Band stems, zero_dc off, n_fft 1024).

Each model is built from its yaml (read like upstream, `!!python/tuple` included), filled with the
hash weights of stemsafe_tools/hash_weights.py (100-230M parameters: too big to commit, rebuilt by
tests/unit/onnx-parity-archs.test.ts with the same formula), and run by forward_spec on a short
chunk of hash-noise STFT. Only a compact golden is written: the config as the model sees it, the
state-dict keys and shapes (as sha256), every `stride`-th output element and whole-output sums.

--checkpoints DIR also writes each checkpoint the way ZFTurbo's training code saves it
(torch.save(model.state_dict())), for the TypeScript checkpoint reader.

usage: nice -n 10 /usr/bin/python3 tools/make_parity_archs.py [--frames 16] [--checkpoints DIR] [--only NAME]
"""
from __future__ import annotations

import argparse
import hashlib
import inspect
import sys
from pathlib import Path

import numpy as np
import torch
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402
from stemsafe_tools.golden import write_f32  # noqa: E402
from stemsafe_tools.hash_weights import hash_uniform, tensor_values  # noqa: E402
from stemsafe_tools.mel_band_roformer import MelBandRoformer  # noqa: E402
from stemsafe_tools.yaml_config import load_yaml_config  # noqa: E402

ROOT = HERE.parent
CONFIGS = ROOT.parent / "shared" / "model-configs"
ARCHS = {
    # golden name: (yaml, architecture)
    "viperx-bs-1297": ("model_bs_roformer_ep_317_sdr_12.9755.yaml", "bs_roformer"),
    "viperx-mel-3005": ("model_mel_band_roformer_ep_3005_sdr_11.4360.yaml", "mel_band_roformer"),
    "kj-mel-vocals": ("config_vocals_mel_band_roformer_kj.yaml", "mel_band_roformer"),
    "musdb18-bs": ("config_musdb18_bs_roformer.yaml", "bs_roformer"),
    # small inline configs for what the public ones do not cover: mono, several stems of a Mel-Band-Roformer,
    # zero_dc off, other band counts and depths
    "tiny-mono-mel-3stem": ({"model": dict(dim=24, depth=2, stereo=False, num_stems=3, time_transformer_depth=1,
                                           freq_transformer_depth=2, num_bands=48, dim_head=8, heads=3,
                                           mask_estimator_depth=1, mlp_expansion_factor=2, zero_dc=False,
                                           stft_hop_length=441),
                             "audio": {"sample_rate": 44100}, "training": {"instruments": ["a", "b", "c"]}},
                            "mel_band_roformer"),
    "tiny-mono-bs-2stem": ({"model": dict(dim=16, depth=1, stereo=False, num_stems=2, time_transformer_depth=2,
                                          freq_transformer_depth=1, dim_head=8, heads=2, mask_estimator_depth=3,
                                          mlp_expansion_factor=1, stft_n_fft=1024, stft_win_length=1024,
                                          dim_freqs_in=513, freqs_per_bands=[4] * 64 + [257], stft_hop_length=256),
                            "audio": {"sample_rate": 44100}, "training": {"instruments": ["a", "b"]}},
                           "bs_roformer"),
}
CLASSES = {"bs_roformer": BSRoformer, "mel_band_roformer": MelBandRoformer}


def roformer_config(arch: str, model_cfg: dict, sample_rate: int) -> dict:
    """The yaml model section with the class defaults filled in, as src/lib/models/types.ts RoformerConfig."""
    cls = CLASSES[arch]
    params = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()
              if p.default is not inspect.Parameter.empty}
    m = {**params, **model_cfg}
    cfg = dict(arch=arch, dim=m["dim"], depth=m["depth"], stereo=bool(m["stereo"]), numStems=m["num_stems"],
               timeTransformerDepth=m["time_transformer_depth"], freqTransformerDepth=m["freq_transformer_depth"],
               dimHead=m["dim_head"], heads=m["heads"], dimFreqsIn=m["dim_freqs_in"], sampleRate=sample_rate,
               nFft=m["stft_n_fft"], hopLength=m["stft_hop_length"], winLength=m["stft_win_length"],
               maskEstimatorDepth=m["mask_estimator_depth"], mlpExpansionFactor=m["mlp_expansion_factor"],
               zeroDc=bool(m["zero_dc"]))
    if arch == "bs_roformer":
        cfg["freqsPerBands"] = [int(f) for f in m["freqs_per_bands"]]
    else:
        cfg["numBands"] = m["num_bands"]
    return cfg


def sha256_lines(lines) -> str:
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=16, help="STFT frames of the test chunk")
    ap.add_argument("--stride", type=int, default=97, help="compare every stride-th output element")
    ap.add_argument("--checkpoints", type=Path, help="also torch.save each state_dict here (name.ckpt + name.yaml)")
    ap.add_argument("--only", help="one golden name")
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "golden")
    args = ap.parse_args()
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, (yaml_name, arch) in ARCHS.items():
        if args.only and name != args.only:
            continue
        yaml_path = CONFIGS / yaml_name if isinstance(yaml_name, str) else None
        cfg = load_yaml_config(yaml_path) if yaml_path else yaml_name
        sample_rate = int(cfg.get("audio", {}).get("sample_rate", cfg["model"].get("sample_rate", 44100)))
        model = CLASSES[arch](**cfg["model"]).eval()
        state = model.state_dict()
        with torch.no_grad():
            for key, t in state.items():
                t.copy_(torch.from_numpy(tensor_values(key, tuple(t.shape))))
        keys = list(state.keys())
        params = sum(t.numel() for t in state.values())
        if args.checkpoints:
            args.checkpoints.mkdir(parents=True, exist_ok=True)
            torch.save(model.state_dict(), str(args.checkpoints / f"{name}.ckpt"))
            (args.checkpoints / f"{name}.yaml").write_text(yaml_path.read_text() if yaml_path else yaml.safe_dump(cfg))
        s, f, t = model.audio_channels, model.num_bins, args.frames
        x = torch.from_numpy(hash_uniform("stft", s * f * t * 2).astype(np.float32).reshape(1, s, f, t, 2))
        with torch.no_grad():
            y = model.forward_spec(x)
        flat = y.reshape(-1).double()
        training = cfg.get("training", {})
        write_f32(args.out / f"arch-{name}.parity.json", {"sampled_output": y.reshape(-1)[::args.stride]},
                  note=f"tools/make_parity_archs.py: {yaml_path.name if yaml_path else 'inline config'} with hash weights, forward_spec of hash('stft') noise",
                  yaml=yaml_path.name if yaml_path else None, config=roformer_config(arch, cfg["model"], sample_rate),
                  instruments=list(training.get("instruments", [])), target=training.get("target_instrument"),
                  frames=t, stride=args.stride, output_shape=list(y.shape), params=params, key_count=len(keys),
                  keys_sha256=sha256_lines(keys),
                  shapes_sha256=sha256_lines(f"{k}:{','.join(map(str, v.shape))}" for k, v in state.items()),
                  output_sum=float(flat.sum()), output_abs_sum=float(flat.abs().sum()))
        print(f"{name}: {params} parameters, {len(keys)} keys, output {list(y.shape)}, "
              f"max |y| {float(flat.abs().max()):.3f}", flush=True)


if __name__ == "__main__":
    main()
