#!/usr/bin/env python3
"""Convert a BS-Roformer or Mel-Band-Roformer checkpoint into what Stemsafe loads:
OUT/<id>.onnx (STFT outside the graph) + OUT/<id>.json (manifest), optionally a parity
vector for tests/unit/model-parity.test.ts and an entry in OUT/index.json.

Inputs, either
  * a ZFTurbo Music-Source-Separation-Training checkpoint (.ckpt / .pth / .pt: a state_dict,
    possibly under 'state_dict' or 'model', possibly with 'module.' prefixes) and its yaml
    config (sections audio / model / training), with --arch bs_roformer | mel_band_roformer
    (the yaml does not name the architecture; ZFTurbo passes it as --model_type), or
  * tools/train.py's model.npz and config.json.

The weights load with strict=True, so a checkpoint whose layout this definition does not
reproduce fails loudly instead of exporting a half-random model.

usage: /usr/bin/python3 tools/convert.py --checkpoint CKPT --config CFG --id ID --name NAME
         [--arch bs_roformer] [--out static/models] [--golden tests/golden] [--default]
         [--chunk-frames N] [--description TEXT] [--trained-on TEXT] [--untrained]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402
from stemsafe_tools.export_onnx import export_spec_graph  # noqa: E402
from stemsafe_tools.golden import write_parity_vector  # noqa: E402
from stemsafe_tools.manifest import sha256_file, write_manifest, write_model_index  # noqa: E402
from stemsafe_tools.mel_band_roformer import MelBandRoformer  # noqa: E402
from stemsafe_tools.yaml_config import load_yaml_config  # noqa: E402

ARCHITECTURES = {"bs_roformer": BSRoformer, "mel_band_roformer": MelBandRoformer}


def load_state_dict(path: Path) -> dict[str, torch.Tensor]:
    if path.suffix == ".npz":
        data = np.load(path)
        return {k: torch.from_numpy(data[k]) for k in data.files}
    obj = torch.load(str(path), map_location="cpu")
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(obj, dict) and key in obj and isinstance(obj[key], dict):
            obj = obj[key]
    if not isinstance(obj, dict):
        raise ValueError(f"{path}: not a state_dict")
    return {(k[len("module."):] if k.startswith("module.") else k): v for k, v in obj.items()}


def read_config(path: Path, arch: str | None) -> dict:
    """-> dict(arch, model kwargs, stems, residual, sample_rate, chunk_frames or None, training facts)"""
    if path.suffix == ".json":  # tools/train.py
        cfg = json.loads(path.read_text())
        # train.py's models were trained without upstream's DC zeroing (its configs predate the option)
        model = {"zero_dc": False, **cfg["model"]}
        return dict(arch=arch or "bs_roformer", model=model, stems=cfg["stems"], residual=cfg["residual"],
                    sample_rate=44100, chunk_frames=cfg["chunk_frames"], facts=cfg)
    cfg = load_yaml_config(path)
    if not arch:
        raise SystemExit("--arch is required with a yaml config (bs_roformer or mel_band_roformer)")
    model = dict(cfg["model"])
    audio = cfg.get("audio", {})
    training = cfg.get("training", {})
    instruments = list(training.get("instruments", []))
    target = training.get("target_instrument")
    if not instruments:
        raise SystemExit("the yaml has no training.instruments: cannot name the stems")
    if target:
        # one estimated stem; the app derives the rest as mix minus target
        rest = [i for i in instruments if i != target]
        residual = rest[0] if len(rest) == 1 else f"no {target}"
        stems = [target, residual]
        if model.get("num_stems", 1) != 1:
            raise SystemExit("target_instrument is set but model.num_stems != 1")
    else:
        stems = instruments
        residual = None
        if model.get("num_stems", 1) != len(instruments):
            raise SystemExit(f"model.num_stems={model.get('num_stems', 1)} but {len(instruments)} instruments")
    sample_rate = int(audio.get("sample_rate", model.get("sample_rate", 44100)))
    hop = int(model.get("stft_hop_length", 512))
    chunk = audio.get("chunk_size")
    return dict(arch=arch, model=model, stems=stems, residual=residual, sample_rate=sample_rate,
                chunk_frames=(int(chunk) // hop + 1) if chunk else None, facts=None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True, type=Path)
    ap.add_argument("--config", required=True, type=Path)
    ap.add_argument("--arch", choices=sorted(ARCHITECTURES))
    ap.add_argument("--id", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", type=Path, default=Path("static/models"))
    ap.add_argument("--golden", type=Path, help="write <id>.parity.json here")
    ap.add_argument("--default", action="store_true", help="make it the app's default model in index.json")
    ap.add_argument("--chunk-frames", type=int, help="STFT frames per model call (default: from the config, else 201)")
    ap.add_argument("--description", default="")
    ap.add_argument("--untrained", action="store_true", help="random weights (test fixtures): trained=false")
    ap.add_argument("--trained-on", default="", help="what the weights were trained on (goes in the manifest)")
    args = ap.parse_args()

    cfg = read_config(args.config, args.arch)
    if cfg["sample_rate"] != 44100:
        raise SystemExit(f"sample rate {cfg['sample_rate']}: the app runs models at 44100 Hz only")
    model = ARCHITECTURES[cfg["arch"]](**cfg["model"])
    missing, unexpected = model.load_state_dict(load_state_dict(args.checkpoint), strict=False)
    if missing or unexpected:
        raise SystemExit(f"checkpoint does not match the {cfg['arch']} definition:\n  missing {missing[:8]}"
                         f"{' ...' if len(missing) > 8 else ''}\n  unexpected {unexpected[:8]}"
                         f"{' ...' if len(unexpected) > 8 else ''}")
    frames = args.chunk_frames or cfg["chunk_frames"] or 201
    args.out.mkdir(parents=True, exist_ok=True)
    onnx_path = args.out / f"{args.id}.onnx"
    export_spec_graph(model, onnx_path, frames)
    training = None
    if not args.untrained:
        training = {"data": args.trained_on or None, "source": str(args.checkpoint.name),
                    "params": sum(p.numel() for p in model.parameters())}
        facts = cfg["facts"] or {}
        training.update({k: facts[k] for k in ("steps", "batch", "seconds_per_example", "wall_seconds", "device",
                                               "examples_seen", "clips_synthesised", "final_loss") if k in facts})
    old_path = args.out / f"{args.id}.json"
    old = json.loads(old_path.read_text()) if old_path.exists() else {}
    # an unchanged graph keeps the quality measured for it (npm run eval --write); a new one has none yet
    quality = old.get("quality") if old.get("sha256") == sha256_file(onnx_path) else None
    write_manifest(onnx_path, model_id=args.id, name=args.name, architecture=cfg["arch"], sample_rate=44100,
                   channels=model.audio_channels, stems=cfg["stems"], residual_stem=cfg["residual"],
                   n_fft=model.n_fft, hop_length=model.hop_length, chunk_frames=frames, trained=not args.untrained,
                   description=args.description, training=training, quality=quality)
    if args.golden:
        write_parity_vector(model, args.golden / f"{args.id}.parity.json", frames)
    if args.default or (args.out / "index.json").exists():
        index = args.out / "index.json"
        default = args.id if args.default else json.loads(index.read_text())["default"]
        write_model_index(args.out, default=default)
    print(f"wrote {onnx_path} ({onnx_path.stat().st_size} bytes), {frames} frames per call, stems {cfg['stems']}")


if __name__ == "__main__":
    main()
