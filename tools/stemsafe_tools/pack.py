"""Loader for the training pack written by tools/pack_train.py.

A pack is index.json + one Ogg Opus file per sample group. Bank decodes every group once
(stemsafe_tools.audio_io.decode: soundfile, torchaudio or ffmpeg; the decoded audio is cached
as float16 .npy under PACK/cache/), keeps the audio on the render device and exposes each
group's items (offset, length, MIDI note, velocity, drum role) as tensors and lists.

Copyleft sources (GPL-3 ALYS vocals, GPL-2 / CC BY-SA drum kits) are only loaded with
gpl=True; Bank.sources lists the licences of what was loaded, for the run's metadata.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .audio_io import SR, decode


@dataclass
class SampleGroup:
    name: str
    stem: str
    kind: str
    source: str
    audio: torch.Tensor  # [C, N] float32 on the device
    items: list  # dicts from index.json
    offset: torch.Tensor  # [I] long
    length: torch.Tensor  # [I] long
    f0: np.ndarray | None = None  # speech groups: pitch tracks (vocalize.f0_frames) of all items, end to end

    def item_f0(self, i: int) -> np.ndarray:
        it = self.items[i]
        return self.f0[it["f0_offset"]:it["f0_offset"] + it["f0_frames"]].astype(np.float32)

    def pick(self, rng, *, midi: float | None = None, vel: float | None = None, role: str | None = None,
             where=None) -> int:
        """Index of the item nearest to midi (semitones) and vel, among a role; ties and
        near-ties broken at random (round robin)."""
        cands = [i for i, it in enumerate(self.items) if (role is None or it.get("role") == role) and (where is None or where(it))]
        if not cands:
            raise KeyError(f"{self.name}: no item for role={role}")
        def cost(i):
            it = self.items[i]
            c = 0.0
            if midi is not None and it.get("midi") is not None:
                c += abs(it["midi"] - midi)
            if vel is not None and it.get("vel") is not None:
                c += 4.0 * abs(it["vel"] - vel)
            return c
        costs = sorted((cost(i), i) for i in cands)
        best = costs[0][0]
        near = [i for c, i in costs if c <= best + 0.6]
        return near[rng.randrange(len(near))]

    def roles(self) -> set:
        return {it.get("role") for it in self.items if it.get("role")}


class Bank:
    def __init__(self, folder: str | Path, device: str = "cpu", gpl: bool = False, cache: bool = True):
        self.folder = Path(folder)
        index_path = self.folder / "index.json"
        if not index_path.exists():
            raise FileNotFoundError(f"{index_path} not found: build a pack with tools/pack_train.py")
        self.index = json.loads(index_path.read_text())
        if self.index.get("sample_rate") != SR:
            raise ValueError(f"pack sample rate {self.index.get('sample_rate')} != {SR}")
        self.device, self.gpl = device, gpl
        self.groups: dict[str, SampleGroup] = {}
        sources = self.index["sources"]
        for name, g in self.index["groups"].items():
            src = sources[g["source"]]
            if src.get("copyleft") and not gpl:
                continue
            audio = self._load(name, g, cache)
            items = g["items"]
            f0_path = self.folder / "audio" / f"{name}.f0.npy"
            self.groups[name] = SampleGroup(
                name, g["stem"], g["kind"], g["source"], torch.from_numpy(audio).float().to(device), items,
                torch.tensor([it["offset"] for it in items], dtype=torch.long, device=device),
                torch.tensor([it["length"] for it in items], dtype=torch.long, device=device),
                np.load(f0_path) if f0_path.exists() else None)
        self.sources = {self.index["groups"][n]["source"]: sources[self.index["groups"][n]["source"]] for n in self.groups}

    def _load(self, name: str, g: dict, cache: bool) -> np.ndarray:
        st = (self.folder / g["file"]).stat()
        cached = self.folder / "cache" / f"{name}-{st.st_size}-{int(st.st_mtime)}.npy"  # a rebuilt pack is decoded again
        if cache and cached.exists():
            a = np.load(cached)
            if a.shape == (g["channels"], g["samples"]):
                return a
        a = decode(self.folder / g["file"], SR, channels=g["channels"])
        n = g["samples"]
        if a.shape[1] < n:  # codec delay handling can drop a few samples at the very end
            a = np.pad(a, ((0, 0), (0, n - a.shape[1])))
        a = a[:, :n].astype(np.float16)
        if cache:
            # written aside and renamed: another process reading the pack never sees a half-written file
            cached.parent.mkdir(exist_ok=True)
            partial = cached.with_name(f"{cached.stem}.{os.getpid()}.partial.npy")
            np.save(partial, a)
            os.replace(partial, cached)
        return a

    def by(self, stem: str, kind: str | None = None) -> list[SampleGroup]:
        return [g for g in self.groups.values() if g.stem == stem and (kind is None or g.kind == kind)]

    def licence_summary(self) -> dict:
        return summarize_licences(self.sources, self.gpl)


def summarize_licences(sources: dict, gpl: bool) -> dict:
    copyleft = sorted(k for k, s in sources.items() if s.get("copyleft"))
    return dict(gpl=gpl, copyleft_sources=copyleft,
                weights_licence="GPL-3.0 (trained with copyleft material)" if copyleft else
                "not restricted by the data (credit CC BY sources)", sources=sources)


def pack_sources(folder: str | Path, gpl: bool, skip_gpl2_only: bool = False) -> dict:
    """The licence records of the sources a Bank(folder, gpl=gpl) would load, read from index.json
    alone (no audio decoded); skip_gpl2_only: as renderer version 2 plays them."""
    index = json.loads((Path(folder) / "index.json").read_text())
    sources = index["sources"]
    used = {}
    for g in index["groups"].values():
        src = sources[g["source"]]
        if (src.get("copyleft") and not gpl) or (skip_gpl2_only and src.get("gpl2_only")):
            continue
        used[g["source"]] = src
    return used
