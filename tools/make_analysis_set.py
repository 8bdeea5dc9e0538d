#!/usr/bin/env python3
"""Labelled songs for measuring tempo and key estimation (scripts/eval-analysis.ts).

Writes OUT/<source>-<n>.wav (stereo mix, 16-bit, 44.1 kHz) and OUT/labels.json with each
song's tempo (BPM) and key (tonic pitch class, major/minor), from two generators whose
arrangement parameters are known exactly:
  * synth   — tools/stemsafe_tools/synth.py (procedural instruments), seeds from 7,000,000;
  * render  — tools/stemsafe_tools/render.py (real recorded instruments from a training pack,
              see tools/pack_train.py), seeds from 8,000,000. Needs --pack.
Seeds differ from training (train_seed) and validation seeds. These labels are the generators'
own: the tempo of the 16th-note grid and the key of the scale the parts are written in.

Rendered songs also carry their beats, downbeats and chords (scripts/eval-analysis.ts scores beat
tracking and chord recognition with them), from render.plan(seed), which render_song draws too:
  * "beats" / "downbeats": seconds of every quarter note / every bar's first quarter note within the
    file (Song.time(bar, step) for steps 0, 4, 8, 12 — swing only moves off-beat 8ths — minus the
    `pre` samples render_song cuts from the start: the first draw of random.Random(seed * 7919 + 1));
    the drums' humanising and push are not in the labels (a few ms).
  * "chords": [start, end, label] per half bar (Song.chords: scale degrees), the label in Harte/MIREX
    syntax ("A:min", "F:maj", "B:dim"): the triad theory.chord_degrees stacks on the degree in the
    song's key and scale. Consecutive half bars with one chord are one segment.

Without --in-key-vocals the rendered songs sing real phrases (the pack without GPL material has
no other singing), which are recordings in keys of their own shifted by up to 3 semitones: such
a song has no single key, and its key label is only the accompaniment's. --phrases-in-key shifts
each phrase into the song's key instead (render.fit_to_key: measured pitch, whole semitones, own
tuning corrected). --in-key-vocals (needs a pack built with --gpl) has the ALYS voice sing
melodies in the song's key instead of phrases.

usage: /usr/bin/python3 tools/make_analysis_set.py --out .analysis [--songs 24] [--seconds 20] [--pack .pack/train]
       [--first N] [--in-key-vocals | --phrases-in-key]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools import synth, theory  # noqa: E402
from stemsafe_tools.audio_io import write_wav  # noqa: E402

MINOR = tuple(theory.MINOR)


def synth_song(seed: int, seconds: float):
    # generate() draws the grid first and the progression next: redraw them with the same seed for the labels
    g = torch.Generator().manual_seed(seed)
    length = int(round(seconds * synth.SR))
    grid = synth.make_grid(g, 1, length, "cpu")
    root, scale, _ = theory.progression(g, 1, "cpu")
    bpm = float(15.0 / grid.step_dur.item())
    mode = "minor" if tuple(int(v) for v in scale[0].tolist()) == MINOR else "major"
    mix = synth.generate(1, seconds, torch.Generator().manual_seed(seed))[0].sum(0)
    return mix.numpy(), bpm, int(root.item()) % 12, mode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--songs", type=int, default=24, help="songs per generator")
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--pack", type=Path, help="training pack folder (tools/pack_train.py) for the realistic renderer")
    ap.add_argument("--first", type=int, default=0, help="first song index (a second, disjoint set: e.g. --first 100000)")
    ap.add_argument("--in-key-vocals", action="store_true", help="rendered songs: the ALYS voice in the song's key, no real phrases")
    ap.add_argument("--phrases-in-key", action="store_true", help="rendered songs: the real phrases shifted into the song's key")
    args = ap.parse_args()
    if args.in_key_vocals and args.phrases_in_key:
        ap.error("--in-key-vocals sings no phrases: choose one")
    args.out.mkdir(parents=True, exist_ok=True)
    labels = []
    for n in range(args.first, args.first + args.songs):
        seed = 7_000_000 + n
        mix, bpm, tonic, mode = synth_song(seed, args.seconds)
        name = f"synth-{n:03d}.wav"
        write_wav(args.out / name, mix.astype(np.float32))
        labels.append({"file": name, "source": "synth", "seed": seed, "bpm": round(bpm, 3), "tonic": tonic, "mode": mode})
        print(labels[-1], flush=True)
    if args.pack:
        from stemsafe_tools import render
        from stemsafe_tools.pack import Bank
        bank = Bank(args.pack, gpl=args.in_key_vocals)
        if args.in_key_vocals and "alys" not in bank.groups:
            raise SystemExit(f"--in-key-vocals needs the ALYS voice: rebuild {args.pack} with tools/pack_train.py --gpl")
        for n in range(args.first, args.first + args.songs):
            seed = 8_000_000 + n
            song = render.plan(seed, args.seconds + 1.0)
            mix = render.render_song(bank, seed, args.seconds, vocal_phrases=not args.in_key_vocals,
                                     phrases_in_key=args.phrases_in_key).sum(0).numpy()
            name = f"render-{n:03d}.wav"
            write_wav(args.out / name, mix.astype(np.float32))
            mode = "minor" if tuple(song.scale) == MINOR else "major"
            beats, downbeats, chords = song_timeline(song, seed, args.seconds, render.SR)
            labels.append({"file": name, "source": "render", "seed": seed, "bpm": round(song.bpm, 3), "tonic": song.key,
                           "mode": mode, "groove": song.groove, "vocals": "in key" if args.in_key_vocals else "phrases in key" if args.phrases_in_key else "phrases",
                           "beats": beats, "downbeats": downbeats, "chords": chords})
            print(labels[-1], flush=True)
    (args.out / "labels.json").write_text(json.dumps(labels, indent=1) + "\n")
    (args.out / "provenance.json").write_text(json.dumps(provenance(args), indent=1) + "\n")


NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


def chord_label(song, degree: int) -> str:
    """Harte label of the triad on a scale degree of the song's key: root and maj/min/dim."""
    notes = [song.key + theory.degree_semitones(song.scale, d) for d in theory.chord_degrees(degree)]
    third, fifth = (notes[1] - notes[0]) % 12, (notes[2] - notes[0]) % 12
    quality = "dim" if fifth == 6 else "maj" if third == 4 else "min"
    return f"{NOTE_NAMES[notes[0] % 12]}:{quality}"


def song_timeline(song, seed: int, seconds: float, sr: int):
    """Beats, downbeats (s) and chord segments of a rendered song within its file (see the docstring)."""
    import random
    pre = int(random.Random(seed * 7919 + 1).uniform(0, 1.0) * sr) / sr  # render_song's first draw
    beats, downbeats, chords = [], [], []
    for bar in range(len(song.sections)):
        for q in range(4):
            t = song.time(bar, 4 * q) - pre
            if 0 <= t < seconds:
                beats.append(round(t, 4))
                if q == 0:
                    downbeats.append(round(t, 4))
        for half in range(2):
            start = max(0.0, song.time(bar, 8 * half) - pre)
            end = min(seconds, song.time(bar, 8 * half + 8) - pre)
            if end <= start:
                continue
            label = chord_label(song, song.chord(bar, 8 * half))
            if chords and chords[-1][2] == label and abs(chords[-1][1] - round(start, 4)) < 1e-3:
                chords[-1][1] = round(end, 4)
            else:
                chords.append([round(start, 4), round(end, 4), label])
    return beats, downbeats, chords


def provenance(args) -> dict:
    """What wrote the set: the command, the commit of tools/ and whether it had uncommitted changes
    (a set rendered by a working copy cannot be re-rendered from a commit), and the pack's index
    hash. Printed by npm run eval:analysis."""
    import hashlib
    import subprocess
    tools = Path(__file__).resolve().parent

    def git(*cmd):
        try:
            return subprocess.run(["git", *cmd], cwd=tools, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return None
    status = git("status", "--porcelain", "--", str(tools))
    index = args.pack / "index.json" if args.pack else None
    return {"command": " ".join(sys.argv), "commit": git("rev-parse", "HEAD"),
            "tools_modified": None if status is None else bool(status),
            "pack_index_sha256": hashlib.sha256(index.read_bytes()).hexdigest() if index and index.exists() else None}


if __name__ == "__main__":
    main()
