"""Training examples from a stem bank: random remixes and the changes a real mix goes through.

Each example is 4 stems [4, 2, L] (vocals, drums, bass, other) that sum to the mix the model
hears. An example is either a crop of one bank song (all stems from the same place, so the parts
play together) or a remix: every stem from a different song and place, at its own gain. Then,
each with its own probability (Mixer.P):

* bass re-amped (amp.bass: an amplifier or overdrive model blended with the bank's bass) and
  compressed harder, as real mixes treat it; vocals and "other" high-passed at 60-200 Hz, as mix
  engineers clear the low octave for bass and kick (bass_reamp, bass_comp, low_cut; off unless
  a run asks for them with --mix-engineering);
* bass tone (bass_tone, off unless a run asks with --bass-tone): the bass low-passed at 150-800 Hz
  (12 or 24 dB per octave) at the same RMS, as an amp's speaker, a rolled-off tone knob or a
  mix's EQ leave it. The bank's basses (DI samples, amp models, GM basses) have far more energy
  above 400 Hz than bass in produced music: in 60 bank songs the bass holds 40 % of its energy
  above 250 Hz and 5 % above 1 kHz (tools/mix_balance.py --examples 60); a mixed electric bass has most of its energy below 250 Hz,
  and the bass is the loudest part of the mix between 60 and 160 Hz. vocal_low_cut: the vocals alone
  high-passed at 60-200 Hz (low_cut also cuts "other", which in real mixes carries guitars'
  and keyboards' low mids);
* drums tone (drums_tone, off unless a run asks with --drums-tone): the kit low-passed at 4-12 kHz
  (6 or 12 dB per octave), as room miking, tape and mix EQ soften cymbals; the bank's kits are
  close-miked samples, far brighter above 8 kHz than drums in a produced song (tools/mix_balance.py).
  Tried in run main-k (docs/training.md);
* other layers (other_layers, off unless a run asks with --other-layers): one or two more "other"
  parts from elsewhere in the bank added to "other", 9 dB below to level with it, as produced
  songs stack guitars, keys and pads where a bank song has one or two accompanying parts. Tried
  on the vocals head (run main-i) and the drums and bass heads (main-j): see docs/training.md;
* quiet stems (quiet, off unless a run asks with --quiet-stems): a stem set 12-26 dB below the
  rest of the mix, as brushed drums, a shaker, a pad or a backing vocal sit in real songs. Without
  it 5-6 % of the drums, bass and "other" stems of examples sit more than 18 dB below the rest
  (tools/stem_levels.py --bank .bank/main --mixer '{"bass_tone": 0.8}'), and on such a stem
  whatever the model lets leak in from the loud ones outweighs the stem itself: uSDR below zero.
  Tried on the heads in run main-r: see docs/training.md;
* a narrow stereo image (narrow, off unless a run asks with --narrow): the side (L - R) of every
  stem scaled by the same w, w = 0 (mono) half the time, else 0-0.5, as raw multitracks summed
  to mono or dual mono, mono recordings and narrow mixes reach the model. The bank's songs pan
  "other" and the drums' cymbals while vocals, bass and kick sit in the middle, so a model that
  only saw them can separate by position: the bundled model scores 2.97 dB mean uSDR on its
  validation songs and 1.57 on the same songs folded to mono (docs/training.md, run main-v);
* per stem: silence (the whole crop, or a stretch of it with short fades), polarity, left/right
  swap, a random EQ, and a pitch shift by resampling (pitch and speed together, as a tape or a
  sampler would; a whole-song crop shifts every stem alike so they stay in tune and in time);
* on the mix: a loudness between -28 and -10 dBFS RMS, then either a bus limiter driven 2-10 dB
  into a -0.2 dBFS ceiling (one gain curve from the mix, applied to every stem, so the stems
  still sum to it: fx.limit) or a plain gain that keeps the peak under the ceiling;
* a lossy round trip of the mix (MP3 or Opus at 64-192 kbit/s through ffmpeg): the coding error
  is added to "other", the residual stem, so the stems still sum to what the model hears.

The random state is one numpy Generator (Mixer.state / Mixer.load_state), saved with training
checkpoints, so a resumed run draws the same examples it would have drawn.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import numpy as np
import torch

from . import fx
from .stembank import StemBank

SR = 44100


def resample_crop(x: np.ndarray, ratio: float, length: int) -> np.ndarray:
    """x [C, N] read at `ratio` source samples per output sample (ratio > 1 raises the pitch),
    band-limited (FFT resampling), centred: returns [C, length]; needs N >= length * ratio."""
    n_src = x.shape[-1]
    n_out = int(round(n_src / ratio))
    spec = np.fft.rfft(x, axis=-1)
    keep = min(spec.shape[-1], n_out // 2 + 1)
    out_spec = np.zeros((x.shape[0], n_out // 2 + 1), np.complex64)
    out_spec[:, :keep] = spec[:, :keep]
    y = np.fft.irfft(out_spec, n_out, axis=-1) * (n_out / n_src)
    start = max(0, (n_out - length) // 2)
    return y[:, start:start + length].astype(np.float32)


def lossy_round_trip(mix: np.ndarray, codec: str, kbps: int) -> np.ndarray | None:
    """mix [2, L] float32 through an MP3 ("mp3") or Opus ("opus") encoder and decoder (ffmpeg),
    re-aligned to the input by cross-correlation; None when ffmpeg is missing or fails."""
    if not shutil.which("ffmpeg"):
        return None
    L = mix.shape[-1]
    ext, args = {"mp3": ("mp3", ["-c:a", "libmp3lame", "-b:a", f"{kbps}k"]),
                 "opus": ("opus", ["-c:a", "libopus", "-b:a", f"{kbps}k"])}[codec]
    folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        coded = os.path.join(tmp, f"x.{ext}")
        quiet = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
        enc = subprocess.run(quiet + ["-f", "f32le", "-ar", str(SR), "-ac", "2", "-i", "pipe:0", *args, coded],
                             input=np.ascontiguousarray(mix.T, dtype="<f4").tobytes(), capture_output=True)
        if enc.returncode != 0:
            return None
        dec = subprocess.run(quiet + ["-i", coded, "-f", "f32le", "-ar", str(SR), "-ac", "2", "pipe:1"], capture_output=True)
        if dec.returncode != 0:
            return None
    y = np.frombuffer(dec.stdout, "<f4").reshape(-1, 2).T
    # align: the codec delay the container reports is not always removed (MP3 without a LAME
    # header); the lag within +-MAX_LAG that best correlates the middle half second
    lag_best = best_lag(mix.sum(0), y.sum(0), L // 2 - SR // 4, SR // 2)
    out = np.zeros_like(mix)
    src = y[:, max(0, lag_best):]
    dst0 = max(0, -lag_best)
    n = min(L - dst0, src.shape[-1])
    out[:, dst0:dst0 + n] = src[:, :n]
    return out


MAX_LAG = 3000


def best_lag(ref: np.ndarray, y: np.ndarray, start: int, n: int) -> int:
    """The lag (|lag| <= MAX_LAG) at which y[start + lag : start + lag + n] best matches
    ref[start : start + n] (cross-correlation by FFT)."""
    a = ref[start:start + n]
    lo = max(0, start - MAX_LAG)
    b = y[lo:start + n + MAX_LAG]
    size = 1 << (len(a) + len(b)).bit_length()
    corr = np.fft.irfft(np.fft.rfft(b, size) * np.conj(np.fft.rfft(a, size)), size)[:len(b) - len(a) + 1]
    return int(np.argmax(corr)) + lo - start


def _low_pass(fc: float, order: int):
    """Butterworth-shaped magnitude curve for fx.filt: 6*order dB per octave above fc."""
    return lambda f: 1 / torch.sqrt(1 + (f / fc) ** (2 * order))


def _high_pass(fc: float, order: int):
    """Butterworth-shaped magnitude curve for fx.filt: 6*order dB per octave below fc."""
    return lambda f: 1 / torch.sqrt(1 + (fc / f.clamp(min=1e-3)) ** (2 * order))


def narrow(stems: np.ndarray, width: float) -> None:
    """In place: every stem's side (L - R) / 2 scaled by width (0: mono), its mid kept, so the
    stems still sum to the mix (a mix narrowed by the same width)."""
    mid = (stems[:, 0] + stems[:, 1]) * 0.5
    side = (stems[:, 0] - stems[:, 1]) * (0.5 * width)
    stems[:, 0] = mid + side
    stems[:, 1] = mid - side


def _at_rms_of(x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """y scaled to x's RMS (a processed stem at its old level), as numpy."""
    return (y / y.pow(2).mean().sqrt().clamp(min=1e-9) * x.pow(2).mean().sqrt()).numpy()


class Mixer:
    P = dict(remix=0.5, silent=0.06, gap=0.12, polarity=0.5, swap=0.5, eq=0.3, pitch=0.2, pitch_semitones=2.0,
             remix_gain_db=(-9.0, 3.0), limiter=0.4, lossy=0.12, bass_reamp=0.0, bass_comp=0.0, low_cut=0.0,
             bass_tone=0.0, vocal_low_cut=0.0, other_layers=0.0, drums_tone=0.0, quiet=0.0,
             quiet_db=(-26.0, -12.0), narrow=0.0)

    def __init__(self, bank: StemBank, length: int, seed: int, p: dict | None = None):
        self.bank, self.length = bank, length
        self.p = {**self.P, **(p or {})}
        self.rng = np.random.default_rng(seed)
        self.lossy_done = 0

    def state(self) -> dict:
        return self.rng.bit_generator.state

    def load_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state

    def _crop(self, song: int, stem: int, start: int, ratio: float) -> np.ndarray:
        need = int(np.ceil(self.length * ratio)) + 64
        x = self.bank.crop(song, stem, start, need)
        return resample_crop(x, ratio, self.length) if ratio != 1.0 else x[:, :self.length]

    def _place(self, ratio: float) -> tuple[int, int]:
        song = int(self.rng.integers(len(self.bank.songs)))
        need = int(np.ceil(self.length * ratio)) + 64
        return song, int(self.rng.integers(0, max(1, self.bank.length - need)))

    def _ratio(self) -> float:
        if self.rng.random() >= self.p["pitch"]:
            return 1.0
        return float(2.0 ** (self.rng.uniform(-1, 1) * self.p["pitch_semitones"] / 12))

    def example(self) -> np.ndarray:
        r, p, L = self.rng, self.p, self.length
        remix = r.random() < p["remix"]
        stems = np.zeros((4, 2, L), np.float32)
        if remix:
            for s in range(4):
                ratio = self._ratio()
                song, start = self._place(ratio)
                x = self._crop(song, s, start, ratio) * 10 ** (r.uniform(*p["remix_gain_db"]) / 20)
                if r.random() < p["polarity"]:
                    x = -x
                if r.random() < p["swap"]:
                    x = x[::-1]
                stems[s] = x
        else:
            ratio = self._ratio()
            song, start = self._place(ratio)
            for s in range(4):
                stems[s] = self._crop(song, s, start, ratio)
            if r.random() < p["polarity"]:
                stems = -stems
            if r.random() < p["swap"]:
                stems = stems[:, ::-1]
        stems = np.ascontiguousarray(stems)
        if p["other_layers"] and r.random() < p["other_layers"]:
            self._layer_other(stems)
        self._engineer(stems)
        if p["quiet"]:
            self._quiet(stems)
        for s in range(4):
            if r.random() < p["silent"]:
                stems[s] = 0
                continue
            if r.random() < p["gap"]:
                a = int(r.integers(0, L))
                b = min(L, a + int(r.uniform(0.2, 1.5) * SR))
                env = np.ones(L, np.float32)
                env[a:b] = 0
                fade = int(0.01 * SR)
                env[max(0, a - fade):a] = np.linspace(1, 0, a - max(0, a - fade), dtype=np.float32)
                env[b:min(L, b + fade)] = np.linspace(0, 1, min(L, b + fade) - b, dtype=np.float32)
                stems[s] *= env
            if r.random() < p["eq"] and np.abs(stems[s]).max() > 0:
                seed = int(r.integers(1 << 31))
                import random
                py = random.Random(seed)
                stems[s] = fx.filt(torch.from_numpy(stems[s]), lambda f: fx.eq_curve(f, py, hp=py.uniform(10, 40),
                                                                                     amount=0.6)).numpy()
        if p["narrow"] and r.random() < p["narrow"]:
            narrow(stems, 0.0 if r.random() < 0.5 else float(r.uniform(0.0, 0.5)))
        mix = stems.sum(0)
        rms = float(np.sqrt(np.mean(mix ** 2)))
        if rms < 1e-6:
            return stems
        stems *= 10 ** (r.uniform(-28, -10) / 20) / rms
        ceiling = 10 ** (-0.2 / 20)
        if r.random() < p["limiter"]:
            stems = fx.limit(torch.from_numpy(stems * 10 ** (r.uniform(2, 10) / 20)), ceiling=ceiling).numpy()
        else:
            peak = float(np.abs(stems.sum(0)).max())
            if peak > ceiling:
                stems *= ceiling / peak
        if r.random() < p["lossy"]:
            mix = stems.sum(0)
            coded = lossy_round_trip(mix, "mp3" if r.random() < 0.5 else "opus", int(r.choice((64, 96, 128, 192))))
            if coded is not None:
                stems[3] += coded - mix
                self.lossy_done += 1
        return stems

    def _quiet(self, stems: np.ndarray) -> None:
        """In place: each stem with probability quiet set quiet_db below the RMS of the others."""
        r, p = self.rng, self.p
        for s in range(4):
            if r.random() >= p["quiet"]:
                continue
            level = float(r.uniform(*p["quiet_db"]))
            own = float(np.sqrt(np.mean(stems[s] ** 2)))
            rest = float(np.sqrt(np.mean((stems.sum(0) - stems[s]) ** 2)))
            if own > 1e-6 and rest > 1e-6:
                stems[s] *= rest * 10 ** (level / 20) / own

    def _layer_other(self, stems: np.ndarray) -> None:
        """In place: one or two more "other" parts from elsewhere in the bank, 9 dB below to level
        with the part already there, each at its own pitch and side (see the module doc)."""
        r = self.rng
        level = float(np.sqrt(np.mean(stems[3] ** 2)))
        for _ in range(int(r.integers(1, 3))):
            ratio = self._ratio()
            song, start = self._place(ratio)
            x = self._crop(song, 3, start, ratio)
            rms = float(np.sqrt(np.mean(x ** 2)))
            if rms < 1e-6:
                continue
            gain = 10 ** (r.uniform(-9, 0) / 20) * (level / rms if level > 1e-6 else 1.0)
            x = x * gain
            if r.random() < 0.5:
                x = x[::-1]
            stems[3] += x

    def _engineer(self, stems: np.ndarray) -> None:
        """In place: bass re-amped and compressed, low cut on vocals and other (see the module doc)."""
        r, p = self.rng, self.p
        import random
        if p["bass_reamp"] and r.random() < p["bass_reamp"] and np.abs(stems[2]).max() > 0:
            from . import amp
            py = random.Random(int(r.integers(1 << 31)))
            x = torch.from_numpy(stems[2])
            stems[2] = _at_rms_of(x, amp.bass(x, py, style=py.choice(("amp", "amp", "driven"))))
        if p["bass_comp"] and r.random() < p["bass_comp"] and np.abs(stems[2]).max() > 0:
            x = torch.from_numpy(stems[2])
            stems[2] = _at_rms_of(x, fx.compress(x, float(r.uniform(-18, -8)), float(r.uniform(3, 8)),
                                                 release_frames=int(r.integers(5, 30))))
        if p["bass_tone"] and r.random() < p["bass_tone"] and np.abs(stems[2]).max() > 0:
            fc, order = float(np.exp(r.uniform(np.log(150), np.log(800)))), int(r.choice((2, 4)))
            x = torch.from_numpy(stems[2])
            stems[2] = _at_rms_of(x, fx.filt(x, _low_pass(fc, order)))
        if p["drums_tone"] and r.random() < p["drums_tone"] and np.abs(stems[1]).max() > 0:
            fc, order = float(np.exp(r.uniform(np.log(4000), np.log(12000)))), int(r.choice((1, 2)))
            stems[1] = fx.filt(torch.from_numpy(stems[1]), _low_pass(fc, order)).numpy()
        for s in (0, 3):
            cut = p["low_cut"] + (p["vocal_low_cut"] if s == 0 else 0.0)
            if cut and r.random() < cut and np.abs(stems[s]).max() > 0:
                fc, order = float(r.uniform(60, 200)), int(r.choice((2, 4)))
                stems[s] = fx.filt(torch.from_numpy(stems[s]), _high_pass(fc, order)).numpy()

    def batch(self, n: int) -> torch.Tensor:
        return torch.from_numpy(np.stack([self.example() for _ in range(n)]))
