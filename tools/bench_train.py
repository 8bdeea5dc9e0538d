#!/usr/bin/env python3
"""Training benchmark: wall seconds per training example of the shipped architecture, split into
data, forward (with the loss), backward and optimizer, for the training path before the stem
bank and for today's, in one run, and their ratios.

Paths (each in its own process, since BLAS and malloc are chosen when a process starts):
  before, fresh machine  what tools/train.py did on a machine with only Debian's python3-torch
                         (reference BLAS, libblas3) and default settings: songs rendered from the
                         pack while training (a pool of clips, a quarter of a batch re-rendered
                         every step), float32, every stem through torch.stft in the loss.
  before + OpenBLAS      the same with OpenBLAS (libopenblas0-pthread) as the BLAS.
  now                    tools/train.py: crops of a stem bank remixed by augment.Mixer, bf16
                         matrix products, the exact fast loss (losses.separation_loss), malloc
                         settings (cpu.tune_process), 2 threads.
  now, 1 thread          the same on one thread (what a run gets while the test suite runs).

Needs a pack (tools/pack_train.py) for the old path and a stem bank for the new one; without a
bank it builds a small one in a temporary folder. Every figure on a shared machine is noisy:
run it on an idle machine, compare the ratios within one run, and repeat (--repeat).

usage: /usr/bin/python3 tools/bench_train.py [--pack .pack/train] [--bank .bank/main] [--repeat 1]
       (npm run bench:train)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
sys.path.insert(0, str(TOOLS))
REFERENCE_BLAS = ["/usr/lib/x86_64-linux-gnu/blas", "/usr/lib/x86_64-linux-gnu/lapack"]
BATCH = 4
PHASES = ("data", "forward", "backward", "optimizer")


def blas_in_use() -> str:
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            if "blas" in line or "lapack" in line:
                libs.add(line.split()[-1])
    return ", ".join(sorted(libs)) or "none"


class OldPool:
    """tools/train.py's data before the stem bank: a pool of clips cut from songs
    rendered while training (12 s songs, 4 crops each); every step re-renders batch/4 clips and
    draws half whole songs, half remixes (random gain, channel swap)."""

    def __init__(self, bank, batch: int, length: int, seed: int):
        import numpy as np
        import torch
        from stemsafe_tools import render
        self.np, self.torch, self.render = np, torch, render
        self.bank, self.length, self.seed, self.songs = bank, length, seed, 0
        self.gen = torch.Generator().manual_seed(seed)
        self.spare = []
        self.refresh_count = max(1, batch // 4)
        # train.py's pool held 32 x batch clips; its size changes no per-step cost, so the benchmark
        # renders a quarter of that to start sooner
        self.clips = torch.stack([self._clip() for _ in range(8 * batch)]).half()
        self.next_slot = 0

    def _clip(self):
        if not self.spare:
            seed = self.render.train_seed(self.seed, self.songs)
            self.songs += 1
            song = self.render.render_song(self.bank, seed, 12.0, "cpu")
            rng = self.np.random.default_rng(seed)
            for start in rng.integers(0, song.shape[-1] - self.length + 1, 4):
                self.spare.append(song[..., start:start + self.length])
        return self.spare.pop(0)

    def batch(self, size: int):
        torch = self.torch
        with torch.no_grad():
            fresh = torch.stack([self._clip() for _ in range(self.refresh_count)]).half()
            idx = (torch.arange(self.refresh_count) + self.next_slot) % self.clips.shape[0]
            self.clips[idx] = fresh
            self.next_slot = int((self.next_slot + self.refresh_count) % self.clips.shape[0])
            g, p = self.gen, self.clips.shape[0]
            song = torch.randint(0, p, (size, 1), generator=g)
            other = torch.randint(0, p, (size, 4), generator=g)
            remix = torch.rand((size, 1), generator=g) < 0.5
            pick = torch.where(remix, other, song.expand(size, 4))
            stems = self.clips[pick, torch.arange(4)[None, :]].float()
            gain_db = torch.where(remix[..., None, None], -9 + 12 * torch.rand((size, 4, 1, 1), generator=g),
                                  torch.zeros((size, 4, 1, 1)))
            stems = stems * 10 ** (gain_db / 20)
            swap = torch.rand((size, 4, 1, 1), generator=g) < 0.5
            stems = torch.where(swap & remix[..., None, None], stems.flip(2), stems)
            peak = stems.sum(dim=1).abs().amax(dim=(1, 2)).clamp(min=1e-6)
            level = 10 ** ((-12 * torch.rand((size,), generator=g)) / 20)
            return stems * (0.95 * level / peak)[:, None, None, None]


def measure(path: str, pack: str, bank: str, steps: int, data_steps: int) -> dict:
    """Runs in the child process: time `steps` training steps (after one warm-up step)."""
    import numpy as np
    import torch
    from stemsafe_tools import trainer
    from stemsafe_tools.pack import Bank
    length = 200 * 441
    if path.startswith("now"):
        torch.set_num_threads(1 if path.endswith("1 thread") else 2)
        from stemsafe_tools.augment import Mixer
        from stemsafe_tools.stembank import StemBank
        mixer = Mixer(StemBank(bank), length, seed=1)
        next_batch = lambda: mixer.batch(BATCH)  # noqa: E731
        run_step = lambda m, o, s: trainer.step(m, o, s, bf16=True)  # noqa: E731
    else:
        pool = OldPool(Bank(pack, "cpu", gpl=True), BATCH, length, seed=1)
        next_batch = lambda: pool.batch(BATCH)  # noqa: E731
        run_step = trainer.legacy_step
    torch.manual_seed(0)
    model = trainer.make_model()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=1e-4)
    totals = dict.fromkeys(PHASES, 0.0)
    data_times = []
    for _ in range(data_steps):  # the data phase alone, over more steps (rendering comes in bursts)
        t0 = time.time()
        next_batch()
        data_times.append(time.time() - t0)
    run_step(model, opt, next_batch())  # warm-up
    for _ in range(steps):
        _, phases = run_step(model, opt, next_batch())
        for k, v in phases.items():
            totals[k] += v
    per = {k: totals[k] / (steps * BATCH) for k in PHASES[1:]}
    per["data"] = float(np.mean(data_times)) / BATCH
    return dict(path=path, threads=torch.get_num_threads(), blas=blas_in_use(),
                malloc_tuned=bool(os.environ.get("MALLOC_MMAP_THRESHOLD_")), per_example=per,
                total=sum(per.values()))


def child_env(path: str) -> dict:
    from stemsafe_tools.cpu import MALLOC_ENV
    env = {k: v for k, v in os.environ.items() if k not in MALLOC_ENV}
    env["STEMSAFE_NO_MALLOC_TUNING"] = "1"
    if path == "before, fresh machine":
        env["LD_LIBRARY_PATH"] = ":".join(REFERENCE_BLAS)
    if path.startswith("now"):
        env.update(MALLOC_ENV)
    return env


def ensure_bank(bank: str | None, pack: str, tmp: str) -> str:
    if bank and Path(bank, "bank.json").exists():
        return bank
    out = Path(tmp) / "bank"
    print(f"no stem bank given: building a small one in {out} (2 shards of 4 x 10 s songs)", flush=True)
    subprocess.run([sys.executable, str(TOOLS / "build_bank.py"), "--out", str(out), "--pack", pack, "--gpl",
                    "--hours", str(2 * 4 * 10 / 3600), "--song-seconds", "10", "--songs-per-shard", "4"],
                   check=True, stdout=subprocess.DEVNULL)
    return str(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default=str(ROOT / ".pack" / "train"))
    ap.add_argument("--bank", default=str(ROOT / ".bank" / "main"))
    ap.add_argument("--old-steps", type=int, default=3)
    ap.add_argument("--new-steps", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--paths", nargs="*", default=["before, fresh machine", "before + OpenBLAS", "now", "now, 1 thread"])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        steps = args.new_steps if args.child.startswith("now") else args.old_steps
        print(json.dumps(measure(args.child, args.pack, args.bank, steps, data_steps=8)))
        return
    if not Path(args.pack, "index.json").exists():
        sys.exit(f"no pack at {args.pack}: /usr/bin/python3 tools/pack_train.py {args.pack} --gpl")
    if not Path(REFERENCE_BLAS[0], "libblas.so.3").exists():
        sys.exit("the reference BLAS (Debian libblas3) is not installed: bash scripts/ensure-training-deps.sh")
    with tempfile.TemporaryDirectory() as tmp:
        bank = ensure_bank(args.bank, args.pack, tmp)
        print(f"batch {BATCH} x 2.0 s, BS-Roformer dim 64 depth 3 (5.3M parameters); "
              f"pack {args.pack}, bank {bank}", flush=True)
        runs = []
        for rep in range(args.repeat):
            for path in args.paths:
                t0 = time.time()
                out = subprocess.run([sys.executable, __file__, "--child", path, "--pack", args.pack, "--bank", bank,
                                      "--old-steps", str(args.old_steps), "--new-steps", str(args.new_steps)],
                                     env=child_env(path), capture_output=True, text=True)
                if out.returncode != 0:
                    sys.exit(f"{path}: failed\n{out.stderr[-3000:]}")
                r = json.loads(out.stdout.strip().splitlines()[-1])
                r["repeat"] = rep
                runs.append(r)
                print(f"  [{rep + 1}/{args.repeat}] {path}: {r['total']:.3f} s per example ({time.time() - t0:.0f} s; "
                      f"{r['threads']} thread(s), BLAS {r['blas']}, malloc tuned: {r['malloc_tuned']})", flush=True)
    print("\nwall seconds per training example (batch of 4, 2 s each), mean over repeats:\n")
    print("| path | data | forward + loss | backward | optimizer | total | speed-up vs fresh machine |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    means = {}
    for path in args.paths:
        rs = [r for r in runs if r["path"] == path]
        means[path] = {k: sum(r["per_example"][k] for r in rs) / len(rs) for k in PHASES}
        means[path]["total"] = sum(r["total"] for r in rs) / len(rs)
    base = means.get("before, fresh machine", {}).get("total")
    for path in args.paths:
        m = means[path]
        ratio = f"{base / m['total']:.1f}x" if base else "-"
        print(f"| {path} | {m['data']:.3f} | {m['forward']:.3f} | {m['backward']:.3f} | {m['optimizer']:.3f} | "
              f"{m['total']:.3f} | {ratio} |")
    if args.repeat > 1:
        print("\nspread of the total over repeats (min-max): " + "; ".join(
            f"{p}: {min(r['total'] for r in runs if r['path'] == p):.3f}-{max(r['total'] for r in runs if r['path'] == p):.3f}"
            for p in args.paths))
    if "before + OpenBLAS" in means and "now" in means:
        print(f"\nnow vs before + OpenBLAS: {means['before + OpenBLAS']['total'] / means['now']['total']:.1f}x")


if __name__ == "__main__":
    main()
