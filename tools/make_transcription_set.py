#!/usr/bin/env python3
"""Labelled songs for measuring note transcription of bass and vocals (scripts/eval-midi.ts).

Renders songs with tools/stemsafe_tools/render.py (version 2, phrases in key) and recovers the notes
the renderer played by instrumenting it at run time (the renderer itself is not changed: its
functions are wrapped here, and songs come out bit-identical to an uninstrumented render):
  * bass   — every render.Track.add made inside render_bass: onset (s), gate (s), the item's MIDI
             note plus the semitone shift, and the gain;
  * vocals — the lead melody of the two paths whose notes are known: the ALYS voice (_alys_line:
             Track.add events, MIDI = item's note + shift) and speech sung on a melody (_sung_line:
             the notes handed to vocalize.sing). Songs whose vocals came from another path (real
             sung phrases, speech), had spoken words over the singing, or sang harmonies (a
             monophonic transcription cannot be scored on chords) are skipped, as are songs whose
             bass or vocal stem the renderer silenced. A double-tracked second take of _sung_line
             (the same notes a few ms late, detuned by at most 0.1 semitone) is kept: it sounds
             like the lead.
Times are within the file: render_song cuts `pre` samples from the start (its first draw of
random.Random(seed * 7919 + 1)); notes that begin before the file does are dropped, as are notes
that begin after it ends.

Writes OUT/song-<n>-{mix,bass,vocals}.wav (16-bit, 44.1 kHz; the stems as rendered: they sum with
drums and other to the mix) and OUT/labels.json: per song its seed, tempo, key and the notes of
each stem as [onset s, offset s, MIDI, velocity 0..1], with <stem>Held: the end (s) of a note that
began before the file (0 if none). Seeds from 960,000,000 on (training draws
below 900,000,000, validation from 950,000,000).

usage: nice -n 19 /usr/bin/python3 tools/make_transcription_set.py --out .transcription [--songs 40] [--seconds 15]
       [--pack .pack/train] [--max-tries 400]
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools import render, vocalize  # noqa: E402
from stemsafe_tools.audio_io import write_wav  # noqa: E402
from stemsafe_tools.pack import Bank  # noqa: E402

SEED_BASE = 960_000_000


class Recorder:
    """What the wrapped renderer functions saw during one render_song call."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.context: str | None = None
        self.paths: list[str] = []  # vocal paths taken, in order
        self.bass: list[dict] = []
        self.alys: list[dict] = []
        self.sung: list[list] = []  # the notes of each vocalize.sing call

    def install(self):
        rec = self
        add = render.Track.add

        def recording_add(track, item, t, gain, **kw):
            if rec.context in ("bass", "alys"):
                it = track.group.items[item]
                getattr(rec, rec.context).append({"t": float(t), "gain": float(gain), "semis": float(kw.get("semis", 0.0)),
                                                  "gate": kw.get("gate"), "midi": it.get("midi"), "track": id(track)})
            return add(track, item, t, gain, **kw)
        render.Track.add = recording_add

        def within(name, fn, path=None):
            def wrapped(*args, **kw):
                outer = rec.context
                rec.context = name
                if path:
                    rec.paths.append(path)
                try:
                    return fn(*args, **kw)
                finally:
                    rec.context = outer
            return wrapped
        render.render_bass = within("bass", render.render_bass)
        render._alys_line = within("alys", render._alys_line, "alys")
        render._sung_line = within("sung", render._sung_line, "sung")
        render._phrase_line = within("phrases", render._phrase_line, "phrases")
        render._spoken_line = within("spoken", render._spoken_line, "spoken")
        sing = vocalize.sing

        def recording_sing(x, notes, out_len, **kw):
            if rec.context == "sung":
                rec.sung.append([(float(a), float(d), float(m)) for a, d, m in notes])
            return sing(x, notes, out_len, **kw)
        vocalize.sing = recording_sing


def bass_notes(rec: Recorder) -> list:
    out = []
    for e in rec.bass:
        if e["midi"] is None:
            raise ValueError("a bass item without a MIDI note")
        out.append((e["t"], e["gate"], e["midi"] + e["semis"], e["gain"]))
    return out


def vocal_notes(rec: Recorder) -> tuple[list | None, str]:
    """The lead melody's notes, or None and why the song is skipped."""
    if rec.paths != ["alys"] and rec.paths != ["sung"]:
        return None, "vocals from " + ("+".join(rec.paths) or "nothing")
    if rec.paths == ["alys"]:
        tracks = {e["track"] for e in rec.alys}
        if len(tracks) != 1:
            return None, "harmonies"
        return [(e["t"], e["gate"], e["midi"] + e["semis"], e["gain"]) for e in rec.alys], "alys"
    if not rec.sung:
        return None, "no sung notes"
    lead = rec.sung[0]
    for other in rec.sung[1:]:
        double = len(other) == len(lead) and all(abs(o[2] - n[2]) <= 0.1 + 1e-9 and 0 < o[0] - n[0] < 0.05 for o, n in zip(other, lead))
        if not double:
            return None, "harmonies"
    return [(a, d, m, 1.0) for a, d, m in lead], "sung"


def in_file(notes, pre: float, seconds: float) -> tuple[list, float]:
    """[onset, offset, MIDI, velocity] within the file, sorted, MIDI rounded to 0.01; and when the
    last note that began before the file (and still sounds in it) ends, 0 if none: the scorer
    leaves out that stretch, where the file holds a note whose onset it does not."""
    out, held = [], 0.0
    for t, gate, midi, vel in notes:
        onset = t - pre
        offset = min(seconds, onset + (gate if gate is not None else 0.25))
        if onset < 0:
            held = max(held, offset)
            continue
        if onset >= seconds:
            continue
        out.append([round(onset, 4), round(offset, 4), round(float(midi), 2), round(min(1.0, float(vel)), 3)])
    return sorted(out), round(held, 4)


def parts(bass: list, vocals: list, pre: float, seconds: float) -> dict:
    """Each part's notes in the file and, as <part>Held, the end of a note it begins inside of."""
    out = {}
    for name, notes in (("bass", bass), ("vocals", vocals)):
        out[name], out[name + "Held"] = in_file(notes, pre, seconds)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--songs", type=int, default=40)
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--pack", type=Path, default=Path(".pack/train"))
    ap.add_argument("--max-tries", type=int, default=400)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    bank = Bank(args.pack, gpl=True)
    rec = Recorder()
    rec.install()
    labels, skipped = [], {}
    seed = SEED_BASE
    while len(labels) < args.songs and seed < SEED_BASE + args.max_tries:
        rec.reset()
        stems = render.render_song(bank, seed, args.seconds, phrases_in_key=True, version=2).numpy()
        pre = int(random.Random(seed * 7919 + 1).uniform(0, 1.0) * render.SR) / render.SR  # render_song's first draw
        vocals, why = vocal_notes(rec)
        energy = (stems ** 2).sum(axis=(1, 2))
        if vocals is not None and (energy[0] == 0 or energy[2] == 0):
            vocals, why = None, "a silenced stem"
        if vocals is None:
            skipped[why] = skipped.get(why, 0) + 1
            print(f"seed {seed}: skipped ({why})", flush=True)
            seed += 1
            continue
        song = render.plan(seed, args.seconds + 1.0)
        n = len(labels)
        name = f"song-{n:03d}"
        write_wav(args.out / f"{name}-mix.wav", stems.sum(0).astype(np.float32))
        write_wav(args.out / f"{name}-bass.wav", stems[2].astype(np.float32))
        write_wav(args.out / f"{name}-vocals.wav", stems[0].astype(np.float32))
        labels.append({"name": name, "seed": seed, "seconds": args.seconds, "bpm": round(song.bpm, 3), "key": song.key,
                       "scale": list(song.scale), "vocalPath": why,
                       **parts(bass_notes(rec), vocals, pre, args.seconds)})
        print(f"seed {seed}: {name} ({why}, {len(labels[-1]['bass'])} bass notes, {len(labels[-1]['vocals'])} vocal notes)", flush=True)
        seed += 1
        (args.out / "labels.json").write_text(json.dumps({"songs": labels, "skipped": skipped, "command": " ".join(sys.argv)}, indent=1) + "\n")
    # the set is whole: scripts/eval-midi.ts renders it again when this mark is missing (an interrupted run)
    (args.out / "labels.json").write_text(json.dumps({"songs": labels, "skipped": skipped, "command": " ".join(sys.argv),
                                                      "complete": True}, indent=1) + "\n")
    print(f"{len(labels)} songs, skipped {skipped}")


if __name__ == "__main__":
    main()
