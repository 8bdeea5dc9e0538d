#!/usr/bin/env python3
"""Score a training run's snapshots on real music and draw its learning curve.

For each snapshot of .train/NAME/snapshots (moving-average weights, tools/train.py) not scored
yet, or only those given with --examples: build the browser's graph with `npm run convert`
(the TypeScript builder the app's import uses) into .train/NAME/candidates/, separate
../shared/eval-real with `npm run eval` (the browser pipeline, onnxruntime-web WASM, in Node)
and append the uSDR per stem to tools/runs/NAME/eval-real.csv. Then plot
tools/runs/NAME/learning-curve.png: eval-real mean and vocals against examples seen, with the
rendered validation songs' mean (val.csv), the run's starting point and the classical baseline.

eval-real is for evaluation only: nothing here feeds back into training.

usage: /usr/bin/python3 tools/eval_run.py --run NAME [--every N] [--examples E ...] [--testset ../shared/eval-real]
       /usr/bin/python3 tools/eval_run.py --run NAME --plot-only
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEMS = ("vocals", "drums", "bass", "other")
HEADER = ["examples", "wall_seconds", *STEMS, "mean", "snapshot"]


def read_csv(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def run_config(run: str) -> dict:
    """A run's committed config.json (tools/runs/NAME/)."""
    return json.loads((ROOT / "tools" / "runs" / run / "config.json").read_text())


def init_snapshot(config: dict) -> tuple[str, int] | None:
    """The run and examples of the snapshot a run started from (`init` .train/RUN/snapshots/ex-N.npz, or
    .train/RUN/shipped/ex-N.npz: the weights a bundled model was built from, as ship_snapshot.py composed
    them or tools/bundled_weights.py recovered them), or None when it started from anything else (the
    synthetic checkpoint)."""
    import re
    m = re.search(r"\.train/([^/]+)/(?:snapshots|shipped)/ex-0*(\d+)\.npz$", str(config.get("init") or ""))
    return (m.group(1), int(m.group(2))) if m else None


def wall_at(log: list[dict], examples: int) -> float | None:
    rows = [r for r in log if int(r["examples"]) <= examples]
    return float(rows[-1]["wall_seconds"]) if rows else None


def score(run: str, snapshot: Path, testset: str, config: Path) -> dict:
    examples = int(snapshot.stem.split("-")[1])
    cand = ROOT / ".train" / run / "candidates"
    cand.mkdir(parents=True, exist_ok=True)
    model_id = f"{run}-{examples}"
    subprocess.run(["npm", "run", "--silent", "convert", "--", "--checkpoint", str(snapshot), "--config", str(config),
                    "--out", str(cand), "--id", model_id, "--name", f"{run} after {examples} examples"],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    out = cand / f"{model_id}.eval.json"
    subprocess.run(["npm", "run", "--silent", "eval", "--", "--testset", testset, "--dir", str(cand), "--model", model_id,
                    "--json", str(out)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    doc = json.loads(out.read_text())
    model_row = next(v for k, v in doc["rows"].items() if k.endswith("(this model)"))
    (cand / f"{model_id}.onnx").unlink()  # 21 MB each; the weights stay in the snapshot
    return dict(examples=examples, **model_row["perStem"], mean=model_row["mean"],
                classical=doc["rows"]["classical (HPSS + crossover + centre)"])


def start_row(run: str) -> dict | None:
    """The eval-real scores of the snapshot `run` started from, as a row at 0 examples, when that
    snapshot was scored (its run's eval-real.csv); None otherwise."""
    try:
        init = init_snapshot(run_config(run))
    except FileNotFoundError:
        return None
    if not init:
        return None
    name, examples = init
    row = next((r for r in read_csv(ROOT / "tools" / "runs" / name / "eval-real.csv") if int(r["examples"]) == examples), None)
    return {**row, "examples": 0, "label": f"{name} at {examples:,}"} if row else None


def plot(run: str) -> Path | None:
    run_dir = ROOT / "tools" / "runs" / run
    rows = sorted(read_csv(run_dir / "eval-real.csv"), key=lambda r: int(r["examples"]))
    if not rows:
        return None
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    meta = json.loads((run_dir / "eval-real.json").read_text()) if (run_dir / "eval-real.json").exists() else {}
    start = start_row(run)
    if start:  # the snapshot the run started from, at 0 examples, drawn hollow
        rows = [start, *rows]
    x = [int(r["examples"]) for r in rows]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    ax.plot(x, [float(r["mean"]) for r in rows], "o-", color="#1f77b4", label="eval-real mean uSDR")
    ax.plot(x, [float(r["vocals"]) for r in rows], "s-", color="#d62728", label="eval-real vocals uSDR")
    if start:
        ax.plot([0, 0], [float(start["mean"]), float(start["vocals"])], "o", markersize=9, markerfacecolor="white",
                markeredgecolor="black", label=f"start: {start['label']}")
    val = read_csv(run_dir / "val.csv")
    if val:
        ax.plot([int(r["examples"]) for r in val], [float(r["mean"]) for r in val], ".:", color="#7f7f7f",
                label="rendered validation songs, mean")
    for key, style, label in (("classical_mean", "--", "classical baseline, mean"),
                              ("classical_vocals", "-.", "classical baseline, vocals")):
        if key in meta:
            ax.axhline(meta[key], color="#2ca02c", linestyle=style, linewidth=1, label=label)
    ax.axhline(3.0, color="#9467bd", linestyle=(0, (1, 3)), linewidth=1, label="target: mean 3.0, vocals 3.5")
    ax.axhline(3.5, color="#9467bd", linestyle=(0, (1, 3)), linewidth=1)
    ax.set_xlabel("training examples seen (2 s each) in this run")
    ax.set_ylabel("uSDR (dB)")
    ax.set_title(f"{run}: separation of real recordings (../shared/eval-real, 8 songs)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    path = run_dir / "learning-curve.png"
    fig.savefig(path)
    plt.close(fig)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--testset", default=str(ROOT.parent / "shared" / "eval-real"))
    ap.add_argument("--every", type=int, default=1, help="score every Nth unscored snapshot (the newest always)")
    ap.add_argument("--examples", type=int, nargs="*", help="score only these snapshots")
    ap.add_argument("--plot-only", action="store_true")
    args = ap.parse_args()
    run_dir = ROOT / "tools" / "runs" / args.run
    snaps = sorted((ROOT / ".train" / args.run / "snapshots").glob("ex-*.npz"))
    done = {int(r["examples"]) for r in read_csv(run_dir / "eval-real.csv")}
    todo = [s for s in snaps if int(s.stem.split("-")[1]) not in done]
    if args.examples:
        todo = [s for s in todo if int(s.stem.split("-")[1]) in set(args.examples)]
    elif args.every > 1 and todo:
        todo = todo[::-1][::args.every][::-1]
    if args.plot_only:
        todo = []
    log = read_csv(run_dir / "log.csv")
    for snap in todo:
        r = score(args.run, snap, args.testset, run_dir / "config.json")
        wall = wall_at(log, r["examples"])
        new = not (run_dir / "eval-real.csv").exists()
        with open(run_dir / "eval-real.csv", "a", newline="") as f:
            w = csv.writer(f)
            if new:
                w.writerow(HEADER)
            w.writerow([r["examples"], "" if wall is None else round(wall), *(f"{r[s]:.2f}" for s in STEMS),
                        f"{r['mean']:.2f}", snap.name])
        meta = dict(testset=args.testset, command="npm run eval -- --testset ../shared/eval-real",
                    classical_mean=r["classical"]["mean"], classical_vocals=r["classical"]["perStem"]["vocals"],
                    classical=r["classical"])
        (run_dir / "eval-real.json").write_text(json.dumps(meta, indent=1) + "\n")
        print(f"{snap.name}: " + " ".join(f"{s} {r[s]:.2f}" for s in (*STEMS, "mean")), flush=True)
    path = plot(args.run)
    if path:
        print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
