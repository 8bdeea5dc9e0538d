#!/usr/bin/env python3
"""Recover the PyTorch state dict of a BS-Roformer ONNX graph that tools/convert.py exported
(torch.onnx, PyTorch 1.13), so that the same weights can be rebuilt into the TypeScript builder's
graph (npm run convert). torch.onnx names most Linear weights anonymously (onnx::MatMul_N, stored
transposed); the mapping is found by exporting a model of the same configuration whose every
parameter holds distinct values, then matching initializers by value. The recovered weights are
checked by exporting them again and comparing the two graphs' outputs with onnxruntime-node-like
numpy evaluation through torch (max |diff| printed; the tool fails above 1e-5).

usage: /usr/bin/python3 tools/onnx_to_checkpoint.py --onnx static/models/bsr-4stem-synth.onnx \
         --config tools/runs/bsr-4stem-synth/run-b.config.json --out .ckpt/bsr-4stem-synth.ckpt
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402
from stemsafe_tools.export_onnx import export_spec_graph  # noqa: E402


def initializers(path: Path) -> dict[str, np.ndarray]:
    return {t.name: numpy_helper.to_array(t) for t in onnx.load(str(path)).graph.initializer}


def _order(name: str) -> tuple[str, int]:
    m = re.fullmatch(r"(onnx::\w+?)_(\d+)", name)
    return (m.group(1), int(m.group(2))) if m else (name, -1)


def align(target: dict[str, np.ndarray], probe: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Target initializers under the probe's names. Named ones match by name; torch's anonymous
    ones (onnx::Op_N) match in order of N within each op, since another torch build may start the
    numbering elsewhere. Shapes must agree one for one."""
    def groups(d):
        out: dict[str, list[str]] = {}
        for k in sorted(d, key=_order):
            out.setdefault(_order(k)[0], []).append(k)
        return out
    tg, pg = groups(target), groups(probe)
    if set(tg) != set(pg) or any(len(tg[k]) != len(pg[k]) for k in tg):
        raise SystemExit("the graph's initializers do not match a fresh export of this configuration")
    out = {}
    for k in pg:
        for a, b in zip(pg[k], tg[k]):
            if probe[a].shape != target[b].shape:
                raise SystemExit(f"initializer {b} has shape {target[b].shape}, a fresh export's {a} {probe[a].shape}")
            out[a] = target[b]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True, type=Path)
    ap.add_argument("--config", required=True, type=Path, help="tools/train.py's config.json")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--frames", type=int, default=201)
    args = ap.parse_args()

    cfg = json.loads(args.config.read_text())
    kwargs = {"zero_dc": False, **cfg["model"]}
    torch.manual_seed(0)
    probe = BSRoformer(**kwargs).eval()
    params = dict(probe.state_dict())
    # distinct values per parameter: index-coded, so every tensor (and its transpose) is unique
    base = 0
    codes: dict[str, np.ndarray] = {}
    with torch.no_grad():
        for name, p in probe.named_parameters():
            n = p.numel()
            v = (np.arange(base, base + n, dtype=np.float64) + 1) * 1e-3
            p.copy_(torch.from_numpy(v.reshape(p.shape)).float())
            codes[name] = p.detach().numpy().copy()
            base += n
    with tempfile.TemporaryDirectory() as tmp:
        probe_path = Path(tmp) / "probe.onnx"
        export_spec_graph(probe, probe_path, args.frames)
        probe_inits = initializers(probe_path)
    target = align(initializers(args.onnx), probe_inits)

    # first value of each parameter's code identifies it; then check the whole tensor
    by_first = {float(c.flat[0]): name for name, c in codes.items()}
    state: dict[str, torch.Tensor] = {}
    for iname, arr in probe_inits.items():
        if arr.dtype != np.float32 or arr.size == 0:
            continue
        name = by_first.get(float(arr.flat[0]))
        if name is None:
            continue  # constants (rotary tables, shapes)
        code = codes[name]
        value = target[iname]
        if arr.shape == code.shape and np.array_equal(arr, code):
            state[name] = torch.from_numpy(value.copy())
        elif arr.ndim == 2 and arr.shape == code.T.shape and np.array_equal(arr, code.T):
            state[name] = torch.from_numpy(value.T.copy())
    # buffers and parameters that torch folded away or that are not stored as initializers
    missing = [k for k in params if k not in state]
    # rotary frequencies are fixed (not learned) and folded into cos/sin tables: the re-export checks them
    trainable = {n for n, p in probe.named_parameters() if p.requires_grad and not n.endswith("rotary_embed.freqs")}
    if any(k in trainable for k in missing):
        raise SystemExit(f"could not recover {[k for k in missing if k in trainable][:8]}")
    for k in missing:
        state[k] = BSRoformer(**kwargs).state_dict()[k]  # fixed buffers (rotary freqs): as constructed

    model = BSRoformer(**kwargs).eval()
    model.load_state_dict(state, strict=True)
    with tempfile.TemporaryDirectory() as tmp:
        again = Path(tmp) / "again.onnx"
        export_spec_graph(model, again, args.frames)
        back = initializers(again)  # same torch, same config: the probe's names
    worst = max(float(np.max(np.abs(back[k] - target[k]))) if back[k].size else 0.0 for k in target)
    print(f"re-exported initializers differ from the original by at most {worst:.3g}")
    if worst > 0:
        raise SystemExit("the recovered weights do not reproduce the graph")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({k: v.contiguous() for k, v in state.items()}, str(args.out))
    print(f"wrote {args.out}: {len(state)} tensors, {sum(v.numel() for v in state.values())} values")


if __name__ == "__main__":
    main()
