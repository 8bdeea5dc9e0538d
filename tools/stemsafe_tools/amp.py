"""Amplifier and cabinet chains for DI guitars and basses (torch, whole tracks [C, L]).

A DI recording is the string's sound before any amplifier; records put it through an amp and a
miked cabinet (guitar: clean, crunch or distorted) or use it direct with some of an amp (bass).
The chain here: input filter (pick attack, a mid push before drive as an overdrive pedal does),
a waveshaper at 2x oversampling (tanh, slightly asymmetric; two stages for high gain), a tone
stack (bass, mid, treble), a cabinet response (speaker resonance, a steep fall above 4-6 kHz, a
presence peak and mic-position notches) and, for the guitar, a little room. Every parameter is
drawn from `rng` (random.Random) within the range of the style.
"""
from __future__ import annotations

import math

import torch

from . import fx

GUITAR_STYLES = {  # drive (dB), second stage, pre-drive mid push (dB)
    "clean": ((0.0, 6.0), False, (0.0, 2.0)),
    "crunch": ((10.0, 20.0), False, (2.0, 6.0)),
    "distorted": ((22.0, 36.0), True, (3.0, 9.0)),
}


def _bell(f: torch.Tensor, centre: float, gain_db: float, octaves: float) -> torch.Tensor:
    return gain_db * torch.exp(-0.5 * ((torch.log2(f.clamp(min=1.0) / centre)) / octaves) ** 2)


def _oversampled(x: torch.Tensor, fn) -> torch.Tensor:
    """fn applied at twice the sample rate (FFT resampling up and down), against aliasing."""
    n = x.shape[-1]
    spec = torch.fft.rfft(x, dim=-1)
    up = torch.fft.irfft(torch.nn.functional.pad(spec, (0, n)), n=2 * n, dim=-1) * 2
    y = fn(up)
    ys = torch.fft.rfft(y, dim=-1)[..., :n // 2 + 1]
    return torch.fft.irfft(ys, n=n, dim=-1) / 2


def shaper(x: torch.Tensor, drive_db: float, bias: float) -> torch.Tensor:
    g = 10 ** (drive_db / 20)
    return torch.tanh(g * x + bias) - math.tanh(bias)


def cabinet_curve(f: torch.Tensor, rng, low: float = 80.0) -> torch.Tensor:
    """Magnitude of a miked guitar cabinet: resonance near 100 Hz, a presence peak, a steep
    roll-off above 4-6.5 kHz, one or two notches from the mic's distance to the cone."""
    db = _bell(f, rng.uniform(90, 140), rng.uniform(2, 6), 0.35)
    db += _bell(f, rng.uniform(1800, 3500), rng.uniform(2, 6), 0.5)
    for _ in range(rng.choice((1, 2))):
        db += _bell(f, rng.uniform(2500, 7000), -rng.uniform(4, 12), 0.12)
    mag = 10 ** (db / 20)
    cutoff = rng.uniform(4000, 6500)
    mag = mag / torch.sqrt(1 + (f / cutoff) ** 8)
    return mag / torch.sqrt(1 + (low / f.clamp(min=1e-3)) ** 4)


def guitar(x: torch.Tensor, rng, style: str | None = None, g: torch.Generator | None = None) -> torch.Tensor:
    """DI guitar [C, L] through an amp and a miked cabinet; style clean, crunch or distorted."""
    if x.abs().max() == 0:
        return x
    style = style or rng.choice(("clean", "clean", "crunch", "distorted", "distorted"))
    (d_lo, d_hi), two_stage, (m_lo, m_hi) = GUITAR_STYLES[style]
    push, push_f = rng.uniform(m_lo, m_hi), rng.uniform(600, 1000)
    hp = rng.uniform(80, 200) if style != "clean" else rng.uniform(40, 90)
    y = fx.filt(x, lambda f: 10 ** (_bell(f, push_f, push, 1.0) / 20) / torch.sqrt(1 + (hp / f.clamp(min=1e-3)) ** 2))
    y = y / y.abs().max().clamp(min=1e-6)
    drive, bias = rng.uniform(d_lo, d_hi), rng.uniform(0.0, 0.25)
    if two_stage:
        y = _oversampled(y, lambda u: shaper(fx.filt(shaper(u, drive * 0.5, bias), lambda f: 1 / torch.sqrt(
            1 + (150 / f.clamp(min=1e-3)) ** 2)) * 2, drive * 0.5, bias * 0.5))
    else:
        y = _oversampled(y, lambda u: shaper(u, drive, bias))
    bass, mid, treble = rng.uniform(-4, 4), rng.uniform(-8, 3), rng.uniform(-4, 5)
    y = fx.filt(y, lambda f: 10 ** ((bass / (1 + (f / 200) ** 2) + _bell(f, 650, mid, 0.8)
                                     + treble / (1 + (3000 / f.clamp(min=1.0)) ** 2)) / 20) * cabinet_curve(f, rng))
    if rng.random() < 0.6:
        ir = fx.reverb_ir(rng, 0.4, rng.uniform(0.2, 0.6), y.device, 0.003, 0.6, g)
        wet = fx.convolve(y, ir)
        y = y + wet * rng.uniform(0.05, 0.2) * y.pow(2).mean().sqrt() / wet.pow(2).mean().sqrt().clamp(min=1e-9)
    return y / y.abs().max().clamp(min=1e-6) * 0.5


def bass(x: torch.Tensor, rng, style: str | None = None) -> torch.Tensor:
    """DI bass [C, L]: direct (EQ only), amp (mild drive, speaker roll-off, blended with the DI)
    or driven (overdrive pedal)."""
    if x.abs().max() == 0:
        return x
    style = style or rng.choice(("direct", "amp", "amp", "driven"))
    level = x.abs().max()
    y = x / level
    if style != "direct":
        drive = rng.uniform(0, 8) if style == "amp" else rng.uniform(12, 24)
        shaped = _oversampled(y, lambda u: shaper(u, drive, rng.uniform(0, 0.2)))
        cutoff = rng.uniform(2500, 5000) if style == "amp" else rng.uniform(3000, 6000)
        shaped = fx.filt(shaped, lambda f: 10 ** (_bell(f, rng.uniform(80, 120), rng.uniform(0, 4), 0.5) / 20)
                         / torch.sqrt(1 + (f / cutoff) ** 6))
        shaped = shaped / shaped.abs().max().clamp(min=1e-6)
        blend = rng.uniform(0.4, 0.9) if style == "amp" else rng.uniform(0.6, 1.0)
        y = blend * shaped + (1 - blend) * y
    y = fx.filt(y, lambda f: fx.eq_curve(f, rng, hp=rng.uniform(25, 45), amount=0.6))
    return y / y.abs().max().clamp(min=1e-6) * 0.5
