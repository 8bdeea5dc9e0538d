#!/usr/bin/env python3
"""Check stemsafe_tools.losses.separation_loss against reference_loss: same value and same
gradient (relative error), on random stems with the residual stem as mix - estimates, and time
both (forward + backward) on a training batch. Also check sdr_loss (train.py --loss sdr) against
the evaluation's uSDR (trainer.usdr): minus its mean over the scored songs and stems, a silent
stem and a silent song left out, with a finite gradient.

In float64 the two agree to rounding (1e-12). In float32 the gradients differ by about 1e-4
(relative): L1's gradient is the sign of each spectral difference, and where a difference is
within rounding of zero, STFT(est) - STFT(ref) and STFT(est - ref) can round to opposite signs.

usage: /usr/bin/python3 tools/check_loss.py [--batch 4] [--seconds 2]
"""
import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.losses import reference_loss, sdr_loss, separation_loss  # noqa: E402
from stemsafe_tools.trainer import usdr  # noqa: E402


def compare(batch: int, length: int, seed: int = 0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    stems = (torch.randn((batch, 4, 2, length), generator=g) * torch.rand((batch, 4, 1, 1), generator=g)).to(dtype)
    mix = stems.sum(1)
    est3 = (stems[:, :3] + 0.3 * torch.randn((batch, 3, 2, length), generator=g).to(dtype)).requires_grad_(True)
    est_all = torch.cat([est3, (mix - est3.sum(1))[:, None]], dim=1)
    t0 = time.time()
    ref_value = reference_loss(est_all, stems)
    ref_value.backward()
    t_ref = time.time() - t0
    ref_grad = est3.grad.clone()
    est3.grad = None
    t0 = time.time()
    value = separation_loss(est3, stems[:, :3])
    value.backward()
    t_new = time.time() - t0
    rel_value = abs(float(value) - float(ref_value)) / abs(float(ref_value))
    rel_grad = float((est3.grad - ref_grad).norm() / ref_grad.norm())
    return rel_value, rel_grad, t_ref, t_new


def check_sdr(seed: int = 0) -> tuple[float, bool]:
    """|sdr_loss + mean uSDR| on three songs: one whole, one without vocals, one silent; and with
    pooled=True, on the three end to end as one song."""
    g = torch.Generator().manual_seed(seed)
    stems = torch.randn((3, 4, 2, 5000), generator=g, dtype=torch.float64) * torch.rand((3, 4, 1, 1), generator=g, dtype=torch.float64)
    stems[1, 0] = 0
    stems[2] = 0
    mix = stems.sum(1)
    est = (stems[:, :3] + 0.3 * torch.randn((3, 3, 2, 5000), generator=g, dtype=torch.float64)).requires_grad_(True)
    est_all = torch.cat([est, (mix - est.sum(1))[:, None]], dim=1)
    expected = -torch.nanmean(usdr(est_all, stems, mix)[:2])  # the silent song scores nothing
    value = sdr_loss(est, stems[:, :3], mix, floor=1e-12)
    value.backward()
    diff, finite = abs(float(value - expected)), bool(torch.isfinite(est.grad).all())
    # pooled: the three songs end to end are one song
    whole = lambda x: x.permute(1, 2, 0, 3).reshape(1, x.shape[1], 2, -1)  # noqa: E731
    est.grad = None
    expected = -torch.nanmean(usdr(whole(est_all), whole(stems), mix.permute(1, 0, 2).reshape(1, 2, -1)))
    value = sdr_loss(est, stems[:, :3], mix, floor=1e-12, pooled=True)
    value.backward()
    return max(diff, abs(float(value - expected))), finite and bool(torch.isfinite(est.grad).all())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=2.0)
    args = ap.parse_args()
    ok = True
    for batch, length in ((1, 5000), (2, 12345), (1, 44100)):
        rv, rg, _, _ = compare(batch, length, seed=batch, dtype=torch.float64)
        print(f"float64, batch {batch}, {length} samples: value rel. error {rv:.1e}, gradient rel. error {rg:.1e}")
        ok &= rv < 1e-12 and rg < 1e-12
    rv, rg, t_ref, t_new = compare(args.batch, int(args.seconds * 44100))
    print(f"float32, batch {args.batch} x {args.seconds} s: value rel. error {rv:.1e}, gradient rel. error {rg:.1e}; "
          f"forward+backward {t_ref:.2f} s (reference) vs {t_new:.2f} s, {t_ref / t_new:.1f}x")
    ok &= rv < 1e-5 and rg < 1e-3
    diff, finite = check_sdr()
    print(f"sdr_loss vs the evaluation's uSDR: difference {diff:.1e} dB, gradient {'finite' if finite else 'NOT FINITE'}")
    ok &= diff < 1e-9 and finite
    print("OK" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
