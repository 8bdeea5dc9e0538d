#!/usr/bin/env python3
"""A randomly initialised checkpoint with the EXACT architecture of a ZFTurbo yaml config, saved as
ZFTurbo's training code saves it (torch.save(model.state_dict(), path)), to measure the TypeScript
import (npm run convert) on full-size public architectures without downloading any weights.

usage: /usr/bin/python3 tools/make_random_checkpoint.py CONFIG.yaml OUT.ckpt [--half]
  e.g. ../shared/model-configs/model_bs_roformer_ep_317_sdr_12.9755.yaml /tmp/viperx-1297.ckpt
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402
from stemsafe_tools.mel_band_roformer import MelBandRoformer  # noqa: E402
from stemsafe_tools.yaml_config import load_yaml_config  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--half", action="store_true", help="save fp16 weights")
    args = ap.parse_args()
    model_cfg = dict(load_yaml_config(args.config)["model"])
    cls = BSRoformer if "freqs_per_bands" in model_cfg else MelBandRoformer
    torch.manual_seed(0)
    model = cls(**model_cfg)
    sd = model.state_dict()
    if args.half:
        sd = {k: v.half() for k, v in sd.items()}
    torch.save(sd, str(args.out))
    params = sum(v.numel() for v in sd.values())
    print(f"{args.out}: {cls.__name__}, {len(sd)} tensors, {params} parameters, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
