#!/usr/bin/env python3
"""Build a stem bank (stemsafe_tools.stembank): render 4-stem songs from seeds once, for training.

Songs come from stemsafe_tools.render (version 2, real sung phrases moved into the song's key)
over a pack from tools/pack_train.py, from the seeds
stembank.bank_seed(0), (1), ...; the same pack, renderer and seeds give the same bank. Shards
already present are kept, so a stopped build resumes; several processes (--workers) render
shards side by side. bank.json records the pack's index hash, the renderer's source hash and
commit, the seeds and the licences of the material.

usage: /usr/bin/python3 tools/build_bank.py --out .bank/main --pack .pack/train --gpl [--hours 3] [--workers 1]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools import stembank  # noqa: E402

TOOLS = Path(__file__).resolve().parent
RENDER_VERSION = 2  # stemsafe_tools.render: the stem bank's renderer (version 1 made the analysis test sets)
RENDERER_FILES = ("render.py", "fx.py", "theory.py", "pack.py", "vocalize.py", "amp.py", "pitch.py")


def source_hash() -> str:
    h = hashlib.sha256()
    for name in RENDERER_FILES:
        path = TOOLS / "stemsafe_tools" / name
        if path.exists():
            h.update(name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:16]


def git_commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=TOOLS, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


_bank = None


def _init(pack: str, gpl: bool, threads: int) -> None:
    global _bank
    import torch
    from stemsafe_tools.pack import Bank
    torch.set_num_threads(threads)
    _bank = Bank(pack, "cpu", gpl=gpl)


def _render_shard(out: str, index: int, per_shard: int, seconds: float) -> tuple[int, float]:
    import numpy as np
    from stemsafe_tools import render
    t0 = time.time()
    songs = [render.render_song(_bank, stembank.bank_seed(index * per_shard + j), seconds, "cpu", phrases_in_key=True,
                                version=RENDER_VERSION).numpy() for j in range(per_shard)]
    stembank.write_shard(Path(out), index, np.stack(songs))
    return index, time.time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--pack", required=True)
    ap.add_argument("--gpl", action="store_true", help="use the pack's copyleft material (weights trained on it: GPL-3)")
    ap.add_argument("--hours", type=float, default=3.0, help="total length of the songs")
    ap.add_argument("--song-seconds", type=float, default=20.0)
    ap.add_argument("--songs-per-shard", type=int, default=16)
    ap.add_argument("--workers", type=int, default=1, help="rendering processes")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from stemsafe_tools.pack import pack_sources, summarize_licences
    shards = max(1, round(args.hours * 3600 / (args.song_seconds * args.songs_per_shard)))
    info = dict(version=1, renderer_version=RENDER_VERSION, stems=list(stembank.STEMS), sample_rate=44100, song_seconds=args.song_seconds,
                songs_per_shard=args.songs_per_shard, shards_planned=shards,
                seeds=f"stembank.bank_seed(k) = {stembank.BANK_SEED_BASE} + k, k = 0..{shards * args.songs_per_shard - 1}",
                pack=str(args.pack), pack_index_sha256=hashlib.sha256((Path(args.pack) / "index.json").read_bytes()).hexdigest(),
                renderer_sha256=source_hash(), commit=git_commit(), gpl=args.gpl,
                training_data=summarize_licences(pack_sources(args.pack, args.gpl, skip_gpl2_only=True), args.gpl),
                command=" ".join(sys.argv))
    meta_path = out / "bank.json"
    if meta_path.exists():
        old = json.loads(meta_path.read_text())
        for key in ("song_seconds", "songs_per_shard", "pack_index_sha256", "renderer_sha256", "gpl"):
            if old.get(key) != info[key]:
                sys.exit(f"{out} was built with {key}={old.get(key)!r}, now {info[key]!r}: use a new folder")
    meta_path.write_text(json.dumps(info, indent=1) + "\n")
    todo = [i for i in range(shards) if not all(p.exists() for p in stembank.shard_paths(out, i))]
    print(f"{out}: {shards} shards of {args.songs_per_shard} x {args.song_seconds:g} s planned, {len(todo)} to render "
          f"with {args.workers} process(es)", flush=True)
    t0 = time.time()
    import multiprocessing as mp
    with mp.get_context("spawn").Pool(args.workers, initializer=_init, initargs=(args.pack, args.gpl, args.threads)) as pool:
        jobs = [pool.apply_async(_render_shard, (str(out), i, args.songs_per_shard, args.song_seconds)) for i in todo]
        for done, job in enumerate(jobs, 1):
            index, seconds = job.get()
            audio = args.songs_per_shard * args.song_seconds
            print(f"shard {index} ({audio / seconds:.1f} s of audio per second) {done}/{len(todo)}, "
                  f"{(time.time() - t0) / 60:.1f} min", flush=True)
    print(f"done: {out}, {shards * args.songs_per_shard * args.song_seconds / 3600:.2f} h of songs", flush=True)


if __name__ == "__main__":
    from stemsafe_tools.cpu import tune_process
    tune_process()
    main()
