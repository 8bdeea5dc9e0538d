#!/usr/bin/env python3
"""Train a small BS-Roformer on procedurally generated multitracks (stemsafe_tools.synth).

Runs on the CPU in bounded time (--minutes) and uses a CUDA GPU when there is one. Songs
are synthesised on the training device into a pool that is partly refreshed every step;
each batch is half whole songs and half remixes (every stem from a different song, random
gain and channel swap), the usual source-separation augmentation. No data set is stored.
The held-out evaluation songs come from tools/make_testset.py (its own seed range, CPU),
never from this stream.

The forward pass is stemsafe_tools.grouped (bands batched; same parameters and result as
the reference modules, see tools/check_grouped.py), which is what makes GPU training fast.

Writes OUT/model.npz (state_dict, also saved every --save-every seconds), OUT/config.json
(model + training facts), OUT/log.csv. --init continues from an earlier model.npz.

--data pack --pack DIR trains on songs rendered from real recordings instead
(stemsafe_tools.render over a pack from tools/pack_train.py): songs are rendered from seeds
of this run's range, cropped into the pool, and a validation set is rendered once from the
disjoint seed range render.VALIDATION_SEED_BASE.. and scored (uSDR per stem) every
--val-every seconds and at the end into OUT/val.csv. --gpl admits the pack's copyleft
material (GPL-3 vocals): the run's config.json then says the weights must be GPL-3.
--run NAME writes to tools/runs/NAME (config, log.csv, val.csv, stdout); the weights
(model.npz) are not meant to be committed.

usage: python3 tools/train.py --out runs/x [--minutes 8] [--dim 64] [--depth 2] [--batch 16]
       python3 tools/train.py --run NAME --data pack --pack .pack/train [--gpl] [--minutes 30]
"""
import argparse
import contextlib
import csv
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools import grouped  # noqa: E402
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402
from stemsafe_tools.synth import SR, STEMS, generate  # noqa: E402

RUNS = Path(__file__).resolve().parent / "runs"

RESIDUAL = "other"  # not estimated: mix minus the other stems


def multi_res_stft_loss(est, ref, sizes=(4096, 2048, 1024, 512)):
    """L1 between complex STFTs at several resolutions (as ZFTurbo's multi_stft loss)."""
    est = est.reshape(-1, est.shape[-1])
    ref = ref.reshape(-1, ref.shape[-1])
    loss = 0.0
    for n in sizes:
        win = torch.hann_window(n, device=est.device)
        kw = dict(n_fft=n, hop_length=147, window=win, return_complex=True)
        loss = loss + (torch.view_as_real(torch.stft(est, **kw)) - torch.view_as_real(torch.stft(ref, **kw))).abs().mean()
    return loss


class SongPool:
    """Synthesised clips [P, 4, 2, L] (float16) on the training device, refreshed a little every step."""

    def __init__(self, size: int, seconds: float, gen: torch.Generator, device: str, make_batch: int = 64, make=None):
        """make(count) -> stems [count, 4, 2, L]; default: the procedural generator (synth.generate)."""
        self.seconds, self.gen, self.device = seconds, gen, device
        self.make = make or (lambda count: generate(count, seconds, gen, device))
        parts = []
        for start in range(0, size, make_batch):
            parts.append(self.make(min(make_batch, size - start)).half())
        self.clips = torch.cat(parts)
        self.next_slot = 0

    def refresh(self, count: int) -> None:
        if count <= 0:
            return
        fresh = self.make(count).half()
        idx = (torch.arange(count, device=self.device) + self.next_slot) % self.clips.shape[0]
        self.clips[idx] = fresh
        self.next_slot = int((self.next_slot + count) % self.clips.shape[0])

    def batch(self, size: int) -> torch.Tensor:
        """Half whole songs, half remixes; returns stems [B, 4, 2, L] float32, peak of the mix <= 0.95."""
        p, n_stems = self.clips.shape[0], self.clips.shape[1]
        g, dev = self.gen, self.device
        song = torch.randint(0, p, (size, 1), generator=g, device=dev)
        other = torch.randint(0, p, (size, n_stems), generator=g, device=dev)
        remix = (torch.rand((size, 1), generator=g, device=dev) < 0.5)
        pick = torch.where(remix, other, song.expand(size, n_stems))  # [B, 4]
        stems = self.clips[pick, torch.arange(n_stems, device=dev)[None, :]].float()  # [B, 4, 2, L]
        gain_db = torch.where(remix[..., None, None], -9 + 12 * torch.rand((size, n_stems, 1, 1), generator=g, device=dev),
                              torch.zeros((size, n_stems, 1, 1), device=dev))
        stems = stems * 10 ** (gain_db / 20)
        swap = torch.rand((size, n_stems, 1, 1), generator=g, device=dev) < 0.5
        stems = torch.where(swap & remix[..., None, None], stems.flip(2), stems)
        peak = stems.sum(dim=1).abs().amax(dim=(1, 2)).clamp(min=1e-6)
        level = 10 ** ((-12 * torch.rand((size,), generator=g, device=dev)) / 20)  # overall level -12..0 dB
        return stems * (0.95 * level / peak)[:, None, None, None]


_worker_bank = None


def _init_render_worker(pack: str, gpl: bool) -> None:
    global _worker_bank
    from stemsafe_tools.pack import Bank
    torch.set_num_threads(1)
    _worker_bank = Bank(pack, "cpu", gpl=gpl)


def _render_worker(seed: int, seconds: float) -> torch.Tensor:
    from stemsafe_tools import render
    return render.render_song(_worker_bank, seed, seconds, "cpu").half()


class RenderedSongs:
    """make(count) for SongPool from the sample renderer: songs of song_seconds rendered from this
    run's seeds (render.train_seed), each cut into `crops` clips of `seconds` at random offsets.
    With workers > 0 the songs are rendered by that many CPU processes ahead of time (on a GPU
    machine the renderer's small ops run faster on CPU cores in parallel than one by one on the GPU)."""

    def __init__(self, bank, seconds: float, song_seconds: float, crops: int, run_seed: int, device: str,
                 workers: int = 0, pack: str = "", gpl: bool = False):
        self.bank, self.seconds, self.song_seconds, self.crops = bank, seconds, song_seconds, crops
        self.run_seed, self.device, self.songs = run_seed, device, 0
        self.spare, self.pending, self.pool = [], [], None
        if workers > 0:
            import multiprocessing as mp
            self.pool = mp.get_context("spawn").Pool(workers, initializer=_init_render_worker, initargs=(pack, gpl))
            self.ahead = 2 * workers

    def _next_song(self):
        from stemsafe_tools import render
        if self.pool is None:
            seed = render.train_seed(self.run_seed, self.songs)
            self.songs += 1
            return seed, render.render_song(self.bank, seed, self.song_seconds, self.device)
        while len(self.pending) < self.ahead:
            seed = render.train_seed(self.run_seed, self.songs)
            self.songs += 1
            self.pending.append((seed, self.pool.apply_async(_render_worker, (seed, self.song_seconds))))
        seed, res = self.pending.pop(0)
        return seed, res.get().to(self.device).float()

    def __call__(self, count: int) -> torch.Tensor:
        L = int(round(self.seconds * SR))
        while len(self.spare) < count:
            seed, song = self._next_song()
            rng = np.random.default_rng(seed)
            for start in rng.integers(0, song.shape[-1] - L + 1, self.crops):
                self.spare.append(song[..., start:start + L])
        out, self.spare = torch.stack(self.spare[:count]), self.spare[count:]
        return out

    def close(self):
        if self.pool is not None:
            self.pool.terminate()


def usdr(est: torch.Tensor, ref: torch.Tensor, mix: torch.Tensor) -> torch.Tensor:
    """uSDR in dB per song and stem [B, S]; NaN where the reference is silent (< -40 dB of the mix)."""
    num = ref.pow(2).sum(dim=(-1, -2))
    den = (ref - est).pow(2).sum(dim=(-1, -2)).clamp(min=1e-10)
    value = 10 * torch.log10(num.clamp(min=1e-10) / den)
    silent = num < mix.pow(2).sum(dim=(-1, -2))[:, None] * 1e-4
    return torch.where(silent, torch.full_like(value, float("nan")), value)


def validate(model, stems: torch.Tensor, batch: int = 4) -> dict:
    """Mean uSDR per stem over validation songs [V, 4, 2, L] (other = mix - the estimated stems)."""
    scores = []
    model.eval()
    with torch.no_grad():
        for i in range(0, stems.shape[0], batch):
            ref = stems[i:i + batch]
            mix = ref.sum(dim=1)
            est = model.istft(grouped.forward_spec(model, model.stft(mix)).float(), mix.shape[-1])
            est_all = torch.cat([est, (mix - est.sum(dim=1))[:, None]], dim=1)
            scores.append(usdr(est_all, ref, mix))
    model.train()
    s = torch.cat(scores)
    per_stem = {name: float(torch.nanmean(s[:, k])) for k, name in enumerate(STEMS)}
    per_stem["mean"] = float(np.nanmean(list(per_stem.values())))
    return per_stem


def save_state(model, path: Path) -> None:
    state = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, **state)
    tmp.replace(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", help="output folder (or --run)")
    ap.add_argument("--run", help="run name: writes to tools/runs/NAME")
    ap.add_argument("--data", choices=("synth", "pack"), default="synth", help="procedural generator or sample renderer")
    ap.add_argument("--pack", help="pack folder from tools/pack_train.py (--data pack)")
    ap.add_argument("--gpl", action="store_true", help="use the pack's copyleft material (GPL-3 vocals): weights become GPL-3")
    ap.add_argument("--song-seconds", type=float, default=12.0, help="rendered song length (--data pack)")
    ap.add_argument("--crops", type=int, default=4, help="training clips cut from each rendered song")
    ap.add_argument("--render-workers", type=int, default=0, help="CPU processes rendering songs ahead (--data pack)")
    ap.add_argument("--val-songs", type=int, default=16)
    ap.add_argument("--val-seconds", type=float, default=6.0)
    ap.add_argument("--val-every", type=float, default=300.0, help="seconds between validations")
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: only the time budget)")
    ap.add_argument("--minutes", type=float, default=8.0)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dim-head", type=int, default=16)
    ap.add_argument("--mlp-expansion", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--chunk-frames", type=int, default=201)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup", type=int, default=200, help="steps of linear learning-rate warm-up")
    ap.add_argument("--pool", type=int, default=0, help="clips in the song pool (default 32 x batch)")
    ap.add_argument("--refresh", type=int, default=0, help="clips re-synthesised per step (default batch/4)")
    ap.add_argument("--save-every", type=float, default=60.0, help="seconds between checkpoint saves")
    ap.add_argument("--init", help="model.npz to continue from (same model options)")
    ap.add_argument("--profile-steps", type=int, default=0, help="time the phases of this many steps and print")
    ap.add_argument("--seed", type=int, default=20261122)
    args = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(args.seed)
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    if not args.out and not args.run:
        ap.error("give --out or --run")
    out = Path(args.out) if args.out else RUNS / args.run
    out.mkdir(parents=True, exist_ok=True)
    bank = val = None
    if args.data == "pack":
        from stemsafe_tools import render
        from stemsafe_tools.pack import Bank
        if not args.pack:
            ap.error("--data pack needs --pack DIR")
        bank = Bank(args.pack, device, gpl=args.gpl)
        val, val_seeds = render.validation_songs(bank, args.val_songs, args.val_seconds, device)
        print(f"pack {args.pack}: {len(bank.groups)} sample groups; {args.val_songs} validation songs "
              f"(seeds {render.VALIDATION_SEED_BASE}..) rendered", flush=True)
    estimated = [s for s in STEMS if s != RESIDUAL]
    config = dict(dim=args.dim, depth=args.depth, stereo=True, num_stems=len(estimated), time_transformer_depth=1,
                  freq_transformer_depth=1, dim_head=args.dim_head, heads=args.heads, stft_n_fft=2048,
                  stft_hop_length=441, mlp_expansion_factor=args.mlp_expansion, mask_estimator_depth=2,
                  zero_dc=False)  # bsr-4stem-synth was trained without upstream's DC zeroing
    model = BSRoformer(**config).to(device)
    if args.init:
        state = np.load(args.init)
        model.load_state_dict({k: torch.from_numpy(state[k]) for k in state.files})
        print(f"continuing from {args.init}", flush=True)
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    seconds = (args.chunk_frames - 1) * 441 / SR
    budget = args.minutes * 60
    started = time.time()
    pool_size = args.pool or 32 * args.batch
    refresh = args.refresh or max(1, args.batch // 4)
    make = RenderedSongs(bank, seconds, args.song_seconds, args.crops, args.seed, device, args.render_workers,
                         args.pack, args.gpl) if bank else None
    pool = SongPool(pool_size, seconds, gen, device, make=make)
    if device == "cuda":
        torch.cuda.synchronize()
    pool_seconds = time.time() - started
    print(f"device={device} params={n_params} chunk={seconds:.2f}s batch={args.batch} pool={pool_size} "
          f"(made in {pool_seconds:.1f}s) refresh={refresh}/step", flush=True)
    step = 0
    log = open(out / "log.csv", "w", newline="")
    writer = csv.writer(log)
    writer.writerow(["step", "seconds", "lr", "loss"])
    use_bf16 = device == "cuda"
    running = None
    last_save = time.time()
    last_val = time.time()
    val_log = None
    if val is not None:
        val_log = open(out / "val.csv", "w", newline="")
        val_writer = csv.writer(val_log)
        val_writer.writerow(["step", "seconds", *STEMS, "mean"])

    def run_validation():
        scores = validate(model, val)
        val_writer.writerow([step, round(time.time() - started, 1)] + [f"{scores[k]:.3f}" for k in (*STEMS, "mean")])
        val_log.flush()
        print(f"validation step {step}: " + " ".join(f"{k} {v:.2f}" for k, v in scores.items()), flush=True)
        return scores
    phases = {"data": 0.0, "forward": 0.0, "loss": 0.0, "backward+step": 0.0}

    def mark(name, since):
        if step < args.profile_steps:
            if device == "cuda":
                torch.cuda.synchronize()
            now = time.time()
            phases[name] += now - since
            return now
        return since

    while True:
        elapsed = time.time() - started
        if elapsed > budget or (args.steps and step >= args.steps):
            break
        frac = elapsed / budget
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * (0.5 * (1 + math.cos(math.pi * frac)) * 0.95 + 0.05)
        for group in opt.param_groups:
            group["lr"] = lr
        t0 = mark("data", time.time())
        with torch.no_grad():
            pool.refresh(refresh)
            stems = pool.batch(args.batch)  # [B, 4, 2, L]
            mix = stems.sum(dim=1)
        t0 = mark("data", t0)
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16) if use_bf16 else contextlib.nullcontext():
            spec = model.stft(mix)
            masked = grouped.forward_spec(model, spec)
        t0 = mark("forward", t0)
        est = model.istft(masked.float(), mix.shape[-1])  # [B, 3, 2, L]
        est_all = torch.cat([est, (mix - est.sum(dim=1))[:, None]], dim=1)
        loss = (est_all - stems).abs().mean() + multi_res_stft_loss(est_all, stems)
        t0 = mark("loss", t0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        t0 = mark("backward+step", t0)
        step += 1
        if args.profile_steps and step == args.profile_steps:
            print("profile (s per step): " + ", ".join(f"{k} {v / step:.4f}" for k, v in phases.items()), flush=True)
        if step % 10 == 0 or running is None:
            value = loss.item()
            running = value if running is None else 0.9 * running + 0.1 * value
        if step % 50 == 0:
            writer.writerow([step, round(time.time() - started, 1), f"{lr:.2e}", f"{running:.5f}"])
            log.flush()
        if step % 500 == 0:
            print(f"step {step} t={time.time() - started:.0f}s lr={lr:.2e} loss={running:.4f}", flush=True)
        if val is not None and time.time() - last_val > args.val_every:
            run_validation()
            last_val = time.time()
        if time.time() - last_save > args.save_every:
            save_state(model, out / "model.npz")
            last_save = time.time()
    wall = time.time() - started
    save_state(model, out / "model.npz")
    val_scores = run_validation() if val is not None else None
    if make is not None:
        make.close()
    if running is None:
        running = loss.item() if step else None
    facts = dict(model=config, stems=list(STEMS), estimated=estimated, residual=RESIDUAL, chunk_frames=args.chunk_frames,
                 params=n_params, steps=step, batch=args.batch, seconds_per_example=seconds, wall_seconds=round(wall),
                 device=torch.cuda.get_device_name() if device == "cuda" else "cpu", final_loss=running,
                 examples_seen=step * args.batch, pool=pool_size, refresh_per_step=refresh,
                 clips_synthesised=pool_size + step * refresh, torch=torch.__version__, seed=args.seed,
                 init=args.init, lr=args.lr, data=args.data, argv=sys.argv[1:])
    if bank is not None:
        facts.update(pack=str(args.pack), pack_index_version=bank.index.get("version"), song_seconds=args.song_seconds,
                     crops_per_song=args.crops, songs_rendered=make.songs, render_workers=args.render_workers, validation=dict(
                         songs=args.val_songs, seconds=args.val_seconds, seeds=val_seeds,
                         usdr_db=val_scores), training_data=bank.licence_summary())
    (out / "config.json").write_text(json.dumps(facts, indent=2) + "\n")
    print(json.dumps(facts), flush=True)


if __name__ == "__main__":
    main()
