"""Mixing effects in torch (CPU or CUDA) for rendered tracks [C, L]: sample playback with
pitch shifting, EQ, compression, distortion, reverb, panning and a bus limiter.

All effects are applied to whole tracks (a few seconds) at once: EQ and reverb in the
frequency domain, compression and limiting from frame envelopes, so nothing runs a per-sample
Python loop and everything runs on the GPU.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

SR = 44100


def play(out: torch.Tensor, audio: torch.Tensor, src_off, src_len, start, ratio, gain, pan=None, gate=None,
         release=None, semis_mod=None, max_len: int = SR * 4, chunk_elems: int = 1 << 22) -> None:
    """Add sample playbacks into out [2, L] in place.

    audio [C, N] holds the source samples; per event (1-D tensors/lists of equal length E):
    src_off/src_len (source samples), start (output sample), ratio (playback rate: 2**(semitones/12)),
    gain, pan (-1..1, constant power; a stereo source is balanced), gate (output samples before the
    release starts; None: play to the end of the sample), release (seconds of the exponential release).
    semis_mod, if given, is a function (event index tensor [e], time index [M] in output samples) ->
    [e, M] pitch offset in semitones (vibrato, glides), read with a variable rate pointer.
    Linear interpolation; events are processed in chunks of at most chunk_elems samples.
    """
    dev = out.device
    L = out.shape[1]
    as_t = lambda v, dt=torch.float32: torch.as_tensor(v, dtype=dt, device=dev)  # noqa: E731
    src_off, src_len, start = as_t(src_off, torch.long), as_t(src_len, torch.long), as_t(start, torch.long)
    ratio, gain = as_t(ratio), as_t(gain)
    E = len(start)
    if E == 0:
        return
    pan = as_t(pan if pan is not None else [0.0] * E)
    gate = as_t(gate if gate is not None else [1e12] * E)
    release = as_t(release if release is not None else [0.05] * E)
    dur = torch.minimum((src_len.float() / ratio.clamp(min=1e-3)).long(), torch.full_like(src_len, max_len))
    dur = torch.minimum(dur, (gate + release * SR * 1.5).long().clamp(min=1))
    dur = torch.minimum(dur, (L - start).clamp(min=0))
    order = torch.argsort(dur, descending=True)
    C = audio.shape[0]
    i = 0
    while i < E:
        m = int(dur[order[i]].item())
        if m <= 0:
            break
        n = max(1, min(E - i, chunk_elems // max(m, 1)))
        idx = order[i:i + n]
        i += n
        j = torch.arange(m, device=dev, dtype=torch.float32)[None, :]
        if semis_mod is not None:
            rate = ratio[idx, None] * 2.0 ** (semis_mod(idx, j) / 12.0)
            pos = torch.cumsum(rate, dim=1) - rate
        else:
            pos = j * ratio[idx, None]
        valid = (pos < (src_len[idx, None] - 1).float()) & (j < dur[idx, None].float())
        pos = torch.minimum(pos, (src_len[idx, None] - 2).clamp(min=0).float())
        i0 = pos.long()
        frac = pos - i0
        g0 = (src_off[idx, None] + i0).clamp(0, audio.shape[1] - 2)
        env = torch.where(j < gate[idx, None], torch.ones_like(j), torch.exp(-(j - gate[idx, None]) / (release[idx, None] * SR / 5)))
        env = env * valid * gain[idx, None]
        # 2 ms fade-in against clicks when a sample starts mid-waveform
        env = env * (j / 88.0).clamp(max=1.0)
        angle = (pan[idx] + 1) * math.pi / 4
        pg = torch.stack([torch.cos(angle), torch.sin(angle)]) * math.sqrt(2)  # [2, n]
        dst = (start[idx, None] + j.long()).clamp(max=L - 1)
        for ch in range(2):
            src = audio[min(ch, C - 1)]
            val = (src[g0] * (1 - frac) + src[g0 + 1] * frac) * env * pg[ch][:, None]
            out[ch].index_add_(0, dst.reshape(-1), val.reshape(-1))


def _freqs(n: int, dev) -> torch.Tensor:
    return torch.fft.rfftfreq(n, 1 / SR).to(dev)


def eq_curve(f: torch.Tensor, rng, *, hp: float = 30.0, amount: float = 1.0) -> torch.Tensor:
    """Random smooth EQ magnitude over frequencies f: 2nd-order-like high-pass, low and high shelves,
    one or two peaks (dB ranges scaled by amount)."""
    lf = torch.log2(f.clamp(min=1.0))
    gain_db = torch.zeros_like(f)
    lo_f, lo_g = rng.uniform(80, 400), rng.uniform(-6, 6) * amount
    gain_db += lo_g / (1 + (f / lo_f) ** 2)
    hi_f, hi_g = rng.uniform(2500, 10000), rng.uniform(-8, 5) * amount
    gain_db += hi_g / (1 + (hi_f / f.clamp(min=1.0)) ** 2)
    for _ in range(rng.choice((1, 2))):
        pf, pg, bw = rng.uniform(150, 6000), rng.uniform(-6, 6) * amount, rng.uniform(0.3, 1.5)
        gain_db += pg * torch.exp(-0.5 * ((lf - math.log2(pf)) / bw) ** 2)
    mag = 10 ** (gain_db / 20)
    return mag / torch.sqrt(1 + (hp / f.clamp(min=1e-3)) ** 4)


def filt(x: torch.Tensor, curve_fn) -> torch.Tensor:
    """Zero-phase filtering of x [C, L] by a magnitude curve_fn(freqs) -> [F]."""
    n = x.shape[-1]
    spec = torch.fft.rfft(x, dim=-1)
    return torch.fft.irfft(spec * curve_fn(_freqs(n, x.device)), n=n, dim=-1)


def envelope_db(x: torch.Tensor, hop: int = 256, win_frames: int = 4) -> torch.Tensor:
    """RMS envelope in dB per hop frame (both channels), smoothed over win_frames."""
    L = x.shape[-1]
    pad = (-L) % hop
    p = F.pad(x.pow(2).mean(0)[None, None], (0, pad))
    frames = F.avg_pool1d(p, hop, hop)
    if win_frames > 1:
        frames = F.avg_pool1d(F.pad(frames, (win_frames // 2, win_frames - 1 - win_frames // 2), mode="replicate"), win_frames, 1)
    return 10 * torch.log10(frames[0, 0] + 1e-10)


def frames_to_samples(g: torch.Tensor, hop: int, L: int) -> torch.Tensor:
    return F.interpolate(g[None, None], scale_factor=hop, mode="linear", align_corners=False)[0, 0, :L]


def compress(x: torch.Tensor, threshold_db: float, ratio: float, release_frames: int = 20, makeup: bool = True) -> torch.Tensor:
    """Feed-forward compressor: gain from the smoothed RMS envelope above threshold (dB, relative to
    the track's peak RMS), with a max-pool hold as attack and an average as release."""
    hop = 256
    env = envelope_db(x, hop, 2)
    env = env - env.max()
    over = (env - threshold_db).clamp(min=0)
    red = over * (1 - 1 / ratio)
    k = release_frames | 1
    red = F.max_pool1d(red[None, None], 3, 1, 1)
    red = F.avg_pool1d(F.pad(red, (k // 2, k // 2), mode="replicate"), k, 1)[0, 0]
    gain = 10 ** (-red / 20)
    if makeup:
        gain = gain / gain.max().clamp(min=1e-3) * 10 ** (float(red.mean()) / 40)
    return x * frames_to_samples(gain, hop, x.shape[-1])[None]


def distort(x: torch.Tensor, drive_db: float, rng) -> torch.Tensor:
    """Guitar amp: high-passed input, soft clipping (tanh, slightly asymmetric), cabinet low-pass."""
    pre = filt(x, lambda f: 1 / torch.sqrt(1 + (rng.uniform(100, 400) / f.clamp(min=1e-3)) ** 2))
    pre = pre / (pre.abs().max() + 1e-6)
    drive = 10 ** (drive_db / 20)
    y = torch.tanh(drive * pre + 0.1) - math.tanh(0.1)
    cab_f = rng.uniform(3000, 6000)
    return filt(y, lambda f: 1 / (1 + (f / cab_f) ** 4))


def reverb_ir(rng, seconds: float, rt60: float, dev, predelay: float = 0.01, damping: float = 0.5, g=None) -> torch.Tensor:
    """Stereo reverb impulse response [2, N]: decaying noise whose highs decay faster (damping),
    after a pre-delay; no direct sound."""
    n = int(seconds * SR)
    noise = torch.randn((2, n), generator=g, device="cpu").to(dev)
    t = torch.arange(n, device=dev) / SR
    spec = torch.fft.rfft(noise, dim=-1)
    f = _freqs(n, dev)
    lo = torch.fft.irfft(spec * (f < 1500), n=n)
    hi = torch.fft.irfft(spec * (f >= 1500), n=n)
    d_lo = math.log(1000) / rt60
    d_hi = d_lo * (1 + 2 * damping)
    ir = lo * torch.exp(-d_lo * t) + hi * torch.exp(-d_hi * t)
    pd = int(predelay * SR)
    ir = torch.cat([torch.zeros((2, pd), device=dev), ir], dim=1)[:, :n]
    return ir / ir.pow(2).sum().sqrt().clamp(min=1e-6)


def convolve(x: torch.Tensor, ir: torch.Tensor) -> torch.Tensor:
    """x [C, L] (C = 1 or 2) * ir [2, N] -> [2, L] (tail cut)."""
    L = x.shape[-1]
    n = L + ir.shape[-1]
    n_fft = 1 << (n - 1).bit_length()
    X = torch.fft.rfft(x, n=n_fft, dim=-1)
    H = torch.fft.rfft(ir, n=n_fft, dim=-1)
    return torch.fft.irfft(X * H, n=n_fft, dim=-1)[..., :L]


def delay(x: torch.Tensor, seconds: float, feedback: float, repeats: int = 4) -> torch.Tensor:
    d = int(seconds * SR)
    out = torch.zeros_like(x)
    for k in range(1, repeats + 1):
        if d * k >= x.shape[-1]:
            break
        out[..., d * k:] += x[..., : x.shape[-1] - d * k] * feedback ** k
    return out


def limit(stems: torch.Tensor, ceiling: float = 0.98, hop: int = 128) -> torch.Tensor:
    """Bus limiter: one gain curve from the mix's peaks applied to every stem [S, 2, L], so the
    stems still sum to the limited mix. Lookahead by a symmetric max-pool, smoothed release."""
    mix = stems.sum(0)
    L = mix.shape[-1]
    pad = (-L) % hop
    peak = F.max_pool1d(F.pad(mix.abs().amax(0)[None, None], (0, pad)), hop, hop)
    need = (ceiling / peak.clamp(min=1e-6)).clamp(max=1.0)
    need = -F.max_pool1d(-need, 5, 1, 2)
    need = F.avg_pool1d(F.pad(need, (2, 2), mode="replicate"), 5, 1)
    gain = frames_to_samples(need[0, 0], hop, L)
    out = stems * gain
    over = out.sum(0).abs().max()
    if over > ceiling:  # interpolation between frames can leave a tiny overshoot
        out = out * (ceiling / over)
    return out
