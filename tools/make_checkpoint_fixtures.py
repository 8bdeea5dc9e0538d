#!/usr/bin/env python3
"""Fixtures for the TypeScript checkpoint / yaml readers (src/lib/models/checkpoint, yaml.ts).

Writes into tests/fixtures/checkpoints/ real torch.save files (PyTorch's zip format), the way
ZFTurbo's Music-Source-Separation-Training saves them (torch.save(model.state_dict()), with
'module.' prefixes under a 'state_dict' wrapper, ...), in fp32 / fp16 / bf16 / fp64, with
non-contiguous and offset views that share storages, a zip64 re-pack, a legacy (pre-1.6,
non-zip) file, a pickle naming an arbitrary class, and a .safetensors file written by hand
per the format spec (the safetensors package is not installed here). expected.json holds what
the readers must return: per file, per tensor, dtype, shape and the float32 values (or, for
the two small Roformers, checksums).

Also tests/fixtures/model-configs/*.expected.json: what PyYAML's FullLoader (the loader
upstream uses) returns for every config in ../shared/model-configs.

usage: /usr/bin/python3 tools/make_checkpoint_fixtures.py
"""
from __future__ import annotations

import json
import math
import shutil
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np
import torch
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402
from stemsafe_tools.golden import write_parity_vector  # noqa: E402
from stemsafe_tools.mel_band_roformer import MelBandRoformer  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "checkpoints"
CONFIGS_IN = ROOT.parent.parent / "shared" / "model-configs"
CONFIGS_OUT = ROOT / "tests" / "fixtures" / "model-configs"
GOLDEN = ROOT / "tests" / "golden"

TINY_BS = dict(dim=8, depth=1, stereo=True, num_stems=1, time_transformer_depth=1, freq_transformer_depth=1,
               linear_transformer_depth=0, freqs_per_bands=(8, 8, 8, 9), dim_head=8, heads=1, attn_dropout=0.1,
               ff_dropout=0.1, flash_attn=True, dim_freqs_in=33, stft_n_fft=64, stft_hop_length=16,
               stft_win_length=64, stft_normalized=False, mask_estimator_depth=1, mlp_expansion_factor=1,
               multi_stft_resolution_loss_weight=1.0, multi_stft_resolutions_window_sizes=(4096, 2048),
               multi_stft_hop_size=147, multi_stft_normalized=False)
TINY_MEL = dict(dim=8, depth=1, stereo=False, num_stems=3, time_transformer_depth=1, freq_transformer_depth=1,
                linear_transformer_depth=0, num_bands=8, dim_head=8, heads=1, attn_dropout=0.0, ff_dropout=0.0,
                flash_attn=True, dim_freqs_in=129, sample_rate=44100, stft_n_fft=256, stft_hop_length=64,
                stft_win_length=256, stft_normalized=False, mask_estimator_depth=1, mlp_expansion_factor=1,
                multi_stft_resolution_loss_weight=1.0, multi_stft_resolutions_window_sizes=(4096, 2048),
                multi_stft_hop_size=147, multi_stft_normalized=False)


class Toy(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(5, 3)
        self.norm = torch.nn.Parameter(torch.randn(3))
        self.seq = torch.nn.Sequential(torch.nn.Linear(3, 2, bias=False))


class Arbitrary:  # pickled as GLOBAL __main__ Arbitrary: the reader must refuse it
    def __init__(self):
        self.x = 1


def dtype_name(t: torch.Tensor) -> str:
    return {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16", torch.float64: "float64",
            torch.int64: "int64", torch.int32: "int32", torch.bool: "bool", torch.uint8: "uint8"}[t.dtype]


def full(sd: dict) -> dict:
    return {k: {"dtype": dtype_name(v), "shape": list(v.shape), "values": v.float().reshape(-1).tolist()}
            for k, v in sd.items()}


def checksums(sd: dict) -> dict:
    out = {}
    for k, v in sd.items():
        x = v.double().reshape(-1)
        w = torch.cos(torch.arange(x.numel(), dtype=torch.float64) * 0.1)
        out[k] = {"dtype": dtype_name(v), "shape": list(v.shape), "sum": x.sum().item(),
                  "weighted": (x * w).sum().item(), "first": v.float().reshape(-1)[:4].tolist()}
    return out


def write_yaml(path: Path, model_cfg: dict, instruments, target, chunk):
    # like ZFTurbo's files: tuples tagged !!python/tuple (yaml.dump of a tuple writes that tag)
    cfg = {"audio": {"chunk_size": chunk, "num_channels": 2 if model_cfg["stereo"] else 1, "sample_rate": 44100,
                     "min_mean_abs": 0.0},
           "model": model_cfg, "training": {"instruments": instruments, "target_instrument": target, "lr": 1.0e-05},
           "inference": {"batch_size": 1, "num_overlap": 2}}
    path.write_text(yaml.dump(cfg, sort_keys=False))


def fixed_info(name: str, compression: int = zipfile.ZIP_STORED) -> zipfile.ZipInfo:
    """A zip entry header with a fixed date, so regenerated fixtures are byte-identical."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = compression
    return info


def repack_zip64(src: Path, dst: Path):
    """The same archive with zip64 extra fields and a zip64 end record on every entry (what
    torch writes for files over 4 GiB), by making zipfile believe every size is over the limit."""
    old = zipfile.ZIP64_LIMIT
    zipfile.ZIP64_LIMIT = 0
    try:
        with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_STORED) as zout:
            for info in zin.infolist():
                with zout.open(info.filename, "w", force_zip64=True) as f:
                    f.write(zin.read(info.filename))
    finally:
        zipfile.ZIP64_LIMIT = old


def write_safetensors(path: Path, tensors: dict):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        code = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64"}[t.dtype]
        raw = t.contiguous().view(torch.uint8).numpy().tobytes() if t.dtype == torch.bfloat16 else \
            t.contiguous().numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)  # the spec pads the header with spaces to 8 bytes
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def main():
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    expected: dict = {}
    torch.manual_seed(20261123)

    toy = Toy().state_dict()
    torch.save(toy, str(OUT / "toy-plain.pth"))  # torch.save(model.state_dict())
    expected["toy-plain.pth"] = {"tensors": full(toy)}

    wrapped = {"state_dict": {f"module.{k}": v for k, v in toy.items()}}
    torch.save(wrapped, str(OUT / "toy-module-wrapped.ckpt"))
    expected["toy-module-wrapped.ckpt"] = {"tensors": full(toy)}

    extras = {"model": toy, "epoch": 17, "best_sdr": 12.9755, "big": 2 ** 40, "neg": -70000, "names": ["a", "b"],
              "flags": (True, False, None), "nested": {"x": 1.5}}
    torch.save(extras, str(OUT / "toy-model-key.pth"))
    expected["toy-model-key.pth"] = {"tensors": full(toy)}

    # what training loops keep next to the weights: numpy scalars (epoch metrics), an optimizer state
    torch.save({"model_state_dict": toy, "best_sdr": np.float64(12.97), "epoch": np.int64(317), "ok": np.bool_(True), "optimizer_state_dict": {"state": {}, "param_groups": [{"lr": 1e-3}]}},
               str(OUT / "toy-model-state-dict.pt"))
    expected["toy-model-state-dict.pt"] = {"tensors": full(toy)}

    for name, dt in (("fp16", torch.float16), ("bf16", torch.bfloat16), ("fp64", torch.float64)):
        sd = {k: v.to(dt) for k, v in toy.items()}
        torch.save(sd, str(OUT / f"toy-{name}.pth"))
        expected[f"toy-{name}.pth"] = {"tensors": full(sd)}

    base = torch.arange(60, dtype=torch.float32).reshape(6, 10) * 0.5 - 7
    views = {
        "transposed": base.t(),  # stride (1, 10)
        "rows": base[2:5],  # storage offset 20
        "stepped": base[1::2, 3:9:2],  # offset 13, stride (20, 2)
        "column": base[:, 7],  # offset 7, stride (10,)
        "expanded": torch.tensor([1.25, -2.5, 3.0]).expand(4, 3),  # stride (0, 1)
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 4),
        "half_view": base.half()[::3, ::4],
        "int64": torch.tensor([[1, -2], [2 ** 40, 7]], dtype=torch.int64),
        "flags": torch.tensor([True, False, True]),
    }
    torch.save(views, str(OUT / "views.pt"))  # 'rows', 'stepped', 'column', 'transposed' share one storage
    expected["views.pt"] = {"tensors": full(views)}

    repack_zip64(OUT / "toy-plain.pth", OUT / "toy-zip64.pth")
    expected["toy-zip64.pth"] = {"tensors": full(toy)}

    # what torch >= 2.1 writes on a big-endian machine: a byteorder entry saying "big" and swapped storages
    with zipfile.ZipFile(OUT / "toy-plain.pth") as zin, zipfile.ZipFile(OUT / "toy-big-endian.pth", "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if "/data/" in info.filename:
                data = np.frombuffer(data, dtype="<f4").astype(">f4").tobytes()
            zout.writestr(fixed_info(info.filename), data)
        zout.writestr(fixed_info("toy-plain/byteorder"), "big")
    expected["toy-big-endian.pth"] = {"tensors": full(toy)}

    # re-zipped by a tool that compresses (torch never does): deflated entries
    with zipfile.ZipFile(OUT / "toy-plain.pth") as zin, \
            zipfile.ZipFile(OUT / "toy-deflated.pth", "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(fixed_info(info.filename, zipfile.ZIP_DEFLATED), zin.read(info.filename))
    expected["toy-deflated.pth"] = {"tensors": full(toy)}

    torch.save(toy, str(OUT / "toy-legacy.pt"), _use_new_zipfile_serialization=False)
    expected["toy-legacy.pt"] = {"error": "legacy"}

    torch.save({"weight": torch.ones(2), "evil": Arbitrary()}, str(OUT / "arbitrary-class.pt"))
    expected["arbitrary-class.pt"] = {"error": "__main__.Arbitrary"}

    st = {"a.f32": torch.randn(2, 3), "b.f16": torch.randn(4).half(), "c.bf16": torch.randn(3, 1).bfloat16(),
          "d.f64": torch.randn(2).double(), "e.scalar": torch.tensor(0.75)}
    write_safetensors(OUT / "mixed.safetensors", st)
    expected["mixed.safetensors"] = {"tensors": full(st)}

    # Small BS- and Mel-Band-Roformers, saved as ZFTurbo's trainer saves them, with their yaml.
    for stem, cls, cfg, instruments, target, chunk, wrap in (
            ("tiny-bs", BSRoformer, TINY_BS, ["vocals", "other"], "vocals", 16 * 20, False),
            ("tiny-mel", MelBandRoformer, TINY_MEL, ["bass", "drums", "other"], None, 64 * 10, True)):
        model = cls(**cfg)
        sd = model.state_dict()
        obj = {"state_dict": {f"module.{k}": v for k, v in sd.items()}} if wrap else sd
        torch.save(obj, str(OUT / f"{stem}.ckpt"))
        write_yaml(OUT / f"{stem}.yaml", cfg, instruments, target, chunk)
        expected[f"{stem}.ckpt"] = {"checksums": checksums(sd), "count": len(sd)}
        if stem == "tiny-bs":  # the same weights as .safetensors (the ONNX built from it must be identical)
            write_safetensors(OUT / f"{stem}.safetensors", {k: v.contiguous() for k, v in sd.items()})
        # PyTorch's forward_spec for tests/unit/convert.test.ts (zero_dc: the upstream default, True)
        write_parity_vector(model, GOLDEN / f"ckpt-{stem}.parity.json", chunk // cfg["stft_hop_length"] + 1, stride=7)

    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")

    CONFIGS_OUT.mkdir(parents=True, exist_ok=True)
    for src in sorted(CONFIGS_IN.glob("*.yaml")):
        shutil.copyfile(src, CONFIGS_OUT / src.name)
    for src in sorted(CONFIGS_OUT.glob("*.yaml")):  # the upstream files + edge-cases.yaml (written by hand)
        data = yaml.load(src.read_text(), Loader=yaml.FullLoader)
        (CONFIGS_OUT / f"{src.stem}.expected.json").write_text(json.dumps(data, indent=1) + "\n")
    for extra in sorted(OUT.glob("*.yaml")):
        data = yaml.load(extra.read_text(), Loader=yaml.FullLoader)
        (OUT / f"{extra.stem}.expected.json").write_text(json.dumps(data, indent=1) + "\n")
    # what tools/convert.py's read_config and the model constructors make of each upstream config
    # (arguments with the constructors' defaults filled in), for tests/unit/model-config.test.ts
    import inspect
    from convert import read_config
    specs = {}
    for src in sorted(CONFIGS_IN.glob("*.yaml")):
        model_keys = yaml.load(src.read_text(), Loader=yaml.FullLoader)["model"]
        arch = "bs_roformer" if "freqs_per_bands" in model_keys else "mel_band_roformer"
        cfg = read_config(src, arch)
        cls = BSRoformer if arch == "bs_roformer" else MelBandRoformer
        bound = inspect.signature(cls.__init__).bind(None, **cfg["model"])
        bound.apply_defaults()
        args = {k: (list(v) if isinstance(v, tuple) else v) for k, v in bound.arguments.items()
                if k not in ("self", "training_only")}
        specs[src.name] = {"arch": arch, "stems": cfg["stems"], "residual": cfg["residual"],
                           "sample_rate": cfg["sample_rate"], "chunk_frames": cfg["chunk_frames"], "model": args}
    (CONFIGS_OUT / "read_config.expected.json").write_text(json.dumps(specs, indent=1) + "\n")
    # the model-section keys each Python class accepts (constructor arguments + training-only keys)
    from stemsafe_tools import bs_roformer, mel_band_roformer
    accepted = {}
    for arch, cls, module in (("bs_roformer", BSRoformer, bs_roformer), ("mel_band_roformer", MelBandRoformer,
                                                                       mel_band_roformer)):
        params = [k for k in inspect.signature(cls.__init__).parameters if k not in ("self", "training_only")]
        accepted[arch] = sorted(set(params) | set(module.TRAINING_ONLY_KEYS))
    (CONFIGS_OUT / "accepted_keys.expected.json").write_text(json.dumps(accepted, indent=1) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total} bytes, into {OUT}")


if __name__ == "__main__":
    main()
