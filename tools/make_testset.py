#!/usr/bin/env python3
"""Write the held-out evaluation songs: OUT/song-NN/{mixture,vocals,drums,bass,other}.wav
(float32 WAV, 44.1 kHz stereo; the four stems sum exactly to the mixture).

The songs come from the same procedural generator as training (stemsafe_tools.synth) but
from CPU torch.Generators seeded 9_000_000, 9_000_001, ... (a song with a silent stem is
skipped, so every stem's uSDR is defined; each song's seed is in its seed.txt). Training draws its songs from one
generator seeded once per run (20261122 and 7 for the shipped model, on CUDA), so no
held-out song appears in training; they share only the generator's style.

usage: /usr/bin/python3 tools/make_testset.py [OUT=.eval/testset] [--songs 16] [--seconds 12]
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.synth import SR, STEMS, generate  # noqa: E402

SEED_BASE = 9_000_000
SILENT_DB = -40.0  # a stem this far below the mixture counts as absent; such songs are skipped


def write_wav_f32(path: Path, audio: np.ndarray) -> None:
    """audio [channels, samples] -> IEEE float WAV (format 3) with a fact chunk."""
    ch, n = audio.shape
    data = np.ascontiguousarray(audio.T.astype("<f4")).tobytes()
    fmt = (3).to_bytes(2, "little") + ch.to_bytes(2, "little") + SR.to_bytes(4, "little") + \
        (SR * ch * 4).to_bytes(4, "little") + (ch * 4).to_bytes(2, "little") + (32).to_bytes(2, "little") + \
        (0).to_bytes(2, "little")
    fact = n.to_bytes(4, "little")
    body = b"WAVE" + b"fmt " + len(fmt).to_bytes(4, "little") + fmt + b"fact" + (4).to_bytes(4, "little") + fact + \
        b"data" + len(data).to_bytes(4, "little") + data
    path.write_bytes(b"RIFF" + len(body).to_bytes(4, "little") + body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default=".eval/testset")
    ap.add_argument("--songs", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=12.0)
    args = ap.parse_args()
    out = Path(args.out)
    seed = SEED_BASE
    for n in range(args.songs):
        while True:  # uSDR is meaningless for a silent reference: every stem must be present
            g = torch.Generator().manual_seed(seed)
            seed += 1
            stems = generate(1, args.seconds, g, "cpu")[0].numpy()  # [4, 2, L]
            energy = (stems.astype(np.float64) ** 2).sum(axis=(1, 2))
            mix_energy = (stems.sum(axis=0).astype(np.float64) ** 2).sum()
            if (10 * np.log10(energy / mix_energy + 1e-30) > SILENT_DB).all():
                break
        song = out / f"song-{n:02d}"
        song.mkdir(parents=True, exist_ok=True)
        for name, audio in zip(STEMS, stems):
            write_wav_f32(song / f"{name}.wav", audio)
        write_wav_f32(song / "mixture.wav", stems.sum(axis=0))
        (song / "seed.txt").write_text(f"{seed - 1}\n")
        print(song, seed - 1, flush=True)


if __name__ == "__main__":
    main()
