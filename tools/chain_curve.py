#!/usr/bin/env python3
"""Draw the learning curve of a chain of CPU runs on real music.

Each run of tools/train.py that starts from another run's snapshot (config.json's `init`)
continues it; this follows RUN's `init` back to the first CPU run and plots the eval-real
scores (tools/runs/NAME/eval-real.csv, written by tools/eval_run.py) against the CPU examples
seen along the chain: a run's points past the snapshot the next run started from are left out
(they belong to another branch). Every stem is drawn, with the classical split's score per stem
and the issue's targets (mean 3.0, vocals 3.5).

usage: /usr/bin/python3 tools/chain_curve.py --run main-h [--out docs/figures/chain-learning-curve.png]
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from eval_run import ROOT, STEMS, init_snapshot, read_csv, run_config


def chain(run: str) -> list[tuple[str, int, int | None]]:
    """[(run, first example along the chain, last example used or None)], oldest first."""
    links: list[tuple[str, int | None]] = []
    name, stop = run, None
    while True:
        links.append((name, stop))
        init = init_snapshot(run_config(name))
        if not init:
            break
        name, stop = init
    out, offset = [], 0
    for name, stop in reversed(links):
        out.append((name, offset, stop))
        if stop is not None:
            offset += stop
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--out", default=str(ROOT / "docs" / "figures" / "chain-learning-curve.png"))
    args = ap.parse_args()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    links = chain(args.run)
    points: list[tuple[int, str, dict]] = []
    starts = []
    for name, offset, stop in links:
        starts.append((offset, name))
        for r in read_csv(ROOT / "tools" / "runs" / name / "eval-real.csv"):
            e = int(r["examples"])
            if stop is None or e <= stop:
                points.append((offset + e, name, r))
    points.sort(key=lambda p: p[0])
    if not points:
        raise SystemExit(f"no eval-real scores along the chain of {args.run}")
    meta = json.loads((ROOT / "tools" / "runs" / args.run / "eval-real.json").read_text())
    classical = meta["classical"]["perStem"]

    colours = dict(vocals="#d62728", drums="#ff7f0e", bass="#2ca02c", other="#8c564b")
    fig, ax = plt.subplots(figsize=(9, 5), dpi=100)
    x = [p[0] for p in points]
    ax.plot(x, [float(p[2]["mean"]) for p in points], "o-", color="#1f77b4", linewidth=2, label="mean")
    for stem in STEMS:
        ax.plot(x, [float(p[2][stem]) for p in points], ".-", color=colours[stem], linewidth=1, label=stem)
        ax.axhline(classical[stem], color=colours[stem], linestyle=":", linewidth=1)
    ax.axhline(3.0, color="#1f77b4", linestyle=(0, (4, 4)), linewidth=1, label="target mean 3.0")
    ax.axhline(3.5, color="#d62728", linestyle=(0, (4, 4)), linewidth=1, label="target vocals 3.5")
    for offset, name in starts:
        ax.axvline(offset, color="#7f7f7f", linewidth=0.5)
        ax.annotate(name, (offset, 1), xycoords=("data", "axes fraction"), xytext=(3, -12),
                    textcoords="offset points", fontsize=8, color="#555555")
    ax.set_xlabel("CPU training examples seen along the chain (2 s each)")
    ax.set_ylabel("uSDR on ../shared/eval-real (dB)")
    ax.set_title(f"Chain of runs to {args.run} on real music (dotted: the classical split per stem)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right", ncol=2)
    fig.tight_layout()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    for e, name, r in points:
        print(f"{e:6d}  {name:7s} " + " ".join(f"{s} {float(r[s]):5.2f}" for s in (*STEMS, "mean")))
    print(f"wrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
