#!/usr/bin/env python3
"""Each stem's level against the rest of its song (dB, RMS over the whole song), for a test set
of song folders (mixture + vocals, drums, bass, other as .wav or .flac), and, with --bank, the
same measure over training examples as the mixer makes them (stemsafe_tools.augment.Mixer, with
the options a run gives it): how often a stem sits far below the others.

A stem far below the rest is where uSDR goes negative: whatever leaks into it from the loud
stems outweighs the stem itself. eval-real is only measured here; nothing is fitted to it.

usage: /usr/bin/python3 tools/stem_levels.py [--testset ../shared/eval-real]
       /usr/bin/python3 tools/stem_levels.py --bank .bank/main [--examples 300] [--mixer '{"bass_tone": 0.8}']
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.audio_io import decode  # noqa: E402

STEMS = ("vocals", "drums", "bass", "other")


def below_rest(stems: np.ndarray) -> list[float | None]:
    """stems [4, C, L]: each stem's energy over the sum of the other three's, in dB (None: silent)."""
    out = []
    for s in range(len(stems)):
        own = float(np.mean(stems[s] ** 2))
        rest = float(np.mean((stems.sum(0) - stems[s]) ** 2))
        out.append(10 * np.log10(own / rest) if own > 1e-12 and rest > 1e-12 else None)
    return out


def read(folder: Path, name: str) -> np.ndarray:
    path = folder / f"{name}.wav"
    return decode(path if path.exists() else folder / f"{name}.flac")


def testset(path: Path) -> None:
    print(f"stem level against the rest of the song, dB ({path}):\n")
    print(f"| song | {' | '.join(STEMS)} |")
    print(f"|---|{'---:|' * len(STEMS)}")
    for song in sorted(p for p in path.iterdir() if p.is_dir()):
        stems = [read(song, s) for s in STEMS]
        n = min(x.shape[-1] for x in stems)
        levels = below_rest(np.stack([x[:, :n] for x in stems]))
        print(f"| {song.name} | {' | '.join('silent' if v is None else f'{v:.1f}' for v in levels)} |")


def bank_examples(banks: list[str], examples: int, mixer_options: dict, seed: int) -> None:
    from stemsafe_tools.augment import Mixer
    from stemsafe_tools.stembank import StemBank
    mixer = Mixer(StemBank(banks), 88200, seed, mixer_options or None)
    levels: dict[int, list[float]] = {s: [] for s in range(len(STEMS))}
    for _ in range(examples):
        for s, v in enumerate(below_rest(mixer.example())):
            if v is not None:
                levels[s].append(v)
    print(f"{examples} training examples of 2 s (seed {seed}, mixer options {mixer_options}):\n")
    print("| stem | scored | below -12 dB | below -18 dB | 5th / 50th / 95th percentile, dB |")
    print("|---|---:|---:|---:|---|")
    for s, name in enumerate(STEMS):
        x = np.array(levels[s])
        p = np.percentile(x, [5, 50, 95])
        print(f"| {name} | {len(x)} | {100 * np.mean(x < -12):.1f} % | {100 * np.mean(x < -18):.1f} % | "
              f"{p[0]:.1f} / {p[1]:.1f} / {p[2]:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--testset", default=None)
    ap.add_argument("--bank", nargs="+")
    ap.add_argument("--examples", type=int, default=300)
    ap.add_argument("--mixer", default="{}", help="Mixer options as JSON, e.g. '{\"bass_tone\": 0.8, \"quiet\": 0.2}'")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.bank:
        bank_examples(args.bank, args.examples, json.loads(args.mixer), args.seed)
    if args.testset or not args.bank:
        testset(Path(args.testset or "../shared/eval-real"))


if __name__ == "__main__":
    main()
