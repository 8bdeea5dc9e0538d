#!/usr/bin/env python3
"""How the mix's energy is shared among the stems, band by band: eval-real, the stem bank as
stored, and the training examples the mixer makes from it (stemsafe_tools.augment.Mixer, with
the options a run would give it). Prints, for each set, every stem's energy per band relative
to the song's whole mix (dB), the bass's share of each band, and how much of the bass's energy
lies below each band's upper edge.

eval-real is only *measured* here (evaluation use); nothing is fitted or trained on it.

usage: /usr/bin/python3 tools/mix_balance.py [--bank .bank/main] [--examples 120]
       [--mixer '{"bass_tone": 0.8, "vocal_low_cut": 0.5}'] [--eval-real ../shared/eval-real]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.audio_io import SR, decode  # noqa: E402
from stemsafe_tools.augment import Mixer  # noqa: E402
from stemsafe_tools.stembank import STEMS, StemBank  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EDGES = [0, 40, 60, 80, 120, 160, 250, 400, 630, 1000, 2000, 4000, 8000, 22050]


def band_power(x: np.ndarray, n: int = 4096) -> np.ndarray:
    """x [2, L] -> power per band of EDGES (Hann frames of n, no overlap)."""
    usable = x.shape[-1] // n * n
    spec = np.abs(np.fft.rfft(x[:, :usable].reshape(x.shape[0], -1, n) * np.hanning(n), axis=-1)) ** 2
    power = spec.sum(axis=(0, 1))
    f = np.fft.rfftfreq(n, 1 / SR)
    return np.array([power[(f >= lo) & (f < hi)].sum() for lo, hi in zip(EDGES[:-1], EDGES[1:])])


def balance(songs: list) -> dict:
    """songs: [{stem: [2, L]}] -> mean over songs of each stem's band power / the song's total power."""
    acc = {s: np.zeros(len(EDGES) - 1) for s in STEMS}
    for song in songs:
        bands = {s: band_power(song[s]) for s in STEMS}
        total = sum(b.sum() for b in bands.values())
        for s in STEMS:
            acc[s] += bands[s] / total
    return {s: v / len(songs) for s, v in acc.items()}


def report(name: str, bal: dict) -> None:
    print(f"\n{name}: energy per band relative to the whole mix, dB (band lower edges in Hz)")
    print(f"{'':>22}" + "".join(f"{lo:>7}" for lo in EDGES[:-1]))
    for s in STEMS:
        print(f"{s:>22}" + "".join(f"{10 * np.log10(max(v, 1e-12)):7.1f}" for v in bal[s]))
    total = sum(bal.values())
    print(f"{'bass share of band':>22}" + "".join(f"{v:7.2f}" for v in bal["bass"] / total))
    print(f"{'bass below upper edge':>22}" + "".join(f"{v:7.2f}" for v in np.cumsum(bal["bass"]) / bal["bass"].sum()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bank", default=str(ROOT / ".bank" / "main"))
    ap.add_argument("--examples", type=int, default=120, help="bank songs and training examples to measure")
    ap.add_argument("--mixer", default='{"bass_tone": 0.8, "vocal_low_cut": 0.5}',
                    help="Mixer options (JSON) for the second set of training examples")
    ap.add_argument("--eval-real", default=str(ROOT.parent / "shared" / "eval-real"))
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()

    er = Path(args.eval_real)
    if er.exists():
        real = [{s: decode(er / song / f"{s}.flac", channels=2) for s in STEMS}
                for song in sorted(d.name for d in er.iterdir() if (d / "mixture.flac").exists())]
        report(f"eval-real ({len(real)} songs)", balance(real))
    bank = StemBank(args.bank)
    rng = np.random.default_rng(args.seed)
    picks = rng.choice(len(bank.songs), min(args.examples, len(bank.songs)), replace=False)
    report(f"bank {args.bank} as stored ({len(picks)} songs)",
           balance([{s: bank.crop(int(k), i, 0, bank.length) for i, s in enumerate(STEMS)} for k in picks]))
    for label, options in (("training examples, default mixer", {}), (f"training examples, mixer {args.mixer}", json.loads(args.mixer))):
        mixer = Mixer(bank, 2 * SR, args.seed, {"lossy": 0.0, **options})
        examples = [mixer.example() for _ in range(args.examples)]
        examples = [e for e in examples if np.abs(e[2]).max() > 0]  # songs with a bass
        report(f"{label} ({len(examples)} with a bass)", balance([{s: e[i] for i, s in enumerate(STEMS)} for e in examples]))


if __name__ == "__main__":
    main()
