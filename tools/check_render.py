#!/usr/bin/env python3
"""Smoke check of the real-recording training path: pack -> loader -> renderer -> train.py.

Builds a tiny pack (one file per source, no soundfonts) in a temporary folder, loads it,
renders songs and checks them (shape, finite, stems sum to a mix under the limiter's ceiling,
same seed -> same song, different seeds -> different songs, no copyleft material without
--gpl), then runs train.py --data pack for a few CPU steps with a tiny model and checks its
run record (steps, loss, validation uSDR on rendered validation songs, licence summary).
Exits non-zero on any failure.

usage: /usr/bin/python3 tools/check_render.py [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))
from stemsafe_tools import render  # noqa: E402
from stemsafe_tools.pack import Bank  # noqa: E402


def check(cond: bool, msg: str) -> None:
    if not cond:
        print(f"FAIL: {msg}", flush=True)
        sys.exit(1)
    print(f"ok: {msg}", flush=True)


def check_sf2() -> None:
    """The SF2 reader plays notes at the right pitch (root key, tuning, sample rate handled)."""
    import numpy as np
    from stemsafe_tools.sf2 import SoundFont
    fluid, muse = "/usr/share/sounds/sf2/FluidR3_GM.sf2", "/usr/share/sounds/sf2/MuseScore_General_Full.sf2"
    for path, program, key in ((fluid, 48, 69), (fluid, 56, 62), (muse, 33, 40), (muse, 48, 57)):
        if not Path(path).exists():
            print(f"skip: {path} missing (apt-get install fluid-soundfont-gm musescore-general-soundfont-lossless)")
            continue
        x = SoundFont(path).render(0, program, key, 100, 0.5, 0.6).mean(0)[4410:4410 + 8192]
        f0 = 440.0 * 2 ** ((key - 69) / 12)
        period = render.SR / f0
        ac = np.correlate(x, x, "full")[len(x) - 1:]
        lo, hi = int(period * 0.8), int(period * 1.25)
        lag = lo + int(np.argmax(ac[lo:hi]))
        a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]
        lag += 0.5 * (a - c) / (a - 2 * b + c)  # parabolic peak
        cents = 1200 * np.log2(period / lag)
        check(abs(cents) < 15, f"{Path(path).name} program {program} key {key}: pitch off by {cents:+.1f} cents")
    # the volume envelope's hold stage: FluidR3's "Power" kit toms hold for seconds, then drop to
    # silence; without the hold they decayed at once (peak about -70 dBFS)
    if Path(fluid).exists():
        font = SoundFont(fluid)
        for key in (41, 45, 48, 50):
            peak = float(np.abs(font.render(128, 16, key, 100, 0.2, 0.8)).max())
            check(peak > 0.1, f"FluidR3 Power kit tom {key}: peak {peak:.3f} (hold stage rendered)")


def check_pitch() -> None:
    """yin_midi (used for the ALYS voice bank's pitch) reads harmonic tones to 5 cents, with vibrato
    and with a weak fundamental, and says None for noise."""
    import numpy as np
    from stemsafe_tools.pitch import yin_midi
    t = np.arange(int(1.5 * render.SR)) / render.SR
    rng = np.random.default_rng(1)
    for midi, weak_f0 in ((61.09, False), (48.5, False), (72.3, True)):
        f0 = 440.0 * 2 ** ((midi - 69) / 12) * 2 ** (0.1 / 12 * np.sin(2 * np.pi * 5.5 * t))  # +-10 cents vibrato
        phase = 2 * np.pi * np.cumsum(f0) / render.SR
        x = sum((0.1 if weak_f0 and h == 1 else 1.0 / h) * np.sin(h * phase) for h in range(1, 9))
        got = yin_midi(x + 0.01 * rng.standard_normal(len(t)), render.SR)
        check(got is not None and abs(got - midi) < 0.05, f"yin_midi reads MIDI {midi} (weak fundamental: {weak_f0}) as {got}")
    check(yin_midi(rng.standard_normal(len(t)), render.SR) is None, "yin_midi says None for white noise")
    from stemsafe_tools.pitch import pure_tone
    phase = 2 * np.pi * 440.0 * t
    check(pure_tone(0.4 * np.sin(phase), render.SR), "pure_tone: a 440 Hz sine is a test tone")
    check(not pure_tone(sum(np.sin(h * phase) / h for h in range(1, 6)), render.SR), "pure_tone: a tone with overtones is not")
    check(not pure_tone(rng.standard_normal(len(t)), render.SR), "pure_tone: white noise is not")
    check(not pure_tone(0.8 * np.sin(2 * np.pi * 60.0 * t) * np.exp(-t / 0.15), render.SR),
          "pure_tone: a decaying 60 Hz thump (body percussion, a kick) is not")


def check_singing_files() -> None:
    """Of the singing files a pack reads (pack_train.py skips the Stereo and audio360 mixes), the
    MultiVox ones are 440 Hz test sines (left out of packs); the vocadito and Dagstuhl ChoirSet
    recordings are singing (kept)."""
    from pack_train import singing_files
    from stemsafe_tools.audio_io import decode
    from stemsafe_tools.pitch import pure_tone
    folder = TOOLS.parent.parent / "shared" / "train-audio" / "singing-snippets-ccby"
    if not folder.exists():
        print(f"skip: {folder} missing")
        return
    for p in singing_files(folder):
        tone = pure_tone(decode(p, render.SR, channels=1)[0], render.SR)
        check(tone == p.name.startswith("multivox-"), f"{p.name}: {'a pure tone' if tone else 'not a pure tone'}")


def in_scale_share(x: torch.Tensor, song) -> float:
    """Share of the spectral-peak energy (100 Hz - 2 kHz) of x [2, L] on the pitch classes of the song's scale."""
    import numpy as np
    y = x.mean(0).numpy().astype(np.float64)
    n = 8192
    freqs = np.fft.rfftfreq(n, 1 / render.SR)
    band = (freqs >= 100) & (freqs <= 2000)
    pcs = np.round(69 + 12 * np.log2(np.maximum(freqs, 1) / 440.0)).astype(int) % 12
    scale = {(song.key + int(v)) % 12 for v in song.scale}
    inside = total = 0.0
    for start in range(0, len(y) - n, n // 2):
        mag = np.abs(np.fft.rfft(y[start:start + n] * np.hanning(n)))
        peak = band & (mag > np.roll(mag, 1)) & (mag >= np.roll(mag, -1)) & (mag > mag[band].max() * 1e-2)
        e = mag[peak] ** 2
        inside += float(e[np.isin(pcs[peak], list(scale))].sum())
        total += float(e.sum())
    return inside / total if total > 0 else 0.0


def check_sung_in_key(work: Path) -> None:
    """ALYS melodies are in the song's key: the voice bank's measured pitch is what the renderer
    re-pitches from (labelled C4, it sings about C#4: from an assumed C4 every melody was a
    semitone sharp, with 20-50 % of its energy off the scale)."""
    import random
    pack = work / "pack-gpl"
    subprocess.run([sys.executable, str(TOOLS / "pack_train.py"), str(pack), "--max-items", "4", "--no-soundfonts", "--gpl"],
                   check=True, stdout=subprocess.DEVNULL)
    bank = Bank(pack, "cpu", gpl=True)
    alys = bank.groups["alys"]
    check(all(60.5 < it["midi"] < 61.7 for it in alys.items), f"ALYS items carry their measured pitch ({[it['midi'] for it in alys.items]})")
    for seed in (3, 4, 5):
        song = render.plan(seed, 9.0)
        vocals, _ = render.render_vocals(song, bank, random.Random(seed), int(8.0 * render.SR), "cpu", 0.0,
                                         torch.Generator().manual_seed(seed), phrases_ok=False)
        share = in_scale_share(vocals, song)
        check(share > 0.9, f"song {seed}: {share:.0%} of the sung melody's peak energy is on the song's scale")
    # real singing glides and passes between notes, and its peaks are read from 8192-point spectra:
    # a phrase in the key puts most, not all, of its peak energy on the scale
    phrase_bank = Bank(pack, "cpu", gpl=False)  # no ALYS: the real phrases sing
    shares = {False: [], True: []}
    for seed in (3, 4, 5, 7):  # (song 6 has no sung phrase)
        song = render.plan(seed, 9.0)
        for in_key in (False, True):
            vocals, _ = render.render_vocals(song, phrase_bank, random.Random(seed), int(8.0 * render.SR), "cpu", 0.0,
                                             torch.Generator().manual_seed(seed), phrases_in_key=in_key)
            shares[in_key].append(in_scale_share(vocals, song))
        check(shares[True][-1] > 0.75, f"song {seed}: phrases shifted into the key put {shares[True][-1]:.0%} of their peak "
              f"energy on the song's scale (randomly shifted: {shares[False][-1]:.0%})")
    gain = sum(shares[True]) / 4 - sum(shares[False]) / 4
    check(gain > 0.15, f"shifting phrases into the key puts {gain:.0%} more of their energy on the scale, on average")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep", help="work in this folder instead of a temporary one")
    args = ap.parse_args()
    t0 = time.time()
    tmp = None
    if args.keep:
        work = Path(args.keep)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory()
        work = Path(tmp.name)
    check_sf2()
    check_pitch()
    check_singing_files()
    check_sung_in_key(work)
    pack = work / "pack"
    subprocess.run([sys.executable, str(TOOLS / "pack_train.py"), str(pack), "--max-items", "1", "--no-soundfonts"],
                   check=True, stdout=subprocess.DEVNULL)
    index = json.loads((pack / "index.json").read_text())
    check(not index["gpl_included"] and not any(s["copyleft"] for s in index["sources"].values()),
          "pack without --gpl has no copyleft source")
    check(all("licence" in s and "credit" in s for s in index["sources"].values()), "every source has a licence and credit")
    bank = Bank(pack, "cpu")
    stems_present = {g.stem for g in bank.groups.values()}
    check(stems_present == {"vocals", "drums", "bass", "other"}, f"sample groups for all four stems ({sorted(stems_present)})")
    for g in bank.groups.values():
        check(int((g.offset + g.length).max()) <= g.audio.shape[1] and g.audio.abs().max() > 0.01, f"group {g.name}: items inside its decoded audio")
    seconds = 3.0
    a = render.render_song(bank, 11, seconds)
    b = render.render_song(bank, 11, seconds)
    c = render.render_song(bank, 12, seconds)
    check(a.shape == (4, 2, int(seconds * render.SR)), f"render shape {tuple(a.shape)}")
    check(bool(torch.isfinite(a).all()), "render is finite")
    check(float(a.sum(0).abs().max()) <= 0.98 + 1e-4, f"mix peak {float(a.sum(0).abs().max()):.4f} <= limiter ceiling")
    check(torch.equal(a, b), "same seed renders the same song")
    check(not torch.equal(a, c), "different seeds render different songs")
    check(render.train_seed(7, 10**9) < render.VALIDATION_SEED_BASE, "training seeds stay below the validation range")
    print(f"pack + render checks done in {time.time() - t0:.1f}s", flush=True)
    run = work / "run"
    cmd = [sys.executable, str(TOOLS / "train.py"), "--out", str(run), "--data", "pack", "--pack", str(pack), "--steps", "3",
           "--minutes", "5", "--dim", "16", "--depth", "1", "--heads", "2", "--dim-head", "8", "--batch", "2", "--pool", "4",
           "--refresh", "1", "--chunk-frames", "51", "--song-seconds", "2", "--crops", "2", "--val-songs", "2", "--val-seconds", "1",
           "--warmup", "1", "--seed", "5"]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    print(proc.stdout[-2000:], proc.stderr[-2000:], flush=True)
    check(proc.returncode == 0, "train.py --data pack ran")
    facts = json.loads((run / "config.json").read_text())
    check(facts["steps"] == 3 and facts["data"] == "pack", f"3 steps on the rendered data (steps={facts['steps']})")
    check(facts["final_loss"] is not None and math.isfinite(facts["final_loss"]), f"finite loss {facts['final_loss']}")
    val = facts["validation"]["usdr_db"]
    check(math.isfinite(val["mean"]), f"validation uSDR on rendered songs: {val}")
    check(facts["training_data"]["copyleft_sources"] == [], "run records no copyleft training data")
    check((run / "val.csv").read_text().count("\n") >= 2 and (run / "model.npz").exists(), "val.csv and model.npz written")
    print(f"check_render: all ok in {time.time() - t0:.1f}s", flush=True)
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
