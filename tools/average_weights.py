#!/usr/bin/env python3
"""Average the weights of snapshots (a "model soup": Wortsman et al. 2022; over one run's later
snapshots, stochastic weight averaging: Izmailov et al. 2018) and score the average on real music.

Every snapshot must hold the same weights (tools/train.py's .npz). The average is written to
.train/averaged/snapshots/ex-00000000N.npz (N: the order of this average among those written there),
converted with the browser's graph builder and scored on ../shared/eval-real as tools/eval_run.py
scores a run's snapshots (`npm run convert`, `npm run eval`); the scores are printed, not added to
any run's record. eval-real is for evaluation only: nothing here feeds back into training.

usage: /usr/bin/python3 tools/average_weights.py SNAPSHOT.npz SNAPSHOT.npz [...] [--no-score]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


def average(paths: list[Path]) -> dict:
    loaded = [np.load(p) for p in paths]
    names = set(loaded[0].files)
    for p, w in zip(paths[1:], loaded[1:]):
        if set(w.files) != names or any(w[k].shape != loaded[0][k].shape for k in names):
            raise SystemExit(f"{p} does not hold the same weights as {paths[0]}")
    return {k: (sum(w[k].astype(np.float64) for w in loaded) / len(loaded)).astype(loaded[0][k].dtype)
            for k in loaded[0].files}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("snapshots", nargs="+", type=Path)
    ap.add_argument("--no-score", action="store_true")
    ap.add_argument("--config", type=Path, default=ROOT / "tools" / "runs" / "main-v" / "config.json",
                    help="a run's config.json with the snapshots' architecture")
    args = ap.parse_args()
    if len(args.snapshots) < 2:
        raise SystemExit("give at least two snapshots")
    out_dir = ROOT / ".train" / "averaged" / "snapshots"
    out_dir.mkdir(parents=True, exist_ok=True)
    n = 1 + max((int(p.stem.split("-")[1]) for p in out_dir.glob("ex-*.npz")), default=0)
    out = out_dir / f"ex-{n:09d}.npz"
    np.savez(out, **average(args.snapshots))
    (out_dir / f"ex-{n:09d}.txt").write_text("\n".join(str(p) for p in args.snapshots) + "\n")
    print(f"{out}: the average of {len(args.snapshots)} snapshots")
    if not args.no_score:
        from eval_run import STEMS, score
        r = score("averaged", out, str(ROOT.parent / "shared" / "eval-real"), args.config)
        print("eval-real: " + " ".join(f"{s} {r[s]:.2f}" for s in (*STEMS, "mean")))


if __name__ == "__main__":
    main()
