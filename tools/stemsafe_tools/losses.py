"""Training loss: L1 on waveforms plus a multi-resolution STFT L1 (as ZFTurbo's multi_stft loss).

`reference_loss` is the definition, written the direct way (every stem's estimate and reference
through torch.stft); `separation_loss` computes the same value, and the same gradient, with far
less work on a CPU:

* The STFT is linear, so |STFT(est) - STFT(ref)| = |STFT(est - ref)|: only the error is
  transformed, once per resolution, not the estimate and the reference separately.
* The residual stem ("other" = mix - the estimated stems) has the error -(sum of the other
  stems' errors) whenever the references sum to the mix, so its spectrum is minus the sum of
  theirs: three transforms per resolution instead of eight.
* The STFT and its gradient are written out (`StftL1`): frames by a strided view, one real FFT,
  and in the backward pass the adjoint transform, one inverse real FFT and an overlap-add by
  F.fold. torch 1.13's own stft backward zero-pads the half spectrum and runs a full complex FFT,
  then scatters the frames back element by element.

tools/check_loss.py checks value and gradient against `reference_loss`.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

RESOLUTIONS = (4096, 2048, 1024, 512)
HOP = 147


def reference_loss(est: torch.Tensor, ref: torch.Tensor, sizes=RESOLUTIONS, hop: int = HOP) -> torch.Tensor:
    """est, ref [B, S, C, L] (every stem, the residual one included): mean |est - ref| plus, per
    resolution, the mean absolute difference of the real and imaginary parts of the STFTs."""
    loss = (est - ref).abs().mean()
    e = est.reshape(-1, est.shape[-1])
    r = ref.reshape(-1, ref.shape[-1])
    for n in sizes:
        win = torch.hann_window(n, device=est.device, dtype=est.dtype)
        kw = dict(n_fft=n, hop_length=hop, window=win, return_complex=True)
        loss = loss + (torch.view_as_real(torch.stft(e, **kw)) - torch.view_as_real(torch.stft(r, **kw))).abs().mean()
    return loss


def _frames(x: torch.Tensor, n: int, hop: int) -> torch.Tensor:
    """x [N, L] -> reflect-padded (center=True) frames [N, T, n] (a strided view)."""
    p = F.pad(x[:, None], (n // 2, n // 2), mode="reflect")[:, 0]
    t = 1 + (p.shape[-1] - n) // hop
    return p.as_strided((p.shape[0], t, n), (p.stride(0), hop, 1))


def _unpad_reflect(g: torch.Tensor, n: int, length: int) -> torch.Tensor:
    """Adjoint of reflect padding by n//2 on each side: g [N, length + n] -> [N, length]."""
    h = n // 2
    out = g[:, h:h + length].clone()
    # padded[h - k] = x[k] and padded[h + length - 1 + k] = x[length - 1 - k] for k = 1..h
    out[:, 1:h + 1] += g[:, :h].flip(-1)
    out[:, length - 1 - h:length - 1] += g[:, h + length:].flip(-1)
    return out


class StftL1(torch.autograd.Function):
    """Sum over |Re| + |Im| of the STFT of each stem's error and of the residual's error.

    err [N, K, L]: the errors of K stems (N = batch x channels); the residual stem's error is
    -err.sum(1). Returns the sum (not the mean) of |Re| + |Im| over all K + 1 spectra."""

    @staticmethod
    def forward(ctx, err: torch.Tensor, n: int, hop: int):
        N, K, L = err.shape
        win = torch.hann_window(n, device=err.device, dtype=err.dtype)
        spec = torch.fft.rfft(_frames(err.reshape(N * K, L), n, hop) * win, dim=-1)  # [N*K, T, F]
        spec = spec.reshape(N, K, *spec.shape[1:])
        resid = -spec.sum(1)
        re, im = torch.view_as_real(spec).unbind(-1)
        rre, rim = torch.view_as_real(resid).unbind(-1)
        total = re.abs().sum() + im.abs().sum() + rre.abs().sum() + rim.abs().sum()
        # gradient with respect to each stem's spectrum: its own sign minus the residual's sign
        g = torch.complex(re.sign() - rre.sign()[:, None], im.sign() - rim.sign()[:, None])
        ctx.save_for_backward(g, win)
        ctx.shape, ctx.n, ctx.hop = (N, K, L), n, hop
        return total

    @staticmethod
    def backward(ctx, grad_out):
        g, win = ctx.saved_tensors
        (N, K, L), n, hop = ctx.shape, ctx.n, ctx.hop
        # adjoint of the one-sided real FFT: x_j = Re sum_k g_k e^{+2 pi i jk/n} = n * irfft(g'),
        # g' = g with the bins strictly between DC and Nyquist halved
        g = g.reshape(N * K, *g.shape[2:])
        g[..., 1:n // 2] *= 0.5
        frames = torch.fft.irfft(g, n=n, dim=-1) * (n * win)  # [N*K, T, n]
        t = frames.shape[1]
        padded = F.fold(frames.transpose(1, 2), output_size=(1, (t - 1) * hop + n), kernel_size=(1, n),
                        stride=(1, hop))[:, 0, 0]
        padded = F.pad(padded, (0, L + n - padded.shape[-1]))
        grad = _unpad_reflect(padded, n, L).reshape(N, K, L)
        return grad * grad_out, None, None


def separation_loss(est: torch.Tensor, ref: torch.Tensor, sizes=RESOLUTIONS, hop: int = HOP) -> torch.Tensor:
    """est, ref [B, K, C, L]: the K estimated stems and their references, where the residual stem
    (mix - the estimated stems) is the remaining part of a mix that the references of all K + 1
    stems sum to. Equals reference_loss over all K + 1 stems."""
    B, K, C, L = est.shape
    err = (est - ref).permute(0, 2, 1, 3).reshape(B * C, K, L)
    count = B * (K + 1) * C
    loss = (err.abs().sum() + err.sum(1).abs().sum()) / (count * L)
    for n in sizes:
        t = 1 + L // hop
        loss = loss + StftL1.apply(err, n, hop) / (count * t * (n // 2 + 1) * 2)
    return loss


SDR_FLOOR = 1e-4  # -40 dB of the mix: the level below which the evaluation calls a stem silent


def sdr_loss(est: torch.Tensor, ref: torch.Tensor, mix: torch.Tensor, floor: float = SDR_FLOOR,
             pooled: bool = False, weights=None) -> torch.Tensor:
    """Minus the uSDR the evaluation measures, in dB, averaged over the songs and stems it scores.

    est, ref [B, K, C, L] as separation_loss (the residual stem's reference is mix - the K
    references, its error minus the sum of theirs); mix [B, C, L]. Per song and stem:
    -10 log10(|ref|^2 / |ref - est|^2), energies summed over channels and samples. The
    evaluation's metric is a ratio of squared errors, where the L1 losses above weigh every error
    alike whatever its size.

    As in the evaluation (trainer.usdr), a stem whose reference is below floor x |mix|^2 is not
    scored: its SDR is undefined, and the log of a near-zero error would outweigh every other
    term of the batch (tried: the loss swung between 1.7 and 4 dB and went NaN within 300 steps).
    Errors are floored at floor x |mix|^2 too, which bounds the gain from polishing an error
    already 40 dB down, and a silent mix is skipped.

    pooled: the batch's examples count as one song (energies summed over them too), as the
    evaluation sums a whole song: a stem silent in one example but present in another is scored,
    so what the model puts into a stem where it is silent counts as error (per example, it is
    not scored at all), and loud examples weigh more, as loud passages do in a song's uSDR.

    weights: one per stem (the K estimated, then the residual), or None for all 1: a weighted
    mean over the scored stems, so a stem weighted 2 counts as two stems of the batch."""
    if pooled:
        B, K, C, L = est.shape
        est = est.permute(1, 2, 0, 3).reshape(1, K, C, B * L)
        ref = ref.permute(1, 2, 0, 3).reshape(1, K, C, B * L)
        mix = mix.permute(1, 0, 2).reshape(1, C, B * L)
    err = est - ref
    err_all = torch.cat([err, -err.sum(1, keepdim=True)], dim=1)
    ref_all = torch.cat([ref, (mix - ref.sum(1))[:, None]], dim=1)
    e = floor * mix.pow(2).sum(dim=(-1, -2))[:, None]
    num = ref_all.pow(2).sum(dim=(-1, -2))
    den = err_all.pow(2).sum(dim=(-1, -2)) + e
    scored = (num > e) & (e > 0)
    ratio = torch.where(scored, den / torch.where(scored, num, torch.ones_like(num)), torch.ones_like(num))
    w = scored.to(ratio.dtype)
    if weights is not None:
        w = w * torch.as_tensor(weights, dtype=ratio.dtype, device=ratio.device)[None, :]
    return (10 * torch.log10(ratio) * w).sum() / w.sum().clamp(min=1e-12)  # nothing scored: 0 / tiny = 0
