"""A random-weight checkpoint with a public architecture, saved the way ZFTurbo's trainer saves it
(`{"state_dict": {"module.<key>": tensor}}`), to measure importing a full-size model
(scripts/measure-import-pipeline.ts). Weights are random: never a usable model.

usage: /usr/bin/python3 tools/make_large_checkpoint.py CONFIG.yaml OUT.ckpt [--arch bs_roformer]
e.g.   /usr/bin/python3 tools/make_large_checkpoint.py ../shared/model-configs/model_bs_roformer_ep_317_sdr_12.9755.yaml /tmp/viperx-1297.ckpt
"""
import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from convert import ARCHITECTURES, read_config  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("config", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--arch", default="bs_roformer", choices=sorted(ARCHITECTURES))
    args = ap.parse_args()
    torch.manual_seed(0)
    cfg = read_config(args.config, args.arch)
    model = ARCHITECTURES[cfg["arch"]](**cfg["model"])
    sd = model.state_dict()
    torch.save({"state_dict": {f"module.{k}": v for k, v in sd.items()}}, str(args.out))
    params = sum(v.numel() for v in sd.values())
    print(f"wrote {args.out}: {len(sd)} tensors, {params} parameters, {args.out.stat().st_size} bytes")


if __name__ == "__main__":
    main()
