"""Music theory shared by the procedural generator (synth.py) and the sample renderer (render.py):
scales, MIDI pitch, per-song key and chord progressions."""
from __future__ import annotations

import torch

MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)


def _uniform(g, shape, lo, hi, device):
    return lo + (hi - lo) * torch.rand(shape, generator=g, device=device)


def _randint(g, lo, hi, shape, device):
    return torch.randint(lo, hi, shape, generator=g, device=device)


def midi_hz(m):
    return 440.0 * 2.0 ** ((m - 69.0) / 12.0)


def progression(g, batch, device):
    """Key root (MIDI), scale and a 4-chord progression of scale degrees, per song."""
    root = _randint(g, 40, 52, (batch, 1), device).float()
    minor = torch.rand((batch, 1), generator=g, device=device) < 0.5
    scale = torch.where(minor, torch.tensor(MINOR, device=device).float(), torch.tensor(MAJOR, device=device).float())
    degrees = _randint(g, 0, 7, (batch, 4), device)
    degrees[:, 0] = 0
    return root, scale, degrees


def scale_note(scale, degree):
    """degree may exceed 6 (next octaves). scale [B, 7], degree [B, ...] long -> semitones."""
    octave = torch.div(degree, 7, rounding_mode="floor")
    d = degree - octave * 7
    flat = d.reshape(d.shape[0], -1)
    semis = torch.gather(scale, 1, flat).reshape(d.shape)
    return semis + 12 * octave


# Common progressions as scale degrees (0 = tonic), used by the sample renderer besides
# progression()'s random ones.
COMMON_PROGRESSIONS = ((0, 4, 5, 3), (5, 3, 0, 4), (0, 3, 4, 3), (0, 5, 3, 4), (1, 4, 0, 0), (0, 3, 0, 4),
                       (0, 6, 5, 6), (0, 0, 3, 4), (0, 2, 3, 4), (3, 4, 0, 5))


def degree_semitones(scale, degree: int) -> int:
    """Python-int version of scale_note for one degree (may be negative or above 6)."""
    octave, d = divmod(int(degree), 7)
    return int(scale[d]) + 12 * octave


def chord_degrees(root_degree: int, size: int = 3) -> list:
    """Stacked thirds on a scale degree: triad (3) or seventh chord (4)."""
    return [root_degree + 2 * k for k in range(size)]
