"""Training-song renderer: multitrack songs played by real recordings from a pack (stemsafe_tools.pack).

A song is planned from its seed alone (Python `random.Random(seed)` and a CPU torch.Generator
for theory.progression), so the same seed gives the same song on any device:

* arrangement — tempo, swing, key and scale, a chord progression (random as in synth.py or a
  common one), song sections (intro/verse/chorus/bridge/break) with their own energy and
  instrumentation, fills and crashes at section changes;
* drums — one sampled kit (DrumGizmo Muldjord, Hydrogen kits, SF2 kits) playing groove
  templates (rock, half-time, four-on-the-floor, funk, shuffle, jazz ride, one-drop, ballad)
  with accents, ghost notes, velocity layers, round robin, open-hat choke, optional body
  percussion;
* bass — double bass or SF2 electric basses: roots, root-fifth, octaves, walking lines,
  lines that follow the kick;
* other — 1 to 3 of piano, e-piano, organ, vibraphone, strings, pads, brass, guitars (strums,
  power chords through distortion, muted staccato, arpeggios) and lead lines (sax, trumpet,
  flute, saw lead) with voice-led chords;
* vocals — melodies sung by the ALYS voice (recorded on about C#4, pitch measured per item;
  re-pitched by a variable-rate read pointer with glides, vibrato and drift; formants move with
  the pitch ratio) with optional harmonies, or real singing phrases (vocadito, Dagstuhl
  ChoirSet; in their own keys, not the song's, unless phrases_in_key) and speech (LJSpeech) placed on the
  phrase grid;
* mix — per-track EQ, compression, distortion, reverb and delay, panning, random stem balance and
  loudness, and a bus limiter applied to all stems alike (the stems always sum to the mix).

Samples are pitch-shifted by resampling from the nearest recorded note; timing is humanised.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

import torch

from . import amp, fx, theory, vocalize
from .pack import Bank, SampleGroup

STEMS = ("vocals", "drums", "bass", "other")
SR = fx.SR
# Song seeds: training runs draw from [0, 900_000_000) (train_seed), validation songs from
# VALIDATION_SEED_BASE on, so no validation song is ever rendered for training.
VALIDATION_SEED_BASE = 950_000_000


def train_seed(run_seed: int, k: int) -> int:
    """Seed of the k-th training song of a run."""
    return (run_seed * 1_000_003 + k) % 900_000_000

# The groups of the version-1 pack, in its order. Version 1 of the renderer plays only these, so songs
# rendered from a seed before the pack grew (the analysis test sets of tools/make_analysis_set.py)
# come out the same from today's pack.
V1_GROUPS = (
    "alys", "singing", "speech", "muldjord", "bodyperc", "guitar-black", "guitar-green", "doublebass", "piano", "sax",
    "sf2-epiano", "sf2-epiano2", "sf2-organ", "sf2-rockorgan", "sf2-steelguitar", "sf2-nylonguitar", "sf2-cleanguitar",
    "sf2-overdrive", "sf2-distortion", "sf2-strings", "sf2-slowstrings", "sf2-brass", "sf2-trumpet", "sf2-flute",
    "sf2-warmpad", "sf2-sawlead", "sf2-vibraphone", "sf2-fingerbass", "sf2-pickbass", "sf2-fretless", "sf2-synthbass",
    "sf2-slapbass", "sf2kit-std", "sf2kit-power", "sf2kit-room", "sf2kit-brush", "h2-audiophob", "h2-rumpfkitz01h2",
    "h2-bjapacific", "h2-colomboacousticdrumkit", "h2-theblackpearl10", "h2-millomultilayered2")
# Version 2 (the stem bank): every group except GPL-2-only sources (a GPL-3 model cannot honour them).
VERSIONS = (1, 2)


class View:
    """The groups of a Bank that one renderer version plays (Bank's interface: groups, by)."""

    def __init__(self, bank: Bank, version: int):
        if version not in VERSIONS:
            raise ValueError(f"renderer version {version}: one of {VERSIONS}")
        if version == 1:
            keep = [n for n in bank.groups if n in V1_GROUPS]
        else:
            keep = [n for n, g in bank.groups.items() if not bank.sources.get(g.source, {}).get("gpl2_only")]
        self.groups = {n: bank.groups[n] for n in keep}
        self.sources = bank.sources

    def by(self, stem: str, kind: str | None = None) -> list[SampleGroup]:
        return [g for g in self.groups.values() if g.stem == stem and (kind is None or g.kind == kind)]


def _weighted(rng, items: list, weights: list):
    return rng.choices(items, weights=weights, k=1)[0]


# groove templates: role -> [(16th step in the bar, velocity)]
GROOVES = {
    "rock": {"kick": [(0, .95), (8, .9)], "snare": [(4, .95), (12, .95)], "hihat_closed": [(s, .8 if s % 4 == 0 else .6) for s in range(0, 16, 2)]},
    "halftime": {"kick": [(0, .95), (10, .8)], "snare": [(8, 1.)], "hihat_closed": [(s, .7 if s % 4 == 0 else .5) for s in range(0, 16, 2)]},
    "disco": {"kick": [(s, .95) for s in (0, 4, 8, 12)], "snare": [(4, .9), (12, .9)], "hihat_open": [(s, .7) for s in (2, 6, 10, 14)],
              "hihat_closed": [(s, .4) for s in (1, 3, 5, 7, 9, 11, 13, 15)]},
    "funk": {"kick": [(0, .95), (3, .7), (10, .85)], "snare": [(4, .95), (12, .95), (7, .25), (9, .2), (15, .25)],
             "hihat_closed": [(s, .75 if s % 2 == 0 else .45) for s in range(16)]},
    "shuffle": {"kick": [(0, .9), (8, .85), (14, .6)], "snare": [(4, .9), (12, .9)], "hihat_closed": [(s, .7) for s in range(0, 16, 2)]},
    "jazz": {"ride": [(0, .8), (4, .8), (6, .55), (8, .8), (12, .8), (14, .55)], "hihat_closed": [(4, .5), (12, .5)],
             "kick": [(0, .4)], "snare": [(10, .3), (15, .25)]},
    "onedrop": {"kick": [(8, .9)], "snare": [(8, .8)], "hihat_closed": [(s, .6) for s in (2, 6, 10, 14)]},
    "ballad": {"kick": [(0, .85), (10, .6)], "snare": [(8, .8)], "ride": [(s, .55) for s in (0, 4, 8, 12)]},
}
SWING = {"shuffle": (0.5, 0.67), "jazz": (0.4, 0.67), "funk": (0.0, 0.2)}  # delay of the off-beat 8th, in 16ths
SECTIONS = [("intro", 0.45), ("verse", 0.65), ("chorus", 1.0), ("bridge", 0.75), ("break", 0.3)]


@dataclass
class Song:
    seed: int
    bpm: float
    swing: float
    key: int  # MIDI pitch class base (0..11)
    scale: tuple
    chords: list  # chord root degree per half bar
    sections: list  # per bar: (name, energy, first bar of section?, last bar?)
    groove: str
    step: float = field(init=False)

    def __post_init__(self):
        self.step = 15.0 / self.bpm

    @property
    def bar(self) -> float:
        return 16 * self.step

    def time(self, bar: int, step: float) -> float:
        s = step + (self.swing if int(step) % 4 == 2 and step == int(step) else 0.0)
        return (bar * 16 + s) * self.step

    def chord(self, bar: int, step: float) -> int:
        return self.chords[min(len(self.chords) - 1, bar * 2 + (1 if step >= 8 else 0))]


def plan(seed: int, seconds: float) -> Song:
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    root, scale, degrees = theory.progression(g, 1, "cpu")  # shared with synth.py
    scale_t = tuple(int(v) for v in scale[0].tolist())
    degs = [int(d) for d in degrees[0].tolist()] if rng.random() < 0.35 else list(rng.choice(theory.COMMON_PROGRESSIONS))
    groove = rng.choice(list(GROOVES))
    bpm = rng.uniform(*{"ballad": (62, 90), "jazz": (90, 180), "disco": (110, 130), "halftime": (120, 170),
                        "onedrop": (65, 85), "funk": (85, 115)}.get(groove, (80, 160)))
    swing = rng.uniform(*SWING.get(groove, (0.0, 0.1)))
    bars = int(math.ceil(seconds / (16 * 15.0 / bpm))) + 1
    per_chord = rng.choice((1, 1, 2)) if bpm < 110 else rng.choice((1, 2, 2))  # half bars per chord
    chords = [degs[(h // per_chord) % 4] for h in range(2 * bars)]
    sections = []
    kinds = [s for s, _ in SECTIONS]
    kind = rng.choice(kinds)
    while len(sections) < bars:
        length = rng.choice((2, 4, 4, 8))
        energy = dict(SECTIONS)[kind] * rng.uniform(0.85, 1.1)
        for b in range(length):
            sections.append((kind, energy, b == 0, b == length - 1))
        kind = rng.choice([k for k in kinds if k != kind])
    return Song(seed, bpm, swing, int(root.item()) % 12, scale_t, chords, sections[:bars], groove)


class Track:
    """Events for one sample group, rendered into a stereo buffer."""

    def __init__(self, group: SampleGroup):
        self.group = group
        self.ev = {k: [] for k in ("off", "len", "start", "ratio", "gain", "pan", "gate", "release")}

    def add(self, item: int, t: float, gain: float, *, semis: float = 0.0, pan: float = 0.0, gate: float | None = None,
            release: float = 0.08, src_skip: int = 0):
        it = self.group.items[item]
        self.ev["off"].append(it["offset"] + src_skip)
        self.ev["len"].append(max(2, it["length"] - src_skip))
        self.ev["start"].append(max(0, int(round(t * SR))))
        self.ev["ratio"].append(2.0 ** (semis / 12.0))
        self.ev["gain"].append(gain)
        self.ev["pan"].append(pan)
        self.ev["gate"].append(1e12 if gate is None else max(1.0, gate * SR))
        self.ev["release"].append(release)

    def render(self, L: int, device, semis_mod=None) -> torch.Tensor:
        out = torch.zeros((2, L), device=device)
        e = self.ev
        if e["start"]:
            fx.play(out, self.group.audio, e["off"], e["len"], e["start"], e["ratio"], e["gain"], e["pan"], e["gate"],
                    e["release"], semis_mod=semis_mod)
        return out


def _humanize(rng, t: float, ms: float) -> float:
    return t + rng.gauss(0.0, ms / 1000.0)


def _note(group: SampleGroup, rng, midi: float, vel: float, **kw) -> tuple[int, float]:
    """Item nearest in pitch and velocity, and the semitone shift to reach midi."""
    i = group.pick(rng, midi=midi, vel=vel, **kw)
    m = group.items[i].get("midi")
    return i, (midi - m) if m is not None else 0.0


def render_drums(song: Song, bank: Bank, rng, L: int, device, lead_in: float) -> torch.Tensor:
    kits = bank.by("drums", "kit")
    kit = rng.choice(kits)
    roles = kit.roles()
    tr = Track(kit)
    fallback = {"ride": "hihat_closed", "hihat_open": "hihat_closed", "tom": "snare", "crash": "ride", "clap": "snare"}
    push = rng.gauss(0, 0.006)
    tight = rng.uniform(2, 9)
    hats = []  # (time, open?) for choking
    pans = {"kick": 0.0, "snare": rng.uniform(-0.1, 0.1), "hihat_closed": rng.uniform(-0.4, 0.4), "ride": rng.uniform(-0.5, 0.5),
            "crash": rng.uniform(-0.5, 0.5), "clap": rng.uniform(-0.2, 0.2)}
    pans["hihat_open"] = pans["hihat_closed"]

    def hit(role, bar, step, vel):
        r = role
        while r not in roles:
            r = fallback.get(r)
            if r is None:
                return
        vel = min(1.0, max(0.05, vel + rng.gauss(0, 0.06)))
        t = _humanize(rng, song.time(bar, step) + lead_in + push, tight)
        i = kit.pick(rng, vel=vel, role=r)
        gain = (0.35 + 0.65 * vel) * {"crash": 0.5, "ride": 0.6, "hihat_closed": 0.6, "hihat_open": 0.6, "kick": 1.3}.get(r, 1.0)
        pan = pans.get(r, rng.uniform(-0.6, 0.6)) if kit.audio.shape[0] == 1 else pans.get(r, 0.0) * 0.3
        if r.startswith("hihat"):
            hats.append((t, len(tr.ev["start"])))
        tr.add(i, t, gain, pan=pan, release=0.05)

    groove = GROOVES[song.groove]
    bars = len(song.sections)
    for bar in range(bars):
        kind, energy, first, last = song.sections[bar]
        if energy < 0.4 and rng.random() < 0.5:
            continue  # drums out in quiet parts
        if first and rng.random() < 0.7:
            hit("crash", bar, 0, 0.9)
        for role, pattern in groove.items():
            if energy < 0.5 and role == "kick" and rng.random() < 0.5:
                continue
            for step, vel in pattern:
                if last and step >= 12 and rng.random() < 0.6 and role != "hihat_closed":
                    continue  # room for the fill
                if rng.random() < 0.04:
                    continue
                hit(role, bar, step, vel * (0.75 + 0.3 * energy))
        # variations: extra kicks and ghost snares
        for step in range(16):
            if rng.random() < 0.05 * energy and step % 2 == 0:
                hit("kick", bar, step, 0.7)
            if song.groove in ("rock", "funk", "shuffle") and rng.random() < 0.04:
                hit("snare", bar, step, 0.2)
        if last and rng.random() < 0.75:  # fill
            start = rng.choice((8, 12))
            voices = ["snare", "tom", "tom"] if "tom" in roles else ["snare"]
            for k, step in enumerate(range(start, 16)):
                if rng.random() < 0.85:
                    hit(voices[min(len(voices) - 1, k * len(voices) // max(1, 16 - start))], bar, step, 0.6 + 0.4 * k / (16 - start))
    # open hat choked by the next hat hit
    hats.sort()
    for (t, idx), nxt in zip(hats, hats[1:] + [(1e9, -1)]):
        tr.ev["gate"][idx] = max(1.0, (nxt[0] - t) * SR)
    out = tr.render(L, device)
    perc = bank.by("drums", "perc")
    if perc and rng.random() < 0.25:
        p = perc[0]
        pt = Track(p)
        steps = rng.sample(range(16), rng.randint(2, 5))
        for bar in range(bars):
            if song.sections[bar][1] > 0.5:
                for s in steps:
                    pt.add(p.pick(rng, vel=rng.uniform(0.4, 1.0)), _humanize(rng, song.time(bar, s) + lead_in, 8), 0.6,
                           pan=rng.uniform(-0.7, 0.7))
        out = out + pt.render(L, device) * rng.uniform(0.3, 0.8)
    return out


def _bass_line(song: Song, rng, style: str, low: int) -> list:
    """[(bar, step, midi, length_steps, vel)]"""
    notes = []
    for bar in range(len(song.sections)):
        kind, energy, first, last = song.sections[bar]
        if energy < 0.35 and rng.random() < 0.6:
            continue
        for half in (0, 8):
            deg = song.chord(bar, half)
            root = low + theory.degree_semitones(song.scale, deg)
            fifth = low + theory.degree_semitones(song.scale, deg + 4)
            nxt = low + theory.degree_semitones(song.scale, song.chord(bar + (half == 8), 0 if half == 8 else 8))
            if style == "whole":
                if half == 0 or song.chord(bar, 8) != song.chord(bar, 0):
                    notes.append((bar, half, root, 8 if song.chord(bar, 8) != deg else 16, 0.8))
            elif style == "quarters":
                for s in (0, 4):
                    notes.append((bar, half + s, root if s == 0 or rng.random() < 0.6 else fifth, 4, 0.8))
            elif style == "eighths":
                for s in range(0, 8, 2):
                    notes.append((bar, half + s, root + (12 if rng.random() < 0.1 else 0), 2, 0.75 + (0.15 if s == 0 else 0)))
            elif style == "rootfifth":
                seq = [(0, root, 3), (3, fifth, 1), (4, root + 12, 2), (6, fifth, 2)]
                for s, m, n in seq:
                    if s == 0 or rng.random() < 0.8:
                        notes.append((bar, half + s, m, n, 0.8))
            elif style == "walking":
                target = nxt
                for s, frac in ((0, 0), (2, 1), (4, 2), (6, 3)):
                    if s == 0:
                        m = root
                    elif s == 6:
                        m = target + rng.choice((-1, 1))
                    else:
                        m = low + theory.degree_semitones(song.scale, deg + frac * rng.choice((1, 2)))
                    notes.append((bar, half + s, m, 2, 0.7))
            elif style == "kick":
                pattern = [p for p, _ in GROOVES[song.groove].get("kick", [(0, 1)])]
                for s in [p - half for p in pattern if half <= p < half + 8]:
                    notes.append((bar, half + s, root, rng.choice((1, 2, 3)), 0.85))
                if rng.random() < 0.4:
                    notes.append((bar, half + 6, root + 12, 1, 0.6))
    return notes


DI_BASSES = ("bass-growly", "bass-fashion", "bass-swag")


def render_bass(song: Song, bank: Bank, rng, L: int, device, lead_in: float, version: int = 1) -> torch.Tensor:
    """Version 2 plays the DI basses most often, with staccato notes in busy lines, through
    amp.bass (direct, amp or driven)."""
    groups = bank.by("bass")
    if version == 1:
        group = rng.choice(groups)
    else:
        group = _weighted(rng, groups, [3.0 if g.name in DI_BASSES else 1.5 if g.name == "doublebass" else 1.0 for g in groups])
    low = 28 + (song.key - 28) % 12  # lowest root between E1 and D#2
    if low > 35:
        low -= 12 if rng.random() < 0.3 else 0
    low = max(low, 26)
    style = rng.choice(["whole", "quarters", "eighths", "rootfifth", "walking", "kick"] if song.groove != "jazz" else ["walking"])
    legato = rng.uniform(0.5, 1.0)
    staccato = None
    if version == 2 and style in ("eighths", "kick", "rootfifth") and rng.random() < 0.4 and any(
            it.get("articulation") == "staccato" for it in group.items):
        staccato = lambda it: it.get("articulation") == "staccato"  # noqa: E731
    tr = Track(group)
    for bar, step, midi, n, vel in _bass_line(song, rng, style, low):
        i, shift = _note(group, rng, midi, vel + rng.gauss(0, 0.05), **({"where": staccato} if staccato else {}))
        t = _humanize(rng, song.time(bar, step) + lead_in, 6)
        tr.add(i, t, 0.5 + 0.5 * vel, semis=shift, gate=n * song.step * legato, release=0.06)
    x = tr.render(L, device)
    if version == 2 and group.name in DI_BASSES:
        x = amp.bass(x, rng)
    elif rng.random() < 0.2:
        x = fx.distort(x, rng.uniform(0, 9), rng) * 0.5 + x * 0.5
    return x.mean(0, keepdim=True).expand(2, -1).clone()


def _voicing(song: Song, deg: int, center: int, rng, size: int) -> list:
    """Chord tones (MIDI) of degree deg near center, close voicing (voice leading by nearest octave)."""
    notes = []
    for d in theory.chord_degrees(deg, size):
        m = song.key + 48 + theory.degree_semitones(song.scale, d)
        m += 12 * round((center - m) / 12)
        notes.append(m)
    return sorted(notes)


def render_other_part(song: Song, group: SampleGroup, role: str, rng, L: int, device, lead_in: float, busy_bars: set,
                      opts: dict | None = None):
    """One part of "other". opts (renderer version 2): shapes (strum guitar chord shapes: root,
    fifth, octave, third, fifth, octave, as fretted), overlap (a lead may play over the vocals),
    vibrato (leads bend into some notes and have vibrato), amp (no distortion here: the caller
    puts the part through an amp)."""
    opts = opts or {}
    tr = Track(group)
    bends = []
    center = rng.randint(57, 67)
    size = 4 if rng.random() < 0.3 else 3
    sustained = any(it.get("sustained") for it in group.items[:1])
    pattern = {
        "pad": [0], "stabs": rng.choice([[4, 12], [2, 6, 10, 14], [0, 6, 12], [0, 3, 6, 10, 12]]),
        "strum": rng.choice([[0, 4, 8, 12], [0, 6, 8, 10, 14], [0, 2, 4, 6, 8, 10, 12, 14]]),
        "arp": list(range(0, 16, rng.choice((1, 2)))), "power": list(range(0, 16, 2)), "mute": list(range(16)),
    }.get(role, [0])
    pan = rng.uniform(-0.8, 0.8)
    for bar in range(len(song.sections)):
        kind, energy, first, last = song.sections[bar]
        if rng.random() > 0.35 + 0.6 * energy:
            continue
        if role == "lead":
            if bar in busy_bars and not opts.get("overlap"):
                continue
            deg = rng.randint(0, 6)
            step = 0
            while step < 16:
                n = rng.choice((1, 2, 2, 3, 4, 6))
                if rng.random() < 0.75:
                    deg = max(-3, min(9, deg + rng.choice((-2, -1, -1, 1, 1, 2))))
                    m = song.key + 60 + theory.degree_semitones(song.scale, deg)
                    m += 12 * round((center + 7 - m) / 12)
                    i, shift = _note(group, rng, m, 0.7 + 0.2 * energy)
                    tr.add(i, _humanize(rng, song.time(bar, step) + lead_in, 12), 0.8, semis=shift, pan=pan * 0.5,
                           gate=n * song.step * 0.9, release=0.1)
                    if opts.get("vibrato"):
                        bends.append(-rng.choice((1.0, 2.0)) if rng.random() < 0.2 else 0.0)
                step += n
            continue
        for step in pattern:
            if role in ("mute", "arp") and rng.random() < 0.25:
                continue
            deg = song.chord(bar, step)
            tones = _voicing(song, deg, center, rng, size)
            if role == "power":
                r = song.key + 36 + theory.degree_semitones(song.scale, deg)
                r += 12 * round((48 - r) / 12)
                tones = [r, r + 7, r + 12]
            if role == "arp":
                tones = [tones[(step // (pattern[1] - pattern[0] if len(pattern) > 1 else 1)) % len(tones)]]
            if role == "mute":
                tones = tones[:2]
            if role == "strum" and opts.get("shapes"):
                r = song.key + 40 + theory.degree_semitones(song.scale, deg)
                r = 40 + (r - 40) % 12  # root on the low strings, E2 to D#3
                third = (theory.degree_semitones(song.scale, deg + 2) - theory.degree_semitones(song.scale, deg)) % 12
                tones = [r, r + 7, r + 12, r + 12 + third, r + 19, r + 24][:rng.choice((3, 5, 6, 6))]
            nxt = [p for p in pattern if p > step]
            length = ((nxt[0] if nxt else 16) - step) * song.step
            if role == "pad":
                length = 16 * song.step if song.chord(bar, 8) == song.chord(bar, 0) else 8 * song.step
            vel = (0.55 + 0.35 * energy) * (1.0 if step % 4 == 0 else 0.85)
            t0 = song.time(bar, step) + lead_in
            down = (step // 2) % 2 == 0
            for k, m in enumerate(tones if down or role != "strum" else tones[::-1]):
                spread = k * rng.uniform(0.006, 0.02) if role == "strum" else 0.0
                art = (lambda it: it.get("articulation") == "staccato") if role == "mute" and any(it.get("articulation") == "staccato" for it in group.items) else None
                try:
                    i, shift = _note(group, rng, m, vel + rng.gauss(0, 0.05), where=art)
                except KeyError:
                    i, shift = _note(group, rng, m, vel)
                gate = length * (0.95 if role in ("pad", "arp", "strum", "power") else rng.uniform(0.3, 0.7))
                if role == "mute":
                    gate = min(gate, 0.08)
                tr.add(i, _humanize(rng, t0 + spread, 8), vel / math.sqrt(len(tones)), semis=shift,
                       pan=max(-1.0, min(1.0, pan + rng.uniform(-0.15, 0.15))), gate=gate, release=0.4 if sustained else 0.12)
            if role == "pad" and song.chord(bar, 8) != song.chord(bar, 0):
                for m in _voicing(song, song.chord(bar, 8), center, rng, size):
                    i, shift = _note(group, rng, m, vel)
                    tr.add(i, _humanize(rng, song.time(bar, 8) + lead_in, 8), vel / math.sqrt(size), semis=shift, pan=pan,
                           gate=8 * song.step * 0.95, release=0.4)
    semis_mod = None
    if bends:
        bend = torch.tensor(bends, device=device)
        rate, depth, delay = rng.uniform(4.5, 6.5), rng.uniform(0.1, 0.4), rng.uniform(0.12, 0.3)

        def semis_mod(idx, j, bend=bend):
            t = j / SR
            vib = depth * torch.sin(2 * math.pi * rate * t + idx[:, None] * 1.7) * ((t - delay) / 0.2).clamp(0.0, 1.0)
            return bend[idx, None] * torch.exp(-t / 0.06) + vib
    x = tr.render(L, device, semis_mod=semis_mod)
    if opts.get("amp"):
        return x
    if role == "power" or (group.name.startswith("guitar") and rng.random() < 0.3):
        x = fx.distort(x, rng.uniform(12, 30) if role == "power" else rng.uniform(3, 15), rng)
        x = x * (0.25 / (x.abs().max() + 1e-6))
    return x


ROLES = {
    "piano": ["stabs", "arp", "pad", "strum"], "epiano": ["stabs", "pad", "arp"], "epiano2": ["stabs", "pad"],
    "organ": ["pad", "stabs"], "rockorgan": ["pad", "stabs"], "vibraphone": ["arp", "stabs", "lead"],
    "strings": ["pad"], "slowstrings": ["pad"], "warmpad": ["pad"], "brass": ["stabs", "pad", "lead"],
    "trumpet": ["lead"], "flute": ["lead"], "sawlead": ["lead", "arp"], "sax": ["lead"],
    "guitar-black": ["strum", "power", "mute", "arp"], "guitar-green": ["strum", "power", "mute", "arp"],
    "steelguitar": ["strum", "arp"], "nylonguitar": ["arp", "strum"], "cleanguitar": ["strum", "mute", "arp"],
    "overdrive": ["power", "strum"], "distortion": ["power"],
}
# version 2: the DI guitars (through amp.guitar), the archtop's microphone take, and guitar leads
ELECTRIC_GUITARS = ("emily", "shiny-pickup", "guitar-black", "guitar-green")
ROLES_V2 = {**ROLES, "guitar-black": ["strum", "power", "mute", "arp", "lead"],
            "guitar-green": ["strum", "power", "mute", "arp", "lead"], "emily": ["strum", "power", "mute", "arp", "lead"],
            "shiny-pickup": ["strum", "arp", "mute", "lead", "power"], "shiny-mic": ["strum", "arp", "stabs"]}
# lead lines in "other" that sing like a voice (decoys: the vocals stem is the voice, not the melody)
LEADS = ("sax", "sf2-trumpet", "sf2-flute", "sf2-sawlead", "sf2-brass", "sf2-vibraphone", *ELECTRIC_GUITARS)
AMP_STYLES = {"power": ("distorted", "distorted", "crunch"), "mute": ("crunch", "distorted", "clean"),
              "lead": ("distorted", "crunch", "clean"), "strum": ("clean", "crunch", "crunch", "distorted"),
              "arp": ("clean", "clean", "crunch")}


def render_other(song: Song, bank: Bank, rng, L: int, device, lead_in: float, vocal_bars: set, g=None) -> torch.Tensor:
    groups = bank.by("other")
    roles_for = ROLES
    n = rng.choice((1, 2, 2, 3, 3))
    chosen = rng.sample(groups, min(n, len(groups)))
    out = torch.zeros((2, L), device=device)
    for grp in chosen:
        roles = roles_for.get(grp.name.replace("sf2-", ""), ["stabs"])
        role = rng.choice(roles)
        x = render_other_part(song, grp, role, rng, L, device, lead_in, vocal_bars)
        if role == "lead" and x.abs().max() == 0:  # the vocals sing in every bar: comp instead
            x = render_other_part(song, grp, "stabs", rng, L, device, lead_in, vocal_bars)
        x = _track_fx(x, rng, reverb=rng.random() < 0.6, g=g)
        level = x.pow(2).mean().sqrt().clamp(min=1e-6)
        out = out + x / level * 10 ** (rng.uniform(-6, 0) / 20)
    return out


def chord_quality(song: Song, deg: int) -> str:
    third = (theory.degree_semitones(song.scale, deg + 2) - theory.degree_semitones(song.scale, deg)) % 12
    fifth = (theory.degree_semitones(song.scale, deg + 4) - theory.degree_semitones(song.scale, deg)) % 12
    return "m7b5" if fifth == 6 else ("major" if third == 4 else "minor")


def render_strums(song: Song, group: SampleGroup, rng, L: int, device, lead_in: float) -> torch.Tensor:
    """Acoustic guitar chord strums following the song's chords: the recorded chord of the same
    quality whose root is nearest, transposed to the chord's root."""
    tr = Track(group)
    pattern = rng.choice([[0, 4, 8, 12], [0, 6, 8, 12, 14], [0, 8], [0, 3, 6, 8, 12, 14], [0, 2, 4, 6, 8, 10, 12, 14]])
    pan = rng.uniform(-0.7, 0.7)
    for bar in range(len(song.sections)):
        kind, energy, first, last = song.sections[bar]
        if rng.random() > 0.4 + 0.6 * energy:
            continue
        for k, step in enumerate(pattern):
            deg = song.chord(bar, step)
            root = (song.key + theory.degree_semitones(song.scale, deg)) % 12
            quality = chord_quality(song, deg)
            cands = [i for i, it in enumerate(group.items) if it["quality"] == quality] or list(range(len(group.items)))
            shift = {i: ((root - group.items[i]["root"] + 6) % 12) - 6 for i in cands}
            best = min(abs(v) for v in shift.values())
            near = [i for i in cands if abs(shift[i]) == best]
            vel = (0.5 + 0.4 * energy) * (1.0 if step % 4 == 0 else 0.8)
            i = min(near, key=lambda i: abs(group.items[i]["vel"] - vel) + rng.uniform(0, 0.2))
            nxt = pattern[k + 1] if k + 1 < len(pattern) else 16
            tr.add(i, _humanize(rng, song.time(bar, step) + lead_in, 10), vel, semis=shift[i],
                   pan=max(-1.0, min(1.0, pan + rng.uniform(-0.1, 0.1))), gate=(nxt - step) * song.step, release=0.15)
    return tr.render(L, device)


def render_other_v2(song: Song, bank, rng, L: int, device, lead_in: float, vocal_bars: set, g=None) -> torch.Tensor:
    """Version 2 of "other": guitars more often (the DI ones through an amp: clean, crunch or
    distorted), acoustic strums, and in 4 of 10 songs a lead instrument as a decoy, half of those
    over the vocals."""
    groups = [gr for gr in bank.by("other") if gr.kind == "pitched"]
    weights = [2.5 if gr.name in ELECTRIC_GUITARS else 1.5 if gr.name == "shiny-mic" else 1.0 for gr in groups]
    n = min(rng.choice((1, 2, 2, 3, 3)), len(groups))
    parts = []
    pool = list(zip(groups, weights))
    for _ in range(n):
        grp = _weighted(rng, [p[0] for p in pool], [p[1] for p in pool])
        pool = [p for p in pool if p[0] is not grp]
        parts.append((grp, rng.choice(ROLES_V2.get(grp.name.replace("sf2-", ""), ["stabs"])), False))
    leads = [gr for gr in groups if gr.name in LEADS]
    if leads and rng.random() < 0.4:
        parts.append((rng.choice(leads), "lead", rng.random() < 0.5))
    out = torch.zeros((2, L), device=device)
    for grp, role, overlap in parts:
        opts = dict(shapes=grp.name in ELECTRIC_GUITARS or grp.name == "shiny-mic", overlap=overlap, vibrato=True,
                    amp=grp.name in ELECTRIC_GUITARS)
        x = render_other_part(song, grp, role, rng, L, device, lead_in, vocal_bars, opts)
        if role == "lead" and x.abs().max() == 0:  # the vocals sing in every bar: comp instead
            role = "strum" if grp.name in ELECTRIC_GUITARS else "stabs"
            x = render_other_part(song, grp, role, rng, L, device, lead_in, vocal_bars, opts)
        if grp.name in ELECTRIC_GUITARS:
            x = amp.guitar(x, rng, rng.choice(AMP_STYLES.get(role, ("clean", "crunch"))), g)
        x = _track_fx(x, rng, reverb=rng.random() < 0.6, g=g)
        level = x.pow(2).mean().sqrt().clamp(min=1e-6)
        out = out + x / level * 10 ** (rng.uniform(-6, 0) / 20) * (rng.uniform(0.5, 0.9) if overlap else 1.0)
    strums = bank.groups.get("strums")
    if strums is not None and rng.random() < 0.25:
        x = _track_fx(render_strums(song, strums, rng, L, device, lead_in), rng, reverb=rng.random() < 0.5, g=g)
        level = x.pow(2).mean().sqrt().clamp(min=1e-6)
        out = out + x / level * 10 ** (rng.uniform(-6, 0) / 20)
    return out


def _melody(song: Song, rng, low: int, high: int) -> list:
    """Vocal melody: [(bar, step, midi, length_steps)] in singing sections, phrases of 1-2 bars."""
    notes = []
    bar = 0
    deg = rng.randint(0, 4)
    bars = len(song.sections)
    while bar < bars:
        kind, energy, first, last = song.sections[bar]
        phrase = rng.choice((1, 2, 2))
        if kind in ("intro", "break") and rng.random() < 0.6 or rng.random() < 0.1:
            bar += phrase
            continue
        density = rng.uniform(0.55, 0.95) * (0.8 + 0.3 * energy)
        step = rng.choice((0, 0, 2, 4))
        end = (bar + phrase) * 16 - rng.choice((2, 4, 6))
        pos = bar * 16 + step
        while pos < end:
            n = rng.choice((1, 2, 2, 2, 3, 4, 4, 6, 8))
            if rng.random() < density:
                chord = song.chord(pos // 16, pos % 16)
                if pos % 4 == 0 and rng.random() < 0.6:  # strong beats lean on chord tones
                    deg = min((c + 7 * k for c in theory.chord_degrees(chord, 3) for k in range(-3, 4)), key=lambda d: abs(d - deg))
                else:
                    deg += rng.choice((-2, -1, -1, 0, 1, 1, 2, 3, -3))
                m = song.key + 48 + theory.degree_semitones(song.scale, deg)
                while m > high:
                    m -= 12
                    deg -= 7
                while m < low:
                    m += 12
                    deg += 7
                notes.append((pos // 16, pos % 16, m, min(n, end - pos)))
            pos += n
        bar += phrase
    return notes


def fit_to_key(x, song: Song, near: float) -> float:
    """Shift (semitones) that puts the sung phrase x (mono, at SR) in the song's key: the whole
    number of semitones within +-6 that brings the most voiced time onto the song's scale (ties:
    the one nearest to `near`), plus the phrase's own tuning offset from A440, measured (YIN frames,
    circular mean of their fractional pitch). A phrase without voiced frames keeps `near`."""
    import numpy as np
    from .pitch import yin_track
    track = yin_track(x, SR, fmin=70.0, fmax=1100.0, frame=2048, hop=512)
    if len(track) < 3:
        return near
    tuning = float(np.angle(np.mean(np.exp(2j * np.pi * track))) / (2 * np.pi))  # -0.5..0.5 semitones
    pcs = np.bincount(np.round(track - tuning).astype(int) % 12, minlength=12)
    scale = {(song.key + d) % 12 for d in song.scale}
    best = max(range(-6, 7), key=lambda k: (sum(pcs[(pc - k) % 12] for pc in scale), -abs(k - near)))
    return best - tuning


def _alys_line(song: Song, sung: SampleGroup, rng, L: int, device, lead_in: float, bars_used: set) -> torch.Tensor:
    """Melody sung by the ALYS voice (recorded on about C#4), re-pitched by a variable-rate read
    pointer with glides, vibrato and drift, with optional harmonies a third above and below."""
    out = torch.zeros((2, L), device=device)
    center = rng.randint(55, 64)  # ALYS sings about C#4: keep shifts within about +-8 semitones
    notes = _melody(song, rng, center - 5, center + 7)
    vib_rate, vib_depth = rng.uniform(4.5, 6.5), rng.uniform(0.15, 0.6)
    glide_s = rng.uniform(0.03, 0.09)
    voices = [(0, 0.0, 1.0)]
    if rng.random() < 0.35:
        voices.append((2, rng.uniform(-0.5, -0.2), 0.45))
        if rng.random() < 0.5:
            voices.append((-3, rng.uniform(0.2, 0.5), 0.4))
    for vi, (harm, pan, level) in enumerate(voices):
        tr = Track(sung)
        mods = []
        last_m = None
        for bar, step, m, n in notes:
            kind = song.sections[min(bar, len(song.sections) - 1)][0]
            if harm and kind != "chorus" and rng.random() < 0.8:
                continue
            if harm:  # harmony a third above / below: the lead's scale degree moved by harm steps
                lead_deg = min(range(-14, 21), key=lambda k: abs(song.key + 48 + theory.degree_semitones(song.scale, k) - m))
                m = song.key + 48 + theory.degree_semitones(song.scale, lead_deg + harm)
            bars_used.add(bar)
            item = rng.randrange(len(sung.items))
            length = sung.items[item]["length"]
            dur = n * song.step
            ratio = 2 ** ((m - 60) / 12)
            need = int(dur * SR * ratio * 1.2) + 2000
            skip = rng.randrange(0, max(1, length - need)) if length > need else 0
            t = _humanize(rng, song.time(bar, step) + lead_in, 15)
            tr.add(item, t, level, semis=m - sung.items[item]["midi"], pan=pan, gate=dur * rng.uniform(0.85, 1.0), release=rng.uniform(0.05, 0.15),
                   src_skip=skip)
            glide_from = (last_m - m) if last_m is not None and abs(last_m - m) <= 7 and rng.random() < 0.7 else 0.0
            mods.append((glide_from, rng.uniform(0, 6.28), rng.uniform(-0.15, 0.15)))
            last_m = m
        if not mods:
            continue
        glide = torch.tensor([x[0] for x in mods], device=device)
        phase = torch.tensor([x[1] for x in mods], device=device)
        detune = torch.tensor([x[2] for x in mods], device=device)

        def semis_mod(idx, j, glide=glide, phase=phase, detune=detune):
            t = j / SR  # output seconds since the note began
            vib = vib_depth * torch.sin(2 * math.pi * vib_rate * t + phase[idx, None]) * (t / 0.25).clamp(max=1.0) * (t > 0.12)
            return glide[idx, None] * torch.exp(-t / glide_s) + vib + detune[idx, None]

        out = out + tr.render(L, device, semis_mod=semis_mod)
    return out


def _phrase_line(song: Song, phrases: SampleGroup, rng, L: int, device, lead_in: float, bars_used: set,
                 phrases_in_key: bool) -> torch.Tensor:
    """Real sung phrases placed on the phrase grid, shifted by a random -3..3 semitones or, with
    phrases_in_key, into the song's key (fit_to_key)."""
    tr = Track(phrases)
    bar = rng.randrange(0, 2)
    while bar < len(song.sections):
        if song.sections[bar][0] in ("intro", "break") and rng.random() < 0.7:
            bar += 1
            continue
        item = rng.randrange(len(phrases.items))
        length = phrases.items[item]["length"]
        dur = min(rng.uniform(1.5, 6.0), length / SR)
        skip = rng.randrange(0, max(1, length - int(dur * SR)))
        semis = rng.uniform(-3, 3)
        if phrases_in_key:
            start = int(phrases.offset[item]) + skip
            semis = fit_to_key(phrases.audio[:, start:start + int(dur * SR)].mean(0).cpu().numpy(), song, semis)
        tr.add(item, song.time(bar, rng.choice((0, 2, 4))) + lead_in, 1.0, semis=semis, pan=rng.uniform(-0.15, 0.15),
               gate=dur, release=0.2, src_skip=skip)
        nb = int(math.ceil(dur / song.bar))
        bars_used.update(range(bar, bar + nb))
        bar += nb + rng.choice((0, 1, 1, 2))
    return tr.render(L, device)


def _spoken_line(song: Song, speech: SampleGroup, rng, L: int, device, lead_in: float, bars_used: set) -> torch.Tensor:
    """A few seconds of speech from one reader, placed on a bar line."""
    tr = Track(speech)
    bar = rng.randrange(0, 3)
    item = rng.randrange(len(speech.items))
    length = speech.items[item]["length"]
    dur = min(rng.uniform(2, 8), length / SR)
    tr.add(item, song.time(bar, 0) + lead_in, 0.8, semis=rng.uniform(-1.5, 1.5), gate=dur, release=0.2,
           src_skip=rng.randrange(0, max(1, length - int(dur * SR))))
    bars_used.update(range(bar, bar + int(dur / song.bar) + 1))
    return tr.render(L, device)


def _vocal_chain(out: torch.Tensor, song: Song, rng, g: torch.Generator, device) -> torch.Tensor:
    """Random EQ plus the usual presence and air boosts (the recordings are close and dark),
    compression, sometimes a tempo delay, and reverb."""
    pres_f, pres_g, air = rng.uniform(2000, 5000), rng.uniform(2, 8), rng.uniform(0, 5)
    out = fx.filt(out, lambda f: fx.eq_curve(f, rng, hp=rng.uniform(70, 160), amount=0.7)
                  * 10 ** ((pres_g * torch.exp(-0.5 * (torch.log2(f.clamp(min=1.0) / pres_f) / 0.7) ** 2)
                            + air / (1 + (8000 / f.clamp(min=1.0)) ** 2)) / 20))
    out = fx.compress(out, rng.uniform(-20, -8), rng.uniform(2, 6))
    if rng.random() < 0.3:
        out = out + fx.delay(out, song.step * rng.choice((2, 3, 4)), rng.uniform(0.2, 0.45)) * rng.uniform(0.15, 0.35)
    ir = fx.reverb_ir(rng, rng.uniform(1.0, 2.5), rng.uniform(0.8, 2.5), device, rng.uniform(0.01, 0.06), rng.uniform(0.3, 0.8), g)
    wet = fx.convolve(out, ir)
    return out + wet * rng.uniform(0.05, 0.3) * out.pow(2).mean().sqrt() / wet.pow(2).mean().sqrt().clamp(min=1e-9)


def render_vocals(song: Song, bank: Bank, rng, L: int, device, lead_in: float, g: torch.Generator, phrases_ok: bool = True,
                  phrases_in_key: bool = False):
    """Returns (vocals [2, L], set of bars with singing). phrases_ok=False: ALYS always sings (in the
    song's key) where the bank has it, never the real phrases, which are in keys of their own.
    phrases_in_key: each real phrase is shifted into the song's key (fit_to_key) instead of by a
    random -3..3 semitones (the random draws stay the same)."""
    out = torch.zeros((2, L), device=device)
    sung = bank.groups.get("alys")
    phrases = bank.groups.get("singing")
    speech = bank.groups.get("speech")
    # (no draw without ALYS, as before phrases_ok existed: songs of a pack without --gpl stay the same)
    mode = "alys" if sung is not None and (not phrases_ok or rng.random() < 0.75) else ("phrases" if phrases is not None else None)
    bars_used = set()
    if mode == "alys":
        out = out + _alys_line(song, sung, rng, L, device, lead_in, bars_used)
    elif mode == "phrases":
        out = out + _phrase_line(song, phrases, rng, L, device, lead_in, bars_used, phrases_in_key)
    if speech is not None and (mode is None or rng.random() < 0.15):
        x = _spoken_line(song, speech, rng, L, device, lead_in, bars_used)
        out = out + x / x.pow(2).mean().sqrt().clamp(min=1e-6) * out.pow(2).mean().sqrt().clamp(min=0.05)
    if out.abs().max() == 0:
        return out, bars_used
    return _vocal_chain(out, song, rng, g, device), bars_used


def _sung_line(song: Song, bank, rng, L: int, device, lead_in: float, bars_used: set) -> torch.Tensor:
    """Read speech sung on a melody (stemsafe_tools.vocalize): one reader per song, in the male or
    female range near the reader's own (now and then the other one, formants moved with it), with
    vibrato, glides, sometimes a double-tracked second take and harmonies in the choruses."""
    groups = [gr for gr in bank.by("vocals", "speech") if gr.f0 is not None]
    grp = _weighted(rng, groups, [len(gr.items) for gr in groups])
    items = [i for i, it in enumerate(grp.items) if it.get("midi") is not None and it.get("f0_frames", 0) > 0]
    if not items:
        return torch.zeros((2, L), device=device)
    i = rng.choice(items)
    it = grp.items[i]
    sex = it.get("sex") or ("m" if it["midi"] < 52.5 else "f")
    flip = rng.random() < 0.12
    target = sex if not flip else ("f" if sex == "m" else "m")
    center = rng.randint(50, 59) if target == "m" else rng.randint(59, 68)
    formant = rng.uniform(0.95, 1.05) * ((1.15 if target == "f" else 0.87) if flip else 1.0)
    legato = rng.uniform(0.75, 1.0)
    melody = _melody(song, rng, center - 5, center + 7)
    notes = sorted((max(0.0, song.time(bar, step) + lead_in + rng.gauss(0, 0.01)), n * song.step * legato, m, bar)
                   for bar, step, m, n in melody)
    clean = []
    for start, dur, m, bar in notes:  # the vocalizer needs notes in order, without overlaps
        if clean and start < clean[-1][0] + clean[-1][1]:
            clean[-1] = (clean[-1][0], max(0.05, start - clean[-1][0] - 0.01), clean[-1][2], clean[-1][3])
        clean.append((start, dur, m, bar))
    notes = [n for n in clean if n[0] * SR < L]
    if not notes:
        return torch.zeros((2, L), device=device)
    bars_used.update(n[3] for n in notes)
    x = bank.groups[grp.name].audio[0, it["offset"]:it["offset"] + it["length"]].cpu().numpy()
    f0 = grp.item_f0(i)
    n_runs = max(1, len(vocalize.voiced_runs(f0)))
    first_run = rng.randrange(n_runs)

    def voice(timed, formant_shift, vib_phase):
        rate, depth, glide_s = rng.uniform(4.5, 6.5), rng.uniform(0.1, 0.5), rng.uniform(0.02, 0.06)
        glides = [0.0] + [(a[2] - b[2]) if abs(a[2] - b[2]) <= 7 and rng.random() < 0.6 else 0.0 for a, b in zip(timed, timed[1:])]
        drift = [rng.uniform(-0.12, 0.12) for _ in timed]

        def semis_fn(t, k, tn):
            vib = depth * math.sin(2 * math.pi * rate * tn + vib_phase + k) * min(1.0, tn / 0.25) * (tn > 0.1)
            return glides[k] * math.exp(-tn / glide_s) + vib + drift[k]
        y, _ = vocalize.sing(x, [(a, d, m) for a, d, m, _ in timed], L, formant=formant_shift, semis_fn=semis_fn,
                             first_run=first_run, f0=f0)
        return torch.from_numpy(y).to(device)

    lead = voice(notes, formant, 0.0)
    out = torch.stack([lead, lead])
    if rng.random() < 0.3:  # a second take: a little late, a little off pitch, panned against the first
        late = rng.uniform(0.012, 0.035)
        detune = rng.uniform(-0.1, 0.1)
        double = voice([(a + late, d, m + detune, b) for a, d, m, b in notes], formant * rng.uniform(0.98, 1.02), 1.3)
        pan = rng.uniform(0.3, 0.8)
        level = rng.uniform(0.5, 0.9)
        out = torch.stack([lead * (1 - pan * 0.5) + double * level * pan * 0.5, lead * (1 - pan * 0.5) * 0.9 + double * level])
    if rng.random() < 0.35:  # harmony a third above or below in the choruses
        harm = rng.choice((2, -2))
        scale_notes = lambda m: min(range(-14, 21), key=lambda k: abs(song.key + 48 + theory.degree_semitones(song.scale, k) - m))  # noqa: E731
        chorus = [(a, d, song.key + 48 + theory.degree_semitones(song.scale, scale_notes(m) + harm), b) for a, d, m, b in notes
                  if song.sections[min(b, len(song.sections) - 1)][0] == "chorus"]
        if chorus:
            y = voice(chorus, formant * rng.uniform(0.97, 1.03), 2.1) * rng.uniform(0.35, 0.6)
            pan = rng.uniform(-0.6, 0.6)
            out = out + torch.stack([y * (1 - pan) * 0.7, y * (1 + pan) * 0.7])
    return out


def render_vocals_v2(song: Song, bank, rng, L: int, device, lead_in: float, g: torch.Generator, phrases_in_key: bool = True):
    """Version 2 of the vocals: one of ALYS melodies, real sung phrases (the PJS songs, NIT, the
    singing snippets), speech sung on a melody (_sung_line, the most common) or plain speech; now
    and then spoken words over the singing. Returns (vocals [2, L], bars with singing)."""
    out = torch.zeros((2, L), device=device)
    bars_used: set = set()
    phrase_groups = bank.by("vocals", "phrase")
    speech_groups = bank.by("vocals", "speech")
    modes, weights = [], []
    for mode, weight, ok in (("alys", 0.2, "alys" in bank.groups), ("phrases", 0.25, bool(phrase_groups)),
                             ("sung", 0.45, any(gr.f0 is not None for gr in speech_groups)), ("spoken", 0.1, bool(speech_groups))):
        if ok:
            modes.append(mode)
            weights.append(weight)
    if not modes:
        return out, bars_used
    mode = _weighted(rng, modes, weights)
    if mode == "alys":
        out = out + _alys_line(song, bank.groups["alys"], rng, L, device, lead_in, bars_used)
    elif mode == "phrases":
        grp = _weighted(rng, phrase_groups, [0.5 if gr.name == "pjs-song" else 0.25 for gr in phrase_groups])
        out = out + _phrase_line(song, grp, rng, L, device, lead_in, bars_used, phrases_in_key)
    elif mode == "sung":
        out = out + _sung_line(song, bank, rng, L, device, lead_in, bars_used)
    if speech_groups and (mode == "spoken" or rng.random() < 0.1):
        x = _spoken_line(song, rng.choice(speech_groups), rng, L, device, lead_in, bars_used)
        out = out + x / x.pow(2).mean().sqrt().clamp(min=1e-6) * out.pow(2).mean().sqrt().clamp(min=0.05)
    if out.abs().max() == 0:
        return out, bars_used
    return _vocal_chain(out, song, rng, g, device), bars_used


def _track_fx(x: torch.Tensor, rng, reverb: bool, g=None, hp=(40, 150)) -> torch.Tensor:
    """EQ (high-pass in the hp range, Hz), optional compression and reverb."""
    if x.abs().max() == 0:
        return x
    x = fx.filt(x, lambda f: fx.eq_curve(f, rng, hp=rng.uniform(*hp)))
    if rng.random() < 0.6:
        x = fx.compress(x, rng.uniform(-18, -6), rng.uniform(1.5, 4))
    if reverb:
        ir = fx.reverb_ir(rng, rng.uniform(0.5, 2.0), rng.uniform(0.3, 2.0), x.device, rng.uniform(0.0, 0.03), rng.uniform(0.2, 0.8), g)
        wet = fx.convolve(x, ir)
        x = x + wet * rng.uniform(0.05, 0.35) * x.pow(2).mean().sqrt() / wet.pow(2).mean().sqrt().clamp(min=1e-9)
    return x


def render_song(bank: Bank, seed: int, seconds: float, device="cpu", vocal_phrases: bool = True,
                phrases_in_key: bool = False, version: int = 1) -> torch.Tensor:
    """Stems [4, 2, L] (vocals, drums, bass, other) of one song; their sum is the mix (peak <= 0.98).
    vocal_phrases=False: see render_vocals (songs whose every pitched part is in the labelled key);
    phrases_in_key: the real sung phrases are shifted into the song's key (render_vocals).
    version 1: the renderer the analysis test sets were made with (version-1 groups only);
    version 2: the stem bank's (render_vocals_v2, render_bass with DI basses, render_other_v2)."""
    bank = View(bank, version)
    song = plan(seed, seconds + 1.0)
    rng = random.Random(seed * 7919 + 1)
    g = torch.Generator().manual_seed(seed + 17)
    L = int(round(seconds * SR))
    pre = int(rng.uniform(0, 1.0) * SR)  # start inside the song, with reverb tails already running
    total = L + pre
    lead_in = 0.0
    if version == 1:
        vocals, vocal_bars = render_vocals(song, bank, rng, total, device, lead_in, g, phrases_ok=vocal_phrases,
                                           phrases_in_key=phrases_in_key)
    else:
        vocals, vocal_bars = render_vocals_v2(song, bank, rng, total, device, lead_in, g, phrases_in_key=phrases_in_key)
    drums = _track_fx(render_drums(song, bank, rng, total, device, lead_in), rng, reverb=rng.random() < 0.5, g=g, hp=(20, 45))
    if drums.abs().max() > 0:
        drums = fx.compress(drums, rng.uniform(-15, -5), rng.uniform(2, 5), release_frames=9)
    bass = _track_fx(render_bass(song, bank, rng, total, device, lead_in, version), rng, reverb=False, g=g, hp=(20, 35))
    if bass.abs().max() > 0:
        bass = fx.compress(bass, rng.uniform(-16, -6), rng.uniform(2, 6))
    other = (render_other if version == 1 else render_other_v2)(song, bank, rng, total, device, lead_in, vocal_bars, g)
    stems = torch.stack([vocals, drums, bass, other])[..., pre:]
    # stem balance relative to the vocals, some songs without a stem
    balance_db = [0.0, rng.uniform(-4, 3), rng.uniform(-7, 1), rng.uniform(-6, 2)]
    rms = stems.pow(2).mean(dim=(1, 2)).sqrt()
    ref = rms[rms > 0].mean() if (rms > 0).any() else torch.tensor(1.0, device=device)
    for s in range(4):
        if rms[s] > 0:
            stems[s] = stems[s] / rms[s] * ref * 10 ** (balance_db[s] / 20)
    if rng.random() < 0.1:  # some songs lack a stem (instrumentals, a cappella parts)
        stems[rng.randrange(4)] = 0
    mix_rms = stems.sum(0).pow(2).mean().sqrt().clamp(min=1e-9)
    stems = stems * (10 ** (rng.uniform(-24, -9) / 20) / mix_rms)
    return fx.limit(stems, ceiling=0.98)


def render_batch(bank: Bank, seeds, seconds: float, device="cpu") -> torch.Tensor:
    return torch.stack([render_song(bank, int(s), seconds, device) for s in seeds])


def validation_songs(bank: Bank, count: int, seconds: float, device="cpu", silent_db: float = -40.0, version: int = 1):
    """Validation set: songs from seeds VALIDATION_SEED_BASE, +1, ...; a song with a stem more than
    silent_db below the mix is skipped (uSDR needs every reference), as tools/make_testset.py does.
    Returns (stems [count, 4, 2, L], seeds)."""
    songs, seeds = [], []
    seed = VALIDATION_SEED_BASE
    while len(songs) < count:
        x = render_song(bank, seed, seconds, device, phrases_in_key=version == 2, version=version)
        energy = x.pow(2).sum(dim=(1, 2))
        if seed - VALIDATION_SEED_BASE >= 20 * count or bool((energy > x.sum(0).pow(2).sum() * 10 ** (silent_db / 10)).all()):
            songs.append(x)
            seeds.append(seed)
        seed += 1
    return torch.stack(songs), seeds
