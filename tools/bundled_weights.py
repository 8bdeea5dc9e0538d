#!/usr/bin/env python3
"""Recover the weights of a bundled BS-Roformer model (static/models/ID.onnx, built by
`npm run convert` from a training snapshot) as the model.npz that tools/train.py --init, npm run
convert and tools/ship_snapshot.py read, so a fresh checkout can go on training from the shipped
model without the .train/ folder it came from.

The graph stores every weight as it was, transposed, permuted (q and k rows in the halves layout)
or stacked and zero-padded per band run (src/lib/models/onnx/blocks.ts, band-weights.ts), which is
undone exactly. Two things are folded and cannot be split again: each band's input RMSNorm gamma
(times sqrt(d)) into its Linear weight, and every other RMSNorm's sqrt(dim) into its gamma (a
power of two for dim 64: exact). The band gammas come back as one value just under 1/sqrt(d) and
the Linear weights as the folded product, each value chosen among its float32 neighbours so that
the builder folds it back to the stored value: the same function, and a head-only run shipped from
it is bit for bit the bundled trunk (a run that trains the band split learns it in this
parametrization, not the original one's). The rotary frequencies (one set, shared by every
layer, as the graph's tables are) come back from the cos/sin tables. Only float32 BS-Roformer
graphs: a float16 one has lost the weights' low bits.

The tool checks itself: it builds the recovered weights again with `npm run convert` into a
temporary folder and compares every initializer with the bundled graph (it fails unless all are
identical), and prints how far the PyTorch forward pass of the recovered weights is from the
parity reference committed with the model (tests/golden/ID.parity.json).

usage: /usr/bin/python3 tools/bundled_weights.py [--id bsr-4stem] [--out .train/main-l/shipped/ex-000007000.npz]
         [--config tools/runs/main-l/config.json] [--no-check]
then: /usr/bin/python3 tools/train.py --run NAME --bank .bank/main --init .train/main-l/shipped/ex-000007000.npz ...
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from onnx_to_checkpoint import initializers  # noqa: E402


def halves_order(dh: int) -> np.ndarray:
    """pairsToHalves: element i of a head sits at position pos[i] in the halves layout."""
    return np.array([i // 2 if i % 2 == 0 else dh // 2 + (i - 1) // 2 for i in range(dh)])


def unfold_product(folded: np.ndarray, scale: float) -> tuple[np.ndarray, np.float32]:
    """float32 weights w and one float32 gamma g with float32(float64(w) * g * scale) == folded for
    every element: the builder's weight * gamma * sqrt(d). g is the largest float32 with g * scale
    <= 1, so the product is w times a factor just under 1, which maps the float32 values onto every
    float32 value (with g = 1 and scale > 1 some values would have no preimage); w is taken among
    the float32 neighbours of folded / (g * scale)."""
    folded = folded.astype(np.float32)
    g = np.float32(1 / scale)
    while float(g) * scale > 1:
        g = np.nextafter(g, np.float32(0))
    factor = float(g) * scale
    make = lambda w: ((w.astype(np.float64) * float(g)) * scale).astype(np.float32)
    guess = (folded.astype(np.float64) / factor).astype(np.float32)
    best = guess.copy()
    ok = make(guess) == folded
    for direction in (np.inf, -np.inf):
        cand = guess
        for _ in range(4):
            cand = np.nextafter(cand, np.float32(direction))
            hit = ~ok & (make(cand) == folded)
            best[hit] = cand[hit]
            ok |= hit
    if not ok.all():
        raise SystemExit(f"internal error: {int((~ok).sum())} folded band weights have no float32 preimage")
    return best, g


def rotary_freqs(graph: dict[str, np.ndarray], half: int) -> np.ndarray:
    """The rotary frequencies the graph's cos/sin tables were made from (blocks.ts rotaryTables:
    angle = float32(p * freq), cos and sin to float32; sin's first half negated), found among the
    float32 values near the angle at p = 1 as those that give every table exactly."""
    tables = sorted({int(k.split("_")[-1]) for k in graph if k.startswith("rotary_cos_")})
    if not tables:
        raise SystemExit("the graph has no rotary tables")
    cos1, sin1 = graph[f"rotary_cos_{tables[0]}"][1, 0], graph[f"rotary_sin_{tables[0]}"][1, 0]
    freqs = np.empty(half, np.float32)
    for j in range(half):
        estimate = np.float32(np.arctan2(np.float64(sin1[half + j]), np.float64(cos1[j])))
        below = [estimate]
        above = [estimate]
        for _ in range(2048):
            below.append(np.nextafter(below[-1], np.float32(-np.inf)))
            above.append(np.nextafter(above[-1], np.float32(np.inf)))
        candidates = np.array(sorted(set(below) | set(above)), np.float32)
        ok = np.ones(len(candidates), bool)
        for n in tables:
            p = np.arange(n, dtype=np.float64)[:, None]
            angle = (p * candidates.astype(np.float64)[None, :]).astype(np.float32).astype(np.float64)
            ok &= (np.cos(angle).astype(np.float32) == graph[f"rotary_cos_{n}"][:, 0, j][:, None]).all(0)
            ok &= (np.sin(angle).astype(np.float32) == graph[f"rotary_sin_{n}"][:, 0, half + j][:, None]).all(0)
        if not ok.any():
            raise SystemExit(f"no float32 rotary frequency reproduces the graph's tables (element {j})")
        freqs[j] = candidates[ok][np.argmin(np.abs(candidates[ok] - estimate))]
    return freqs


def recover(graph: dict[str, np.ndarray], model_config: dict) -> dict[str, np.ndarray]:
    from stemsafe_tools.bs_roformer import BSRoformer
    model = BSRoformer(**model_config)
    reference = {k: v.numpy() for k, v in model.state_dict().items()}
    dim, heads, dh = model_config["dim"], model_config["heads"], model_config["dim_head"]
    inner = heads * dh
    pos = halves_order(dh)
    freqs = rotary_freqs(graph, dh // 2)
    out: dict[str, np.ndarray] = {}

    # band split and mask runs: band b's width d from the architecture, the runs from the graph
    widths = [reference[f"band_split.to_features.{b}.1.weight"].shape[1] for b in range(len(model.band_split.to_features))]
    runs = sorted(int(k[len("band_split.run"):-len(".weight")]) for k in graph if k.startswith("band_split.run") and k.endswith(".weight"))
    stems = model_config["num_stems"]
    for first in runs:
        weight, bias = graph[f"band_split.run{first}.weight"], graph[f"band_split.run{first}.bias"]
        count, _, width = weight.shape
        masks = [(graph[f"mask.run{first}.layer{layer}.weight"], graph[f"mask.run{first}.layer{layer}.bias"])
                 for layer in range(sum(1 for k in graph if k.startswith(f"mask.run{first}.layer") and k.endswith(".weight")))]
        for i in range(count):
            b = first + i
            d = widths[b]
            folded, gamma = unfold_product(weight[i, :, :d], math.sqrt(d))
            out[f"band_split.to_features.{b}.0.gamma"] = np.full(d, gamma, np.float32)
            out[f"band_split.to_features.{b}.1.weight"] = folded
            out[f"band_split.to_features.{b}.1.bias"] = bias[i, :, 0].copy()
            for layer, (mask_weight, mask_bias) in enumerate(masks):
                last = layer == len(masks) - 1
                rows = np.concatenate([np.arange(d), width + np.arange(d)]) if last else np.arange(mask_weight.shape[2])
                for n in range(stems):
                    key = f"mask_estimators.{n}.to_freqs.{b}.0.{2 * layer}"
                    out[f"{key}.weight"] = mask_weight[n, i][rows].copy()
                    out[f"{key}.bias"] = mask_bias[n, i][rows, 0].copy()

    norm_scale = np.float32(math.sqrt(dim))
    for key in reference:
        if key in out:
            continue
        if key.endswith("rotary_embed.freqs"):
            out[key] = freqs
        elif key.endswith("gamma"):
            out[key] = (graph[key] / norm_scale).astype(np.float32)
        elif key.endswith("to_qkv.weight"):
            t = graph[f"{key}.halves.T"]  # [dim, 3 inner], q and k heads permuted
            w = np.empty((3 * inner, dim), np.float32)
            for r in range(3 * inner):
                to = (r // dh) * dh + pos[r % dh] if r < 2 * inner else r
                w[r] = t[:, to]
            out[key] = w
        elif key.endswith(".weight"):
            out[key] = graph[f"{key}.T"].T.copy()
        else:
            out[key] = graph[key].copy()
    for key, value in reference.items():
        if out[key].shape != value.shape:
            raise SystemExit(f"internal error: {key} came back as {out[key].shape}, the architecture has {value.shape}")
    return {k: out[k].astype(np.float32) for k in reference}


def check(npz: Path, config: Path, bundled: Path, original: dict[str, np.ndarray]) -> None:
    """original: the bundled graph's initializers."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "run", "-s", "convert", "--", "--checkpoint", str(npz), "--config", str(config),
                        "--out", tmp, "--id", "recovered"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        again = initializers(Path(tmp) / "recovered.onnx")
    if set(again) != set(original):
        raise SystemExit(f"check failed: the rebuilt graph has other initializers ({sorted(set(again) ^ set(original))[:5]})")
    differ = [k for k in original if original[k].dtype != again[k].dtype or not np.array_equal(original[k], again[k])]
    if differ:
        worst = max(float(np.abs(original[k].astype(np.float64) - again[k].astype(np.float64)).max()) for k in differ)
        raise SystemExit(f"check failed: {len(differ)} of {len(original)} initializers differ (e.g. {differ[0]}; max |diff| {worst:g})")
    print(f"check: rebuilt with npm run convert, all {len(original)} initializers identical to {bundled.relative_to(ROOT)}")
    golden = ROOT / "tests" / "golden" / f"{bundled.stem}.parity.json"
    if golden.exists():  # the PyTorch reference made from the original snapshot (tools/ship_snapshot.py)
        from convert import ARCHITECTURES, load_state_dict, read_config
        from stemsafe_tools.golden import parity_error
        cfg = read_config(config, None)
        model = ARCHITECTURES[cfg["arch"]](**cfg["model"])
        model.load_state_dict(load_state_dict(npz))
        err, peak = parity_error(model, golden)
        print(f"PyTorch forward pass against {golden.relative_to(ROOT)}: max |diff| {err:.2g} (outputs up to {peak:.2g})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--id", default="bsr-4stem", help="bundled model id (static/models/ID.onnx)")
    ap.add_argument("--config", default=None, help="a run config.json with the model's architecture "
                    "(default: that of the last run in the manifest's training.cpu_runs)")
    ap.add_argument("--out", help="default: .train/RUN/shipped/ex-N.npz for the last run and examples of the manifest's "
                    "training.cpu_runs, where tools/ship_snapshot.py looks for the weights the default was built from")
    ap.add_argument("--no-check", action="store_true")
    args = ap.parse_args()
    bundled = ROOT / "static" / "models" / f"{args.id}.onnx"
    manifest = json.loads(bundled.with_suffix(".json").read_text())
    if manifest.get("architecture") != "bs_roformer":
        raise SystemExit(f"{args.id} is a {manifest.get('architecture')} model: this tool recovers BS-Roformer graphs only")
    config_path = Path(args.config) if args.config else default_config(manifest)
    model_config = json.loads(config_path.read_text())["model"]
    graph = initializers(bundled)
    if any(v.dtype == np.float16 for v in graph.values()):
        raise SystemExit(f"{bundled.name} stores float16 weights: their float32 values cannot be recovered")
    weights = recover(graph, model_config)
    out = Path(args.out) if args.out else default_out(manifest)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, **weights)
    print(f"{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}: {len(weights)} tensors, {sum(v.size for v in weights.values()):,} parameters, from {bundled.relative_to(ROOT)}")
    if not args.no_check:
        check(out, config_path, bundled, graph)


def last_run(manifest: dict) -> dict:
    runs = manifest.get("training", {}).get("cpu_runs") or []
    if not runs:
        raise SystemExit(f"{manifest['id']}.json names no training run: pass --config and --out")
    return runs[-1]


def default_config(manifest: dict) -> Path:
    return ROOT / "tools" / "runs" / last_run(manifest)["run"] / "config.json"


def default_out(manifest: dict) -> Path:
    run = last_run(manifest)
    return ROOT / ".train" / run["run"] / "shipped" / f"ex-{run['examples']:09d}.npz"


if __name__ == "__main__":
    main()
