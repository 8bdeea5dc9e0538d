#!/usr/bin/env python3
"""Write the moving-average weights of a training checkpoint (tools/train.py's .train/NAME/ckpt.pt)
as a model.npz that tools/train.py --init, tools/convert.py and npm run convert read.
--fp16 halves the file (for carrying it to a GPU machine: tools/gpu_burst.sh); training reads it
back into float32.

usage: /usr/bin/python3 tools/train_weights.py --from .train/NAME/ckpt.pt --out model.npz [--fp16] [--raw]
"""
import argparse

import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--from", dest="src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fp16", action="store_true")
    ap.add_argument("--raw", action="store_true", help="the trained weights themselves, not their moving average")
    args = ap.parse_args()
    ck = torch.load(args.src, map_location="cpu")
    state = ck["model"] if args.raw else ck["ema"]
    dtype = np.float16 if args.fp16 else np.float32
    np.savez(args.out, **{k: v.detach().float().numpy().astype(dtype) for k, v in state.items()})
    print(f"wrote {args.out}: {len(state)} tensors, {ck['counters']['examples']} examples seen")


if __name__ == "__main__":
    main()
