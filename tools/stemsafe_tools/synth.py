"""Procedural multitrack generator: songs with separate vocals / drums / bass / other stems.

Everything is synthesised with vectorised torch ops, so it runs on the CPU (tests, the
held-out set, CPU training) and on a GPU (fast training, data made on the fly). Songs are
built on a 16th-note grid from a random tempo, key, scale and chord progression:

* vocals — formant synthesis: a harmonic glottal source shaped by vowel formants (F1-F3,
  changing per syllable) with vibrato, glides, phrase rests and breath noise; near centre.
* drums  — kick (pitch-swept sine), snare (noise + tone), closed/open hats (bright noise)
  on pattern templates with random variations.
* bass   — band-limited saw/square-ish additive tone, root notes of the chords, octave 1-2.
* other  — chord pads or plucks and arpeggios (additive, random spectral tilt), panned.

No recording, sample or model weight is used, so everything here can be redistributed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from .theory import MAJOR, MINOR, _randint, _uniform, midi_hz, progression, scale_note  # noqa: F401  (shared with render.py)

STEMS = ("vocals", "drums", "bass", "other")
SR = 44100

# (F1, F2, F3) in Hz for a, e, i, o, u
VOWELS = ((800, 1150, 2900), (400, 1700, 2600), (300, 2200, 3000), (450, 800, 2830), (325, 700, 2530))


@dataclass
class Grid:
    steps: int
    step_idx: torch.Tensor  # [B, L] long: 16th-note step of each sample
    t_in_step: torch.Tensor  # [B, L] seconds since the step began
    step_dur: torch.Tensor  # [B, 1] seconds


def make_grid(g, batch, length, device) -> Grid:
    bpm = _uniform(g, (batch, 1), 80, 160, device)
    step_dur = 15.0 / bpm
    t = torch.arange(length, device=device, dtype=torch.float32)[None, :] / SR
    offset = _uniform(g, (batch, 1), 0, 1, device) * step_dur * 16  # start anywhere in a bar
    tt = t + offset
    step_idx = torch.floor(tt / step_dur).long()
    return Grid(int(step_idx.max().item()) + 2, step_idx, tt - step_idx * step_dur, step_dur)


def note_timing(onsets: torch.Tensor, grid: Grid):
    """onsets [B, S] bool -> per sample: index of the last onset step and seconds since it."""
    b, s = onsets.shape
    steps = torch.arange(s, device=onsets.device)[None, :].expand(b, s)
    last = torch.cummax(torch.where(onsets, steps, torch.full_like(steps, -10_000)), dim=1).values
    last_at = torch.gather(last, 1, grid.step_idx.clamp(max=s - 1))
    since = (grid.step_idx - last_at).float() * grid.step_dur + grid.t_in_step
    return last_at.clamp(min=0), since


def per_sample(values: torch.Tensor, idx: torch.Tensor):
    """values [B, S, ...] gathered at step idx [B, L]."""
    if values.dim() == 2:
        return torch.gather(values, 1, idx)
    return torch.stack([torch.gather(values[..., k], 1, idx) for k in range(values.shape[-1])], dim=-1)


def harmonic_tone(f0: torch.Tensor, amps_fn, n_harm: int, g, device):
    """Additive synthesis, band-limited below 18 kHz. f0 [B, L]; amps_fn(k, fk) -> [B, L]."""
    phase = torch.cumsum(f0 / SR, dim=1)
    phase = phase + _uniform(g, (f0.shape[0], 1), 0, 1, device)
    out = torch.zeros_like(f0)
    for k in range(1, n_harm + 1):
        fk = f0 * k
        a = amps_fn(k, fk) * (fk < 18000).float()
        out = out + a * torch.sin(2 * math.pi * ((k * phase) % 1.0))
    return out


def chord_at_step(degrees, grid_steps, bars_per_chord):
    """Scale degree of the chord root at each 16th step: degrees [B, 4] -> [B, steps]."""
    steps = torch.arange(grid_steps, device=degrees.device)
    slot = torch.div(steps, 16 * bars_per_chord, rounding_mode="floor") % 4
    return torch.gather(degrees, 1, slot[None, :].expand(degrees.shape[0], grid_steps))


def env_adsr(since, attack, decay_rate, sustain, gate_len):
    a = (since / attack).clamp(max=1.0)
    d = sustain + (1 - sustain) * torch.exp(-since * decay_rate)
    release = torch.exp(-((since - gate_len).clamp(min=0)) * 12.0)
    return a * d * release


def render_bass(g, grid, root, scale, degrees, device, length):
    b = root.shape[0]
    S = grid.steps
    chord_deg = chord_at_step(degrees, S, 1)
    pattern_kind = _randint(g, 0, 3, (b, 1), device)
    steps = torch.arange(S, device=device)[None, :]
    on = torch.where(pattern_kind == 0, steps % 4 == 0, torch.where(pattern_kind == 1, steps % 2 == 0, (steps % 8 == 0) | (steps % 8 == 3) | (steps % 8 == 6)))
    on = on & (torch.rand((b, S), generator=g, device=device) < 0.9)
    fifth = (torch.rand((b, S), generator=g, device=device) < 0.15).long() * 4
    pitch = root - 12 + scale_note(scale, chord_deg + fifth)
    last, since = note_timing(on, grid)
    f0 = midi_hz(per_sample(pitch, last))
    bright = _uniform(g, (b, 1), 0.8, 2.2, device)
    odd_only = torch.rand((b, 1), generator=g, device=device) < 0.3
    tone = harmonic_tone(f0, lambda k, fk: (1.0 / k ** bright) * torch.where(odd_only & (k % 2 == 0), 0.2, 1.0), 12, g, device)
    gate = grid.step_dur * _uniform(g, (b, 1), 1.0, 3.5, device)
    return tone * env_adsr(since, 0.005, 6.0, 0.5, gate)


def render_other(g, grid, root, scale, degrees, device, length):
    b = root.shape[0]
    S = grid.steps
    chord_deg = chord_at_step(degrees, S, 1)
    steps = torch.arange(S, device=device)[None, :]
    style = _randint(g, 0, 3, (b, 1), device)  # 0 pad, 1 stabs, 2 arpeggio
    out = torch.zeros((b, length), device=device)
    tilt = _uniform(g, (b, 1), 1.0, 2.5, device)
    for voice in range(3):
        if voice == 0:
            on = torch.where(style == 0, steps % 16 == 0, torch.where(style == 1, (steps % 4 == 2), steps % 2 == 0))
        else:
            on = torch.where(style == 2, steps % 2 == 0, torch.where(style == 1, steps % 4 == 2, steps % 16 == 0))
        arp = torch.where(style == 2, (steps // 2) % 3, torch.full_like(steps, voice))
        pitch = root + 12 + scale_note(scale, chord_deg + 2 * arp)
        if voice > 0:
            on = on & (style != 2)
        last, since = note_timing(on.expand(b, S), grid)
        f0 = midi_hz(per_sample(pitch, last)) * (1 + 0.002 * voice)
        tone = harmonic_tone(f0, lambda k, fk: 1.0 / k ** tilt, 10, g, device)
        decay = torch.where(style == 0, torch.full_like(tilt, 0.8), torch.full_like(tilt, 7.0))
        attack = torch.where(style == 0, torch.full_like(tilt, 0.08), torch.full_like(tilt, 0.003))
        gate = torch.where(style == 0, grid.step_dur * 16, grid.step_dur * 2)
        out = out + tone * env_adsr(since, attack, decay, torch.where(style == 0, 0.6, 0.2) * torch.ones_like(tilt), gate)
    return out / 2


def render_vocals(g, grid, root, scale, degrees, device, length):
    b = root.shape[0]
    S = grid.steps
    steps = torch.arange(S, device=device)[None, :].expand(b, S)
    density = _uniform(g, (b, 1), 0.25, 0.6, device)
    on = (torch.rand((b, S), generator=g, device=device) < density) & (steps % 2 == 0)
    # phrases: 2 bars singing, then rest with probability
    phrase = torch.div(steps, 32, rounding_mode="floor")
    sing = torch.rand((b, S // 32 + 2), generator=g, device=device) < 0.75
    singing = torch.gather(sing, 1, phrase)
    walk = torch.cumsum(_randint(g, -2, 3, (b, S), device), dim=1) % 10
    pitch = root + 12 + scale_note(scale, walk + 2)
    vowel = _randint(g, 0, len(VOWELS), (b, S), device)
    last, since = note_timing(on, grid)
    sing_s = per_sample(singing.float(), grid.step_idx.clamp(max=S - 1))
    target = midi_hz(per_sample(pitch, last))
    # glide: smooth the step pitch with a short moving average in the log domain
    logf = torch.log(target)
    k = 441 * 3
    logf = torch.nn.functional.avg_pool1d(torch.nn.functional.pad(logf[:, None], (k // 2, k // 2), mode="replicate"), k, 1)[:, 0, :length]
    vib_rate = _uniform(g, (b, 1), 4.5, 6.5, device)
    vib_depth = _uniform(g, (b, 1), 0.1, 0.6, device)  # semitones
    t = torch.arange(length, device=device)[None, :] / SR
    f0 = torch.exp(logf) * 2 ** (vib_depth * torch.sin(2 * math.pi * vib_rate * t) * (since > 0.15).float() / 12)
    formants = torch.tensor(VOWELS, device=device, dtype=torch.float32)
    fmt = formants[per_sample(vowel, last)]  # [B, L, 3]
    shift = _uniform(g, (b, 1, 1), 0.9, 1.25, device)  # voice size
    fmt = fmt * shift
    bw = torch.tensor((80.0, 100.0, 140.0), device=device)

    def amps(k, fk):
        resp = sum(torch.exp(-0.5 * ((fk - fmt[..., i]) / (bw[i] * 1.5)) ** 2) * (1.0, 0.6, 0.3)[i] for i in range(3))
        return (0.05 + resp) / k ** 0.7

    tone = harmonic_tone(f0, amps, 40, g, device)
    gate = grid.step_dur * _uniform(g, (b, 1), 1.5, 4.0, device)
    env = env_adsr(since, 0.03, 1.5, 0.7, gate) * sing_s
    breath = torch.randn((b, length), generator=g, device=device) * 0.02 * env
    return tone * env + breath


def render_drums(g, grid, device, length):
    b = grid.step_idx.shape[0]
    S = grid.steps
    steps = torch.arange(S, device=device)[None, :].expand(b, S)
    pos = steps % 16
    busy = torch.rand((b, 1), generator=g, device=device)
    kick = (pos == 0) | (pos == 8) | ((torch.rand((b, S), generator=g, device=device) < 0.25 * busy) & (pos % 2 == 0))
    snare = (pos == 4) | (pos == 12) | ((torch.rand((b, S), generator=g, device=device) < 0.08 * busy))
    hat_div = torch.where(torch.rand((b, 1), generator=g, device=device) < 0.5, 2, 1)
    hat = (steps % hat_div == 0) & (torch.rand((b, S), generator=g, device=device) < 0.9)
    vel = _uniform(g, (b, S), 0.6, 1.0, device)
    out = torch.zeros((b, length), device=device)
    # kick
    last, since = note_timing(kick, grid)
    v = per_sample(vel, last)
    f = 45 + 110 * torch.exp(-since * 35)
    ph = torch.cumsum(f / SR, dim=1)
    out = out + v * torch.sin(2 * math.pi * (ph % 1.0)) * torch.exp(-since * 9) * 1.2
    # snare
    last, since = note_timing(snare, grid)
    v = per_sample(vel, last)
    noise = torch.randn((b, length), generator=g, device=device)
    tone = torch.sin(2 * math.pi * 190 * since)
    out = out + v * (0.5 * noise * torch.exp(-since * 18) + 0.4 * tone * torch.exp(-since * 25))
    # hats: differenced noise is bright
    last, since = note_timing(hat, grid)
    v = per_sample(vel, last)
    bright = torch.diff(torch.randn((b, length + 1), generator=g, device=device), dim=1)
    open_hat = (torch.rand((b, 1), generator=g, device=device) < 0.2).float()
    decay = 60 - 45 * open_hat
    out = out + 0.18 * v * bright * torch.exp(-since * decay)
    return out


def pan(x, position):
    """Constant-power pan, position in [-1, 1] -> [B, 2, L]."""
    angle = (position + 1) * math.pi / 4
    return torch.stack((x * torch.cos(angle), x * torch.sin(angle)), dim=1)


def generate(batch: int, seconds: float, g: torch.Generator, device="cpu") -> torch.Tensor:
    """Returns stems [B, 4, 2, L] (vocals, drums, bass, other) whose sum is the mix."""
    length = int(round(seconds * SR))
    grid = make_grid(g, batch, length, device)
    root, scale, degrees = progression(g, batch, device)
    parts = [
        render_vocals(g, grid, root, scale, degrees, device, length),
        render_drums(g, grid, device, length),
        render_bass(g, grid, root, scale, degrees, device, length),
        render_other(g, grid, root, scale, degrees, device, length),
    ]
    positions = [_uniform(g, (batch, 1), -0.15, 0.15, device), _uniform(g, (batch, 1), -0.3, 0.3, device),
                 _uniform(g, (batch, 1), -0.1, 0.1, device), _uniform(g, (batch, 1), -0.7, 0.7, device)]
    stems = []
    for x, p in zip(parts, positions):
        x = x / (x.abs().amax(dim=1, keepdim=True) + 1e-6)
        gain = 10 ** (_uniform(g, (batch, 1), -12, 0, device) / 20)
        present = (torch.rand((batch, 1), generator=g, device=device) > 0.08).float()
        stems.append(pan(x * gain * present, p))
    stems = torch.stack(stems, dim=1)
    peak = stems.sum(dim=1).abs().amax(dim=(1, 2)).clamp(min=1e-6)
    return stems * (0.9 / peak)[:, None, None, None]
