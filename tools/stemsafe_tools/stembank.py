"""Stem bank: 4-stem songs rendered once (stemsafe_tools.render), stored for training.

Training reads crops of these songs and remixes them (stemsafe_tools.augment) instead of
rendering songs while it trains: rendering costs about as much CPU per second of audio as a
training step, so a run that renders as it goes spends half its time on data.

Layout of a bank folder (git-ignored, built by tools/build_bank.py):
  bank.json                 what was rendered: pack, seeds, song length, renderer version, licences
  shard-00000.pcm.npy       int16 [songs, 4, 2, samples] (vocals, drums, bass, other)
  shard-00000.scale.npy     float32 [songs, 4]: the amplitude of full scale for each stem
Each shard is written aside and renamed into place, so a half-written shard is never read and
a build that was stopped resumes where it was. The songs come from seeds BANK_SEED_BASE + k, a
range that neither validation songs (render.VALIDATION_SEED_BASE..) nor the per-step training
seeds of earlier runs (render.train_seed) overlap with.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

STEMS = ("vocals", "drums", "bass", "other")
BANK_SEED_BASE = 920_000_000


def bank_seed(k: int) -> int:
    return BANK_SEED_BASE + k


def shard_paths(folder: Path, index: int) -> tuple[Path, Path]:
    return folder / f"shard-{index:05d}.pcm.npy", folder / f"shard-{index:05d}.scale.npy"


def quantize(stems: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """stems float [S, 4, 2, L] -> (int16 pcm, float32 scale [S, 4]); pcm * scale / 32767 = stems."""
    peak = np.abs(stems).max(axis=(2, 3)).astype(np.float32)
    scale = np.where(peak > 0, peak, 1.0).astype(np.float32)
    pcm = np.round(stems / scale[:, :, None, None] * 32767).astype(np.int16)
    return pcm, scale


def write_shard(folder: Path, index: int, stems: np.ndarray) -> None:
    pcm, scale = quantize(stems)
    pcm_path, scale_path = shard_paths(folder, index)
    for path, array in ((scale_path, scale), (pcm_path, pcm)):  # the pcm file last: its presence marks a shard done
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial.npy")
        np.save(partial, array)
        os.replace(partial, path)


class StemBank:
    """Read-only view of one or more bank folders: songs as memory-mapped int16 stems."""

    def __init__(self, folders):
        self.folders = [Path(f) for f in ([folders] if isinstance(folders, (str, Path)) else folders)]
        self.pcm, self.scale, self.meta = [], [], []
        self.refresh()

    def refresh(self) -> int:
        """(Re)scan the folders for finished shards; returns the number of songs."""
        pcm, scale, meta = [], [], []
        for folder in self.folders:
            info = json.loads((folder / "bank.json").read_text())
            meta.append(info)
            for index in range(info["shards_planned"]):
                p, s = shard_paths(folder, index)
                if p.exists() and s.exists():
                    pcm.append(np.load(p, mmap_mode="r"))
                    scale.append(np.load(s))
        self.pcm, self.scale, self.meta = pcm, scale, meta
        self.songs = [(i, j) for i, a in enumerate(pcm) for j in range(a.shape[0])]
        self.length = min((a.shape[-1] for a in pcm), default=0)
        return len(self.songs)

    def seconds(self) -> float:
        return sum(a.shape[0] * a.shape[-1] for a in self.pcm) / 44100.0

    def crop(self, song: int, stem: int, start: int, length: int) -> np.ndarray:
        """float32 [2, length] of one stem of song number `song` from sample `start`."""
        i, j = self.songs[song]
        x = np.asarray(self.pcm[i][j, stem, :, start:start + length], dtype=np.float32)
        return x * (self.scale[i][j, stem] / 32767.0)

    def licences(self) -> list:
        return [m.get("training_data") for m in self.meta]
