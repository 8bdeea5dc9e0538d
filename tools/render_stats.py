#!/usr/bin/env python3
"""Compare simple statistics of rendered stems with real multitrack stems (and the old procedural
generator): long-term spectrum (octave bands), crest factor, loudness range, stereo width and
the fraction of time a stem is active. Prints a markdown table; --listen writes a few renders as
WAV plus spectrogram PNGs to look at.

eval-real is only *measured* here (evaluation use); nothing is fitted or trained on it.

usage: /usr/bin/python3 tools/render_stats.py --pack .pack/train [--gpl] [--songs 8] [--seconds 12]
       [--eval-real ../shared/eval-real] [--listen .eval/render-listen]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools import render  # noqa: E402
from stemsafe_tools.audio_io import SR, decode, write_wav  # noqa: E402
from stemsafe_tools.pack import Bank  # noqa: E402
from stemsafe_tools.synth import STEMS, generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BANDS = [0, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000, 22050]
STATS_SEED_BASE = 990_000_000  # renders for these statistics: outside the training and validation ranges


def stem_stats(x: np.ndarray) -> dict | None:
    """x [2, L] float -> statistics, or None for a silent stem."""
    x = x.astype(np.float64)
    mono = x.mean(0)
    rms = np.sqrt((x ** 2).mean())
    if rms < 1e-5:
        return None
    n = 4096
    frames = np.lib.stride_tricks.sliding_window_view(mono, n)[::n // 2] * np.hanning(n)
    power = (np.abs(np.fft.rfft(frames, axis=-1)) ** 2).mean(0)
    f = np.fft.rfftfreq(n, 1 / SR)
    band = np.array([power[(f >= lo) & (f < hi)].sum() for lo, hi in zip(BANDS[:-1], BANDS[1:])])
    band_db = 10 * np.log10(band / band.sum() + 1e-12)
    centroid = float((f * power).sum() / power.sum())
    win = int(0.4 * SR)
    w = np.lib.stride_tricks.sliding_window_view((x ** 2).mean(0), win)[::win // 4].mean(-1)
    w_db = 10 * np.log10(w + 1e-12)
    gated = w_db[(w_db > -70) & (w_db > 10 * np.log10((w[w_db > -70]).mean() + 1e-12) - 20)]
    lra = float(np.percentile(gated, 95) - np.percentile(gated, 10)) if len(gated) > 2 else 0.0
    active = float((w_db > w_db.max() - 30).mean())
    mid, side = (x[0] + x[1]) / 2, (x[0] - x[1]) / 2
    width = float(10 * np.log10((side ** 2).sum() / ((mid ** 2).sum() + 1e-12) + 1e-6))
    return dict(band_db=band_db, centroid=centroid, crest=float(20 * np.log10(np.abs(x).max() / rms)), lra=lra,
                active=active, width=width)


def summarize(items: list) -> dict:
    out = {}
    for stem in STEMS:
        vals = [it[stem] for it in items if it.get(stem) is not None]
        if not vals:
            continue
        out[stem] = dict(n=len(vals), band_db=np.mean([v["band_db"] for v in vals], axis=0),
                         **{k: float(np.median([v[k] for v in vals])) for k in ("centroid", "crest", "lra", "active", "width")})
    return out


def spectrogram_png(x: np.ndarray, path: Path, title_rows: int = 0) -> None:
    """Mono log-magnitude spectrogram (log frequency axis) as a grey PNG: time left to right, 20 Hz-20 kHz bottom to top."""
    from PIL import Image
    mono = x.mean(0)
    n, hop = 2048, 512
    frames = np.lib.stride_tricks.sliding_window_view(mono, n)[::hop] * np.hanning(n)
    mag = 20 * np.log10(np.abs(np.fft.rfft(frames, axis=-1)) + 1e-7)
    f = np.fft.rfftfreq(n, 1 / SR)
    rows = np.geomspace(20, 20000, 256)
    idx = np.clip(np.searchsorted(f, rows), 0, len(f) - 1)
    img = mag[:, idx].T[::-1]
    img = np.clip((img - (img.max() - 80)) / 80, 0, 1)
    Image.fromarray((255 * (1 - img)).astype(np.uint8)).save(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pack", default=str(ROOT / ".pack" / "train"))
    ap.add_argument("--gpl", action="store_true")
    ap.add_argument("--songs", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--eval-real", default=str(ROOT.parent / "shared" / "eval-real"))
    ap.add_argument("--listen", help="write the first renders as WAV + spectrogram PNGs here")
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args()
    t0 = time.time()
    real = []
    er = Path(args.eval_real)
    meta = {s["song"]: s for s in json.loads((er / "songs.json").read_text())}
    for song in sorted(meta):
        real.append({stem: (None if stem in meta[song]["silent_stems"] else stem_stats(decode(er / song / f"{stem}.flac", channels=2)))
                     for stem in STEMS})
    bank = Bank(args.pack, "cpu", gpl=args.gpl)
    rendered, synth = [], []
    for k in range(args.songs):
        stems = render.render_song(bank, STATS_SEED_BASE + k, args.seconds).numpy()
        rendered.append({s: stem_stats(stems[i]) for i, s in enumerate(STEMS)})
        if args.listen and k < 3:
            out = Path(args.listen)
            out.mkdir(parents=True, exist_ok=True)
            write_wav(out / f"render-{k}-mix.wav", stems.sum(0))
            spectrogram_png(stems.sum(0), out / f"render-{k}-mix.png")
            for i, s in enumerate(STEMS):
                write_wav(out / f"render-{k}-{s}.wav", stems[i])
                spectrogram_png(stems[i], out / f"render-{k}-{s}.png")
        g = torch.Generator().manual_seed(9_000_000 + k)
        old = generate(1, args.seconds, g, "cpu")[0].numpy()
        synth.append({s: stem_stats(old[i]) for i, s in enumerate(STEMS)})
    summary = {"eval-real": summarize(real), "renderer": summarize(rendered), "synth (old generator)": summarize(synth)}
    names = list(summary)
    print(f"measured in {time.time() - t0:.0f}s: eval-real {len(real)} songs; renderer and synth {args.songs} songs x {args.seconds:.0f} s "
          f"(pack {args.pack}, gpl={args.gpl})\n")
    print("| stem | statistic | " + " | ".join(names) + " |")
    print("|---|---|" + "---:|" * len(names))
    for stem in STEMS:
        ref = summary["eval-real"].get(stem)
        rows = [("spectrum distance to eval-real, dB", lambda s: float(np.abs(s["band_db"] - ref["band_db"]).mean()) if ref else float("nan")),
                ("spectral centroid, Hz", lambda s: s["centroid"]), ("crest factor, dB", lambda s: s["crest"]),
                ("loudness range (400 ms, p95-p10), dB", lambda s: s["lra"]), ("active time (within 30 dB of max)", lambda s: s["active"]),
                ("stereo width (side/mid), dB", lambda s: s["width"])]
        for label, fn in rows:
            cells = [f"{fn(summary[n][stem]):.2f}" if stem in summary[n] else "-" for n in names]
            print(f"| {stem} | {label} | " + " | ".join(cells) + " |")
    print("\nlong-term spectrum per octave band (dB re total power), band edges Hz:", BANDS)
    for n in names:
        for stem in STEMS:
            if stem in summary[n]:
                print(f"{n:>22} {stem:>7}: " + " ".join(f"{v:6.1f}" for v in summary[n][stem]["band_db"]))
    if args.json:
        Path(args.json).write_text(json.dumps({n: {s: {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in d.items()}
                                                    for s, d in summary[n].items()} for n in names}, indent=1))


if __name__ == "__main__":
    main()
