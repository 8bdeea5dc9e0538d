#!/usr/bin/env python3
"""Score weights on a run's rendered validation songs as they are and folded to mono.

Eval-real's mixes are mono or nearly (side/mid energy under 0.03), the bank's are not: its songs
pan "other" and cymbals and keep vocals, bass and kick in the middle. This prints the uSDR per
stem (trainer.validate, "other" the residual) of the same songs at their own width and with every
stem's side removed (stemsafe_tools.augment.narrow, width 0), so a model that separates by
position shows it (docs/training.md, run main-v).

usage: /usr/bin/python3 tools/val_width.py WEIGHTS.npz [...] [--val .train/main-v/val.npy]
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from stemsafe_tools import trainer  # noqa: E402
from stemsafe_tools.augment import narrow  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("weights", nargs="+")
    ap.add_argument("--val", default=str(ROOT / ".train" / "main-v" / "val.npy"),
                    help="rendered validation songs [V, 4, 2, L] (tools/train.py writes .train/RUN/val.npy)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    stereo = np.load(args.val)
    mono = stereo.copy()
    for song in mono:
        narrow(song, 0.0)
    for path in args.weights:
        model = trainer.make_model()
        trainer.load_weights(model, path)
        for name, songs in (("as rendered", stereo), ("mono", mono)):
            scores = trainer.validate(model, torch.from_numpy(songs))
            print(f"{path} {name}: " + " ".join(f"{k} {v:.2f}" for k, v in scores.items()), flush=True)


if __name__ == "__main__":
    main()
