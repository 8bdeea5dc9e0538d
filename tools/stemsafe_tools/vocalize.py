"""Speech turned into singing: TD-PSOLA re-pitching of read speech onto a melody.

Read speech (LibriSpeech, FLEURS, LJSpeech, PJS) gives hundreds of voices, both sexes and several
languages, but speaks: its pitch glides over an octave and no note is held. Here a speech clip is
re-pitched onto the notes of a melody, pitch-synchronous overlap-add (Moulines & Charpentier
1990): the clip's pitch is tracked (YIN on frames), pitch marks are laid one period apart through
its voiced parts, and the output takes one two-period Hann grain of the source for each period of
the target pitch, so the voice keeps its own formants (the vocal tract) while its pitch follows
the notes, with vibrato and glides. A grain may be resampled first (`formant` != 1), which moves
the formants: a deeper or brighter voice than the reader's. Each note sings one syllable: the
consonant before a voiced stretch of the speech at its own speed, then that stretch (the vowel)
held over the rest of the note; unvoiced sounds are copied through with fixed 50 % overlap. Each
note is gated with a short attack and release, so phrases have the rests of the melody.
"""
from __future__ import annotations

import math

import numpy as np

SR = 44100
HOP = 256


def f0_frames(x: np.ndarray, sr: int = SR, hop: int = HOP, frame: int = 1536, fmin: float = 70.0, fmax: float = 600.0,
              threshold: float = 0.2, floor_db: float = -26.0) -> np.ndarray:
    """Pitch in Hz of frames centred on hop * k: YIN's cumulative mean normalised difference, all
    frames at once. 0 where unvoiced, quieter than floor_db below the loud frames (the 95th
    percentile: mains hum in a pause is periodic too), or more than an octave from the clip's
    median pitch."""
    x = np.asarray(x, dtype=np.float64)
    n_frames = 1 + len(x) // hop
    padded = np.pad(x, (frame // 2, frame))
    idx = np.arange(n_frames)[:, None] * hop + np.arange(frame)[None, :]
    frames = padded[idx]
    max_lag = min(frame // 2, int(sr / fmin))
    min_lag = max(2, int(sr / fmax))
    w = frame - max_lag
    sq = np.concatenate([np.zeros((n_frames, 1)), np.cumsum(frames * frames, axis=1)], axis=1)
    energy0 = sq[:, w:w + 1]
    energy_tau = sq[:, w:w + max_lag] - sq[:, :max_lag]
    n = 1 << int(math.ceil(math.log2(frame + w)))
    cross = np.fft.irfft(np.fft.rfft(frames, n, axis=1) * np.conj(np.fft.rfft(frames[:, :w], n, axis=1)), n, axis=1)[:, :max_lag]
    d = energy0 + energy_tau - 2 * cross
    d[:, 0] = 0
    cmnd = np.ones_like(d)
    cmnd[:, 1:] = d[:, 1:] * np.arange(1, max_lag) / np.maximum(np.cumsum(d[:, 1:], axis=1), 1e-12)
    below = cmnd[:, min_lag:] < threshold
    voiced = below.any(axis=1)
    tau = min_lag + np.argmax(below, axis=1)
    for _ in range(8):  # walk down to the local minimum after the first dip under the threshold
        nxt = np.minimum(tau + 1, max_lag - 1)
        better = cmnd[np.arange(n_frames), nxt] < cmnd[np.arange(n_frames), tau]
        tau = np.where(better, nxt, tau)
    rms = np.sqrt(np.mean(frames[:, frame // 4: 3 * frame // 4] ** 2, axis=1))
    level = np.percentile(rms, 95) if rms.max() > 0 else 0.0
    loud = rms > level * 10 ** (floor_db / 20) if level > 0 else np.zeros(n_frames, bool)
    f0 = np.where(voiced & loud, sr / tau, 0.0)
    if (f0 > 0).any():
        median = np.median(f0[f0 > 0])
        f0[(f0 > 0) & ((f0 < median / 2) | (f0 > median * 2))] = 0
    # a voiced frame between two unvoiced ones is more often a consonant's noise than a vowel
    lone = (f0 > 0) & np.r_[True, f0[:-1] == 0] & np.r_[f0[1:] == 0, True]
    f0[lone] = 0
    return f0


_HANN: dict = {}


def _hann(n: int) -> np.ndarray:
    if n not in _HANN:
        _HANN[n] = 0.5 - 0.5 * np.cos(2 * np.pi * (np.arange(n) + 0.5) / n)
    return _HANN[n]


def run_starts(f0: np.ndarray) -> np.ndarray:
    """For every frame, the first frame of the voiced run it belongs to (itself when unvoiced)."""
    out = np.arange(len(f0))
    for i in range(1, len(f0)):
        if f0[i] > 0 and f0[i - 1] > 0:
            out[i] = out[i - 1]
    return out


def _resample(g: np.ndarray, n: int) -> np.ndarray:
    return np.interp(np.linspace(0, len(g) - 1, n), np.arange(len(g)), g)


def voiced_runs(f0: np.ndarray, min_frames: int = 7) -> list[tuple[int, int]]:
    """(first, end) frames of the voiced runs at least min_frames long (7 frames: 40 ms)."""
    runs, i = [], 0
    while i < len(f0):
        if f0[i] > 0:
            j = i
            while j < len(f0) and f0[j] > 0:
                j += 1
            if j - i >= min_frames:
                runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def sing(x: np.ndarray, notes: list, out_len: int, *, formant: float = 1.0, semis_fn=None, first_run: int = 0,
         f0=None, attack: float = 0.02, release: float = 0.06, consonant: float = 0.08) -> tuple[np.ndarray, int]:
    """Mono source x (speech) sung on `notes` [(start s, duration s, MIDI)] into [out_len].

    Each note is one syllable: the next voiced run of the source (from run number first_run on,
    wrapping around) is its vowel, stretched or squeezed over the note, after up to `consonant`
    seconds of what precedes that run in the source (its onset consonant) at the source's own
    speed. semis_fn(t_out, note_index, t_in_note) -> semitone offset (vibrato, glides); f0:
    f0_frames(x), if already known. Returns (audio, the next unused run)."""
    out = np.zeros(out_len)
    norm = np.zeros(out_len)
    f0 = f0_frames(x) if f0 is None else f0
    runs = voiced_runs(f0)
    if not notes or not runs:
        return out.astype(np.float32), first_run
    first = run_starts(f0)
    n_src = len(x)
    plan = []  # per note: start, end (with release), consonant length, vowel source start and end (s)
    for k, (start, dur, _) in enumerate(notes):
        a, b = runs[(first_run + k) % len(runs)]
        prev_end = runs[(first_run + k - 1) % len(runs)][1] if k or first_run else 0
        gap = (a - prev_end) * HOP / SR if a > prev_end else consonant
        cons = min(consonant, max(0.0, gap), 0.4 * dur)
        plan.append((start, start + dur + release, cons, a * HOP / SR, b * HOP / SR))
    for k, (t0, t1, cons, v0, v1) in enumerate(plan):
        t = t0
        t_stop = min(t1, plan[k + 1][0] if k + 1 < len(plan) else t1, out_len / SR)
        while t < t_stop:
            dt = t - t0
            if dt < cons:
                src_t, voiced = v0 - cons + dt, False
            else:
                src_t = v0 + (dt - cons) * (v1 - v0) / max(1e-3, t1 - t0 - cons)
                src_t, voiced = min(src_t, v1 - HOP / SR), True
            src_pos = int(src_t * SR)
            frame = min(len(f0) - 1, max(0, int(round(src_pos / HOP))))
            out_pos = int(round(t * SR))
            if voiced and f0[frame] > 0:
                period = SR / f0[frame]
                mark0 = first[frame] * HOP
                mark = int(round(mark0 + round((src_pos - mark0) / period) * period))
                half = int(period)
                lo, hi = mark - half, mark + half
                target = 440.0 * 2 ** ((notes[k][2] - 69 + (semis_fn(t, k, dt) if semis_fn else 0.0)) / 12)
                step = 1.0 / target
            else:
                half = HOP
                lo, hi = src_pos - half, src_pos + half
                step = HOP / SR
            if lo >= 0 and hi <= n_src:
                grain = x[lo:hi] * _hann(hi - lo)
                if voiced and formant != 1.0:
                    grain = _resample(grain, max(8, int(round(len(grain) / formant))))
                a = out_pos - len(grain) // 2
                b = a + len(grain)
                if a >= 0 and b <= out_len:
                    out[a:b] += grain
                    norm[a:b] += _hann(len(grain))
            t += step
    y = out / np.maximum(norm, 0.25)
    # note gates: attack and release ramps, silence in the rests
    env = np.zeros(out_len)
    for start, dur, _ in notes:
        a = max(0, int(start * SR))
        b = min(out_len, int((start + dur) * SR))
        r = int(release * SR)
        if a >= out_len:
            continue
        seg = np.ones(max(0, b - a))
        na = min(len(seg), int(attack * SR))
        seg[:na] = np.linspace(0, 1, na)
        env[a:b] = np.maximum(env[a:b], seg)
        tail_end = min(out_len, b + r)
        env[b:tail_end] = np.maximum(env[b:tail_end], np.linspace(1, 0, tail_end - b))
    return (y * env).astype(np.float32), (first_run + len(notes)) % len(runs)
