#!/usr/bin/env python3
"""Make one snapshot of a training run the bundled model: build its browser graph, write its
manifest (licence, training data credits, what it learned from and for how long), write the PyTorch
reference its parity test checks (tests/golden/<id>.parity.json), measure it on the
synthetic held-out songs and on ../shared/eval-real (written into the manifest, as the app shows
them), make it the default in static/models/index.json and regenerate the third-party notices.

Only for a snapshot that beats the current default on eval-real's mean AND vocals
(tools/runs/NAME/eval-real.csv): that is checked here, from the committed scores. When every run
since the default trained only some mask heads (--train-only), the shipped weights are the
default's own snapshot with those heads replaced (bit for bit: no rounding drift in the frozen
weights), and a stem whose head was never trained separates exactly as before: vocals unchanged in
that way satisfies the vocals condition. A head-only run may also branch off the default's history
before its end (e.g. start from an earlier snapshot of the run the default was shipped from): its
heads are then composed onto the default, and that composed model is scored on eval-real here,
since it is not the snapshot the run scored (lineage()).

usage: /usr/bin/python3 tools/ship_snapshot.py --run NAME --examples N [--id bsr-4stem] [--replace OLD_ID]
       (needs .eval/testset: /usr/bin/python3 tools/make_testset.py)
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "static" / "models"
EVAL_REAL_DESCRIBE = ("8 real studio multitrack excerpts (MedleyDB \"Music Delta\": Beatles, Britpop, Country1, Hendrix, "
                      "Reggae, Rock, Shadows, Zeppelin; 13–30 s each, 188 s in all); vocals scored on the 6 songs that have a singer")
EVAL_REAL_SOURCE = ("MedleyDB (Bittner et al., ISMIR 2014) via the MDB Drums dataset (Southall et al., ISMIR 2017), licence "
                    "CC BY-NC-SA 4.0; used for evaluation only, never for training")


def write_golden(snapshot: Path, config: Path, model_id: str) -> None:
    """The PyTorch reference the parity test compares the exported graph with (tests/golden/<id>.parity.json)."""
    import sys
    sys.path.insert(0, str(ROOT / "tools"))
    from convert import ARCHITECTURES, load_state_dict, read_config
    from stemsafe_tools.golden import write_parity_vector
    cfg = read_config(config, None)
    model = ARCHITECTURES[cfg["arch"]](**cfg["model"])
    missing, unexpected = model.load_state_dict(load_state_dict(snapshot), strict=False)
    if missing or unexpected:
        raise SystemExit(f"{snapshot} does not match the model: missing {missing[:4]}, unexpected {unexpected[:4]}")
    write_parity_vector(model, ROOT / "tests" / "golden" / f"{model_id}.parity.json", cfg["chunk_frames"] or 201)


def wall_at(run: str, examples: int) -> float:
    """Wall seconds a run had spent when it had seen `examples` (its committed log.csv)."""
    log = list(csv.DictReader(open(ROOT / "tools" / "runs" / run / "log.csv")))
    return next((float(r["wall_seconds"]) for r in log if int(r["examples"]) >= examples), float(log[-1]["wall_seconds"]))


def lineage(run: str, examples: int, shipped: list) -> tuple[list, list, bool]:
    """Where a snapshot stands against the current default's CPU runs (`shipped`, oldest first, each
    run with the examples it had seen when shipped). Follows `init` (.train/RUN/snapshots/ex-N.npz)
    back from the snapshot until it meets a shipped run, and returns (kept, chain, branch):

    * kept: the shipped runs the new model's history keeps;
    * chain: the runs after them, oldest first, ending with this snapshot's run, each with the
      examples it had seen ("trained" when it trained only some mask heads);
    * branch: the chain met the default's history before its end (a run at fewer examples than it
      was shipped with, or an earlier shipped run): only head-only runs on the default's own trunk
      can be composed onto the default from there (checked by the caller).

    A later snapshot of a shipped run continues the default: that run's entry is replaced, and the
    shipped runs after it (which trained on its earlier snapshot) leave the history, since the new
    weights hold none of their training.
    Raises when the chain never meets the default (the run does not continue it)."""
    from eval_run import init_snapshot, run_config
    chain: list = []
    node, first = (run, examples), True
    while True:
        r, e = node
        config = run_config(r)
        hit = next((i for i, s in enumerate(shipped) if s["run"] == r), None)
        if hit is not None:
            e0, last = shipped[hit]["examples"], hit == len(shipped) - 1
            if e > e0:  # a shipped run further on: its entry is replaced, and the runs after it are not in these weights
                chain.append(_entry(r, e, config))
                return shipped[:hit], chain[::-1], False
            if first:
                raise SystemExit(f"{run} at {examples} examples is already in the default's history")
            return shipped, chain[::-1], not (last and e == e0)
        chain.append(_entry(r, e, config))
        first = False
        node = init_snapshot(config)
        if not node:
            raise SystemExit(f"{r} starts from {config.get('init')!r}, which is no run's snapshot: it does not continue the default")


def _entry(run: str, examples: int, config: dict) -> dict:
    trained = config.get("trained", "all weights")
    return dict(run=run, examples=examples, wall_seconds=round(wall_at(run, examples)),
                **({"trained": trained} if trained != "all weights" else {}))


def history_loss(runs: list) -> str:
    """The loss of each stretch of the model's CPU history (runs oldest first), with its runs; the
    synthetic start trained with the first one."""
    from eval_run import run_config
    groups: list = []
    for r in runs:
        config = run_config(r["run"])
        loss = config["loss"]
        weighted = {k: v for k, v in (config.get("stem_weights") or {}).items() if v != 1}
        if weighted:  # train.py --stem-weights
            loss += "; weighted " + ", ".join(f"{k} x{v:g}" for k, v in weighted.items())
        if groups and groups[-1][0] == loss:
            groups[-1][1].append(r["run"])
        else:
            groups.append((loss, [r["run"]]))
    if len(groups) == 1:
        return groups[0][0]
    return "; then ".join(f"{loss} ({'the synthetic start and ' if i == 0 else ''}runs {', '.join(names)})"
                          for i, (loss, names) in enumerate(groups))


HEAD_OF = {"vocals": 0, "drums": 1, "bass": 2}


def compose(default: Path, trained: Path, stems: set) -> Path:
    """The default's weights with the mask heads of `stems` taken from `trained`; written to the run's
    shipped/ folder (not snapshots/, which tools/eval_run.py scans)."""
    import numpy as np
    base, new = np.load(default), np.load(trained)
    if set(base.files) != set(new.files):
        raise SystemExit(f"{trained} and {default} hold different weights")
    prefixes = tuple(f"mask_estimators.{HEAD_OF[s]}." for s in stems)
    out = {k: (new[k] if k.startswith(prefixes) else base[k]) for k in base.files}
    path = trained.parent.parent / "shipped" / trained.name
    path.parent.mkdir(exist_ok=True)
    np.savez(path, **out)
    return path


def same_trunk(a: Path, b: Path) -> bool:
    """Whether two snapshots hold the same weights outside the mask heads (which read the trunk's output
    each on its own, so a head trained on one trunk works on the other), up to float32 rounding: runs
    before the moving average copied frozen weights drifted them by about 1e-7 (1e-5 relative at most)."""
    import numpy as np
    x, y = np.load(a), np.load(b)
    if set(x.files) != set(y.files):
        return False
    return all(np.allclose(x[k], y[k], rtol=1e-5, atol=1e-6) for k in x.files if not k.startswith("mask_estimators."))


def npm(*args: str) -> None:
    subprocess.run(["npm", "run", "--silent", *args], cwd=ROOT, check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", required=True)
    ap.add_argument("--examples", type=int, required=True)
    ap.add_argument("--id", default="bsr-4stem")
    ap.add_argument("--name", default="BS-Roformer S, 4 stems")
    ap.add_argument("--replace", help="the current default's id: its files are removed (git keeps them)")
    args = ap.parse_args()

    run_dir = ROOT / "tools" / "runs" / args.run
    config = json.loads((run_dir / "config.json").read_text())
    scores = {int(r["examples"]): r for r in csv.DictReader(open(run_dir / "eval-real.csv"))}
    if args.examples not in scores:
        raise SystemExit(f"no eval-real score for {args.examples} examples: run tools/eval_run.py --run {args.run} first")
    row = scores[args.examples]
    index = json.loads((MODELS / "index.json").read_text())
    current = json.loads((MODELS / f"{index['default']}.json").read_text())
    real = current["quality"]["byTestSet"]["eval-real"]["model"]
    init = current["training"]
    # the synthetic (GPU) start, and the CPU runs on the bank since, when the current default is itself a continuation
    start = init.get("started_from") or init
    earlier = init.get("cpu_runs") or ([dict(run=init["source"].split(" run ")[1].split(" ")[0], examples=init["examples_this_run"],
                                              wall_seconds=init.get("wall_seconds"))] if "started_from" in init else [])
    kept, chain, branch = lineage(args.run, args.examples, earlier)
    snapshot = ROOT / ".train" / args.run / "snapshots" / f"ex-{args.examples:09d}.npz"
    # runs since the default that trained only some mask heads: everything else is taken from the default's own
    # snapshot, bit for bit, and a stem whose head and trunk are the default's separates exactly as it did
    heads = [set(r["trained"]) if isinstance(r.get("trained"), list) else None for r in chain]
    default_snapshot = None
    if earlier:  # the weights the default was built from: composed (shipped/) when it was composed
        run_state = ROOT / ".train" / earlier[-1]["run"]
        name = f"ex-{earlier[-1]['examples']:09d}.npz"
        default_snapshot = next((p for p in (run_state / "shipped" / name, run_state / "snapshots" / name) if p.exists()), None)
    unchanged = set()
    if branch and (None in heads or not default_snapshot):
        raise SystemExit(f"{args.run} branches off the default's history before its end: only runs that train mask heads "
                         f"on the default's own trunk can be composed onto it")
    if None not in heads and default_snapshot:
        if not same_trunk(default_snapshot, snapshot):  # e.g. heads trained on a trunk that later shipped runs changed
            raise SystemExit(f"{args.run} trained mask heads on a trunk that is not the default's: they cannot be composed onto it")
        changed = set().union(*heads)
        snapshot = compose(default_snapshot, snapshot, changed)
        unchanged = {"vocals", "drums", "bass"} - changed
    if branch:  # the composed model is not the snapshot the run scored (its other heads are the default's): score it
        from eval_run import score
        row = score(args.run, snapshot, str(ROOT.parent / "shared" / "eval-real"), run_dir / "config.json")
        print(f"composed onto {index['default']}: eval-real mean {row['mean']:.2f}, " +
              ", ".join(f"{k} {row[k]:.2f}" for k in ("vocals", "drums", "bass", "other")))
    vocals_ok = float(row["vocals"]) > real["perStem"]["vocals"] or "vocals" in unchanged
    if not (float(row["mean"]) > real["mean"] and vocals_ok):
        raise SystemExit(f"snapshot {args.examples} (mean {row['mean']}, vocals {row['vocals']}) does not beat "
                         f"{index['default']} (mean {real['mean']:.2f}, vocals {real['perStem']['vocals']:.2f})")
    if unchanged:
        print(f"{', '.join(sorted(unchanged))}: the default's weights bit for bit ({default_snapshot.relative_to(ROOT)}); "
              f"composed weights in {snapshot.relative_to(ROOT)}")

    data = config["training_data"][0]
    credits = [dict(credit=s["credit"], licence=s["licence"], **({"copyleft": True} if s.get("copyleft") else {}))
               for s in data["sources"].values()]
    runs = kept + chain  # the new model's CPU history, this run last
    on_bank = sum(r["examples"] for r in runs)
    description = (f"Small BS-Roformer ({config['params'] / 1e6:.1f}M parameters). It first learned on synthetic songs "
                   f"({start.get('examples_seen', 0):,} examples, on a GPU), then on songs rendered from real recordings of "
                   f"voices and instruments ({on_bank:,} examples, on a 2-core CPU). A rough split of real music: "
                   f"much weaker than published Roformer models, which Models → Add a model imports.")
    npm("convert", "--", "--checkpoint", str(snapshot), "--config", str(run_dir / "config.json"), "--out", str(MODELS),
        "--id", args.id, "--name", args.name, "--description", description)

    write_golden(snapshot, run_dir / "config.json", args.id)
    path = MODELS / f"{args.id}.json"
    m = json.loads(path.read_text())
    wall = wall_at(args.run, args.examples)
    m["licence"] = data["weights_licence"]
    m["training"] = {
        "data": ("recordings of singers, speech turned into singing, drum kits, electric and acoustic basses, guitars (clean "
                 "and through amplifier models), pianos, horns and synthesizers, rendered into 4-stem songs "
                 "(tools/build_bank.py) and remixed while training; before that, synthetic songs only"),
        "credits": credits,
        "source": f"tools/train.py run {args.run} (log, scores and learning curve in tools/runs/{args.run}/), "
                  f"continuing {current['id']}" + (f" (after run {runs[-2]['run']})" if len(runs) > 1 else ""),
        "params": config["params"],
        "examples_seen": on_bank + int(start.get("examples_seen", 0)),
        "examples_this_run": args.examples,
        "cpu_runs": runs,
        "seconds_per_example": 2,
        "batch": config["batch"],
        "wall_seconds": round(wall),
        "device": f"CPU, 2 cores ({config['precision']}); the first {start.get('examples_seen', 0):,} examples on "
                  f"{start.get('device', 'a GPU')}",
        "bank_hours": round(config["bank_seconds"] / 3600, 2),
        "started_from": {k: start[k] for k in ("source", "steps", "examples_seen", "wall_seconds", "device") if k in start},
        "model": config["model"],
        "loss": history_loss(runs),
    }
    path.write_text(json.dumps(m, indent=2, ensure_ascii=False) + "\n")

    npm("eval", "--", "--testset", str(ROOT / ".eval" / "testset"), "--model", args.id, "--write")
    npm("eval", "--", "--testset", str(ROOT.parent / "shared" / "eval-real"), "--model", args.id, "--write",
        "--describe", EVAL_REAL_DESCRIBE, "--source", EVAL_REAL_SOURCE)

    index["default"] = args.id
    index["models"] = [args.id] + [i for i in index["models"] if i not in (args.id, args.replace)]
    (MODELS / "index.json").write_text(json.dumps(index, indent=2) + "\n")
    if args.replace and args.replace != args.id:
        for ext in (".json", ".onnx"):
            (MODELS / f"{args.replace}{ext}").unlink(missing_ok=True)
        (ROOT / "tests" / "golden" / f"{args.replace}.parity.json").unlink(missing_ok=True)
    subprocess.run(["node", "scripts/third-party-notices.mjs"], cwd=ROOT, check=True)
    print(f"{args.id} is the default model: {path}")


if __name__ == "__main__":
    main()
