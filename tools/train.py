#!/usr/bin/env python3
"""Train a small BS-Roformer on procedurally generated multitracks (stemsafe_tools.synth).

Runs on the CPU in bounded time (--minutes) and uses a CUDA GPU when there is one. Songs
are synthesised on the fly on the training device, so no data set is stored or moved.
The held-out evaluation songs come from tools/make_testset.py (CPU generator, its own
seeds), never from this stream.

Writes OUT/model.npz (state_dict), OUT/config.json (model + training facts), OUT/log.csv.

usage: python3 tools/train.py --out runs/x [--minutes 8] [--dim 64] [--depth 2] [--batch 16]
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
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402
from stemsafe_tools.synth import SR, STEMS, generate  # noqa: E402

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, default=8.0)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dim-head", type=int, default=16)
    ap.add_argument("--mlp-expansion", type=int, default=1)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--chunk-frames", type=int, default=201)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=20261122)
    args = ap.parse_args()

    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(args.seed)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    estimated = [s for s in STEMS if s != RESIDUAL]
    config = dict(dim=args.dim, depth=args.depth, stereo=True, num_stems=len(estimated), time_transformer_depth=1,
                  freq_transformer_depth=1, dim_head=args.dim_head, heads=args.heads, stft_n_fft=2048,
                  stft_hop_length=441, mlp_expansion_factor=args.mlp_expansion, mask_estimator_depth=2)
    model = BSRoformer(**config).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    gen = torch.Generator(device=device).manual_seed(args.seed)
    seconds = (args.chunk_frames - 1) * 441 / SR
    budget = args.minutes * 60
    started = time.time()
    step = 0
    log = open(out / "log.csv", "w", newline="")
    writer = csv.writer(log)
    writer.writerow(["step", "seconds", "lr", "loss"])
    use_bf16 = device == "cuda"
    print(f"device={device} params={n_params} chunk={seconds:.2f}s batch={args.batch}", flush=True)
    running = None
    while True:
        elapsed = time.time() - started
        if elapsed > budget:
            break
        frac = elapsed / budget
        lr = args.lr * min(1.0, (step + 1) / 200) * (0.5 * (1 + math.cos(math.pi * frac)) * 0.95 + 0.05)
        for group in opt.param_groups:
            group["lr"] = lr
        with torch.no_grad():
            stems = generate(args.batch, seconds, gen, device)  # [B, 4, 2, L]
            mix = stems.sum(dim=1)
        with torch.autocast(device_type="cuda", dtype=torch.bfloat16) if use_bf16 else contextlib.nullcontext():
            spec = model.stft(mix)
            masked = model.forward_spec(spec)
        est = model.istft(masked.float(), mix.shape[-1])  # [B, 3, 2, L]
        est_all = torch.cat([est, (mix - est.sum(dim=1))[:, None]], dim=1)
        loss = (est_all - stems).abs().mean() + multi_res_stft_loss(est_all, stems)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        running = loss.item() if running is None else 0.98 * running + 0.02 * loss.item()
        if step % 50 == 0:
            writer.writerow([step, round(time.time() - started, 1), f"{lr:.2e}", f"{running:.5f}"])
            log.flush()
        if step % 200 == 0:
            print(f"step {step} t={time.time() - started:.0f}s lr={lr:.2e} loss={running:.4f}", flush=True)
    wall = time.time() - started
    state = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    np.savez(out / "model.npz", **state)
    facts = dict(model=config, stems=list(STEMS), estimated=estimated, residual=RESIDUAL, chunk_frames=args.chunk_frames,
                 params=n_params, steps=step, batch=args.batch, seconds_per_example=seconds, wall_seconds=round(wall),
                 device=torch.cuda.get_device_name() if device == "cuda" else "cpu", final_loss=running,
                 examples_seen=step * args.batch, torch=torch.__version__, seed=args.seed)
    (out / "config.json").write_text(json.dumps(facts, indent=2) + "\n")
    print(json.dumps(facts), flush=True)


if __name__ == "__main__":
    main()
