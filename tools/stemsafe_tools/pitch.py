"""Pitch of a recorded note (YIN, de Cheveigné & Kawahara 2002), for samples whose file names
do not say which note they are: the median over voiced frames, as a fractional MIDI note.

Used by tools/pack_train.py for the ALYS voice bank, which is labelled "C4" but measures about
C#4 (+0.7 to +1.2 semitones item by item); re-pitching every sung note from an assumed C4 put the
melodies a semitone sharp of the song's key.
"""
from __future__ import annotations

import numpy as np


def yin_midi(x: np.ndarray, sr: int, fmin: float = 60.0, fmax: float = 1000.0, frame: int = 2048,
             hop: int = 1024, threshold: float = 0.15) -> float | None:
    """Median pitch (MIDI, fractional) of the voiced frames of mono x; None when fewer than three
    frames are voiced (noise, a consonant, silence)."""
    pitches = yin_track(x, sr, fmin, fmax, frame, hop, threshold)
    if len(pitches) < 3:
        return None
    return float(np.median(pitches))


def yin_track(x: np.ndarray, sr: int, fmin: float = 60.0, fmax: float = 1000.0, frame: int = 2048,
              hop: int = 1024, threshold: float = 0.15) -> np.ndarray:
    """Pitch (MIDI, fractional) of every voiced frame of mono x, in time order (unvoiced frames and
    frames quieter than 0.3 x the RMS of x are left out)."""
    x = np.asarray(x, dtype=np.float64)
    max_lag = min(frame // 2, int(sr / fmin))
    min_lag = max(2, int(sr / fmax))
    w = frame - max_lag  # integration window
    if len(x) < frame or w < min_lag:
        return np.zeros(0)
    loud = np.sqrt(np.mean(x * x)) * 0.3
    pitches = []
    for start in range(0, len(x) - frame + 1, hop):
        seg = x[start:start + frame]
        if np.sqrt(np.mean(seg * seg)) < loud:
            continue
        # difference function d(tau) = sum_j (x_j - x_{j+tau})^2 over the window, via cumulative sums
        # of squares and one FFT cross-correlation
        sq = np.concatenate([[0.0], np.cumsum(seg * seg)])
        energy0 = sq[w]
        energy_tau = sq[np.arange(max_lag) + w] - sq[np.arange(max_lag)]
        n = 1 << int(np.ceil(np.log2(frame + w)))
        cross = np.fft.irfft(np.fft.rfft(seg, n) * np.conj(np.fft.rfft(seg[:w], n)), n)[:max_lag]
        d = energy0 + energy_tau - 2 * cross
        d[0] = 0.0
        cmnd = np.ones(max_lag)
        running = np.cumsum(d[1:])
        cmnd[1:] = d[1:] * np.arange(1, max_lag) / np.maximum(running, 1e-12)
        below = np.nonzero(cmnd[min_lag:] < threshold)[0]
        if len(below) == 0:
            continue
        tau = min_lag + below[0]
        while tau + 1 < max_lag and cmnd[tau + 1] < cmnd[tau]:
            tau += 1
        if 1 <= tau < max_lag - 1:  # parabolic refinement between lags
            a, b, c = cmnd[tau - 1], cmnd[tau], cmnd[tau + 1]
            den = a - 2 * b + c
            tau = tau + (0.5 * (a - c) / den if den > 0 else 0.0)
        pitches.append(69 + 12 * np.log2(sr / tau / 440.0))
    return np.array(pitches)


def pure_tone(x: np.ndarray, sr: int, width_hz: float = 20.0, share: float = 0.99) -> bool:
    """True when mono x is a steady test tone: one spectral line (+-width_hz) holds at least
    `share` of its energy, and its level stays within 1 dB from quarter to quarter. A voice or an
    instrument puts well over 1 % of its energy into overtones; a low thump or a plucked note
    that is nearly one line still decays. (The MultiVox files of
    ../shared/train-audio/singing-snippets-ccby are 440 Hz sines: mirdata's test placeholders,
    not singing.)"""
    x = np.asarray(x, dtype=np.float64)
    if len(x) < 1024 or not np.any(x):
        return False
    p = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    k = int(np.argmax(p))
    w = max(2, int(np.ceil(width_hz * len(x) / sr)))
    if float(p[max(0, k - w):k + w + 1].sum() / p.sum()) < share:
        return False
    quarters = np.array([np.sqrt(np.mean(q * q)) for q in np.array_split(x, 4)])
    return bool(quarters.min() > 0 and 20 * np.log10(quarters.max() / quarters.min()) <= 1.0)
