#!/usr/bin/env python3
"""Pack the real recordings a training run renders songs from into one small folder.

Sources: ../shared/train-audio (see its README), Debian's fluid-soundfont-gm and
musescore-general-soundfont-lossless (SF2 presets pre-rendered note by note here, with
stemsafe_tools.sf2), avldrums.lv2-soundfont (two acoustic kits as SF2), hydrogen-drumkits
(drumkit.xml + layer files) and hydrogen-drumkits-effects (acoustic guitar chord strums). Every sample is
decoded, trimmed (leading silence, a per-group maximum length, 20 ms fade-out) and
concatenated with its group's other samples into one Ogg Opus file; index.json records each
sample's offset, length, MIDI note, velocity (0-1) and drum role, plus every source's licence
and credit. The renderer (stemsafe_tools.render) loads it with stemsafe_tools.pack.Bank.

Copyleft material is opt-in: --gpl adds the GPL-3 ALYS vocals, the CC BY-SA 4.0 PJS singer, and
the GPL-2+ and CC BY-SA 3.0 drum kits (hydrogen, avldrums); index.json says whether it is in the
pack, and a model trained with it must be released under GPL-3 (the run's config records it).

usage: /usr/bin/python3 tools/pack_train.py OUT [--gpl] [--train-audio ../shared/train-audio] [--max-items N]
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.audio_io import SR, decode, decode_many, encode  # noqa: E402
from stemsafe_tools.pitch import pure_tone, yin_midi  # noqa: E402
from stemsafe_tools.sf2 import SoundFont  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FLUID = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
MUSESCORE = Path("/usr/share/sounds/sf2/MuseScore_General_Full.sf2")
HYDROGEN = Path("/usr/share/hydrogen/data/drumkits")
GAP = 2205  # 50 ms of silence between samples in a group file

SINGING_CREDITS = {"vocadito": "vocadito (Bittner et al.)", "dagstuhl_choirset": "Dagstuhl ChoirSet (Rosenzweig et al.)",
                   "multivox": "MultiVox authors"}

def singing_files(folder: Path) -> list[Path]:
    """The singing folder's files a pack reads: not the Stereo and audio360 mixes of the choirs."""
    return [p for p in files(folder) if "Stereo" not in p.name and "audio360" not in p.name]


def singing_credit(items: list) -> str:
    """Credit for the singing group: the datasets its kept items come from."""
    kept = [c for prefix, c in SINGING_CREDITS.items() if any(it["name"].startswith(prefix + "-") for it in items)]
    return ", ".join(kept) + "; via mirdata test resources"


SOURCES = {
    "alys": dict(licence="GPL-3.0", copyleft=True, credit="ALYS voicebank (oxygen-dioxide/ALYS-jpn-plus)",
                 folder="vocals-alys-gpl3"),
    # credit: the datasets whose files the pack kept (singing_credit)
    "singing": dict(licence="CC-BY-4.0", folder="singing-snippets-ccby"),
    "speech": dict(licence="public domain", credit="LJSpeech (K. Ito)", folder="speech-ljspeech-pd"),
    "muldjord": dict(licence="CC-BY-4.0", credit="Drum samples provided by DrumGizmo.org (MuldjordKit)",
                     folder="drums-muldjord-ccby"),
    "bodyperc": dict(licence="CC0-1.0", credit="sfzinstruments/body_percussion", folder="percussion-body-cc0"),
    "guitar": dict(licence="CC0-1.0", credit="Karoryfer black-and-green guitars", folder="guitar-karoryfer-cc0"),
    "doublebass": dict(licence="CC0-1.0", credit="dsmolken double bass; Karoryfer meatbass", folder="bass-doublebass-cc0"),
    "piano": dict(licence="public domain", credit="Splendid Grand Piano (AKAI S5000)", folder="piano-splendid-pd"),
    "sax": dict(licence="CC0-1.0", credit="Karoryfer weresax", folder="sax-weresax-cc0"),
    "karoryfer-bass": dict(licence="CC0-1.0", credit="Karoryfer Lecolds: Growly, Fashion and Swag basses (DI)",
                           folder="bass-growly-cc0"),
    "karoryfer-guitar": dict(licence="CC0-1.0", credit="Karoryfer Lecolds: Shiny archtop guitar (mic and pickup), Emily "
                             "electric guitar (DI)", folder="guitar-shiny-cc0"),
    "pjs": dict(licence="CC-BY-SA-4.0", copyleft=True, credit="PJS corpus v1.1 (J. Koguchi, S. Takamichi, M. Morise): "
                "96 a cappella songs and read speech of one singer", folder="singing-pjs-ccbysa"),
    "nit": dict(licence="CC-BY-3.0", credit="NIT-SONG070-F001, Nagoya Institute of Technology (via nnsvs)",
                folder="singing-nit-ccby"),
    "librispeech": dict(licence="CC-BY-4.0", credit="LibriSpeech (V. Panayotov, G. Chen, D. Povey, S. Khudanpur), "
                        "LibriVox readers", folder="speech-librispeech-ccby"),
    "fleurs": dict(licence="CC-BY-4.0", credit="FLEURS (Google; A. Conneau et al.)", folder="speech-fleurs-ccby"),
    "strums": dict(licence="CC-BY-3.0", credit="Gabriel Verdugo Soto (www.belofilms.com): AC-Guitar-Strums "
                   "(Debian hydrogen-drumkits-effects)"),
    "avldrums": dict(licence="CC-BY-SA-3.0", copyleft=True, credit="AVL Drumkits (Black Pearl 4pc, Red Zeppelin 4pc), "
                     "Glen MacArthur (Debian avldrums.lv2-soundfont)"),
    "fluidr3": dict(licence="MIT", credit="FluidR3 GM SoundFont, Frank Wen (Debian fluid-soundfont-gm)"),
    "musescore": dict(licence="MIT (parts PD/CC0)", credit="MuseScore General SoundFont, S. Christian Collins "
                      "(Debian musescore-general-soundfont-lossless)"),
}
# hydrogen kit -> (licence, copyleft); from /usr/share/doc/hydrogen-drumkits/copyright. Copyleft kits are
# opt-in (--gpl). A GPL-3 model can honour GPL-2-or-later, and CC BY-SA 3.0, whose adaptations may be
# licensed under CC BY-SA 4.0 (section 4b), which is one-way compatible with GPL-3. GPL-2-only material
# cannot be combined with GPL-3: the two GPL-2-only kits below are kept in the pack only because the
# analysis test sets (tools/make_analysis_set.py, render version 1) were rendered with them; the stem
# bank's renderer (version 2) never plays them (sources marked gpl2_only).
HYDROGEN_KITS = {
    "Audiophob": ("CC0-1.0", False), "rumpf_kit_z01_h2": ("CC-BY-3.0 (Emanuel Rumpf)", False),
    "BJA_Pacific": ("CC-BY-SA-3.0-US (Luc Tanguay / Bransin James Anderson)", True),
    "circAfrique v4": ("CC-BY-SA-3.0 (Jim Harney)", True),
    "ColomboAcousticDrumkit": ("GPL-2+ with composition exception (Marcos Guglielmetti)", True),
    "ElectricEmpireKit": ("GPL-2+ (Artemiy Pavlov)", True), "HardElectro1": ("GPL-2+ (Artemiy Pavlov)", True),
    "VariBreaks": ("GPL-2+ (Artemiy Pavlov)", True),
    "The Black Pearl 1.0": ("GPL-2 (Glen MacArthur)", True), "Millo_MultiLayered2": ("GPL-2 (Emiliano Grilli)", True),
}
GPL2_ONLY = {"The Black Pearl 1.0", "Millo_MultiLayered2"}
# GM programs pre-rendered from the soundfonts: (font, program, stem, name, lowest MIDI, highest MIDI, sustained)
SF2_PRESETS = [
    ("musescore", 4, "other", "epiano", 45, 81, False), ("fluidr3", 5, "other", "epiano2", 45, 81, False),
    ("musescore", 16, "other", "organ", 45, 81, True), ("fluidr3", 18, "other", "rockorgan", 45, 81, True),
    ("musescore", 25, "other", "steelguitar", 40, 76, False), ("fluidr3", 24, "other", "nylonguitar", 40, 76, False),
    ("musescore", 27, "other", "cleanguitar", 40, 76, False), ("fluidr3", 29, "other", "overdrive", 40, 72, False),
    ("musescore", 30, "other", "distortion", 40, 72, False), ("musescore", 48, "other", "strings", 45, 81, True),
    ("fluidr3", 49, "other", "slowstrings", 45, 81, True), ("musescore", 61, "other", "brass", 48, 76, True),
    ("musescore", 56, "other", "trumpet", 55, 79, True), ("fluidr3", 73, "other", "flute", 60, 84, True),
    ("musescore", 89, "other", "warmpad", 45, 81, True), ("fluidr3", 81, "other", "sawlead", 52, 84, True),
    ("musescore", 11, "other", "vibraphone", 53, 84, False),
    ("musescore", 33, "bass", "fingerbass", 28, 55, False), ("fluidr3", 34, "bass", "pickbass", 28, 55, False),
    ("musescore", 35, "bass", "fretless", 28, 55, False), ("fluidr3", 38, "bass", "synthbass", 28, 55, False),
    ("musescore", 36, "bass", "slapbass", 28, 55, False),
]
SF2_KITS = [("musescore", 0, "std"), ("fluidr3", 16, "power"), ("musescore", 8, "room"), ("fluidr3", 40, "brush")]
# acoustic kits as SF2 (CC BY-SA 3.0: with --gpl only), GM key map on bank 0 program 0
AVL_KITS = [(Path("/usr/share/sounds/sf2/Black_Pearl_4_LV2.sf2"), "avl-blackpearl"),
            (Path("/usr/share/sounds/sf2/Red_Zeppelin_4_LV2.sf2"), "avl-redzeppelin")]
STRUMS = Path("/usr/share/hydrogen/data/drumkits/belofilms_GuitarStrums")
# Karoryfer SFZ sets re-encoded in ../shared/train-audio: folder, group, file prefix, stem, velocity layers, source
KARORYFER = [("bass-growly-cc0", "bass-growly", "growly-", "bass", 4, "karoryfer-bass"),
             ("bass-fashion-cc0", "bass-fashion", "fashion-", "bass", 5, "karoryfer-bass"),
             ("bass-swag-cc0", "bass-swag", "swag-", "bass", 3, "karoryfer-bass"),
             ("guitar-shiny-cc0", "shiny-mic", "shiny-mic-", "other", 4, "karoryfer-guitar"),
             ("guitar-shiny-cc0", "shiny-pickup", "shiny-pickup-", "other", 4, "karoryfer-guitar"),
             ("guitar-emily-cc0", "emily", "emily-", "other", 4, "karoryfer-guitar")]
GM_DRUMS = {"kick": (35, 36), "snare": (38, 40), "hihat_closed": (42, 44), "hihat_open": (46,), "tom": (41, 45, 48, 50),
            "crash": (49, 57), "ride": (51, 59), "clap": (39,)}
NOTE = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
# Octave of the file names against scientific pitch (C4 = MIDI 60), checked by measuring
# the pitch of a few files: the piano and sax sets name middle C "C3", the guitar set "C5".
OCTAVE_FIX = {"piano": 12, "sax": 12, "guitar": -12}
DYN = {"pp": 0.25, "p": 0.4, "mp": 0.55, "m": 0.6, "mf": 0.7, "f": 0.85, "ff": 1.0}


def note_midi(token: str) -> float | None:
    m = re.fullmatch(r"([a-g])(#|b)?(-?\d)", token.lower())
    if not m:
        return None
    return 12 * (int(m.group(3)) + 1) + NOTE[m.group(1)] + {"#": 1, "b": -1, None: 0}[m.group(2)]


def trim(x: np.ndarray, max_s: float, lead_db: float = -45.0) -> np.ndarray:
    """Drop leading silence (keep 5 ms), cut at max_s with a 20 ms fade-out, drop a silent tail."""
    mono = np.abs(x).max(axis=0)
    peak = mono.max() + 1e-9
    loud = np.nonzero(mono > peak * 10 ** (lead_db / 20))[0]
    if len(loud) == 0:
        return x[:, :0]
    start = max(0, loud[0] - 220)
    end = min(loud[-1] + 1, start + int(max_s * SR))
    y = x[:, start:end].copy()
    fade = min(882, y.shape[1])
    y[:, -fade:] *= np.linspace(1, 0, fade)[None]
    return y


class Group:
    def __init__(self, name, stem, kind, source, channels, max_s):
        self.name, self.stem, self.kind, self.source, self.channels, self.max_s = name, stem, kind, source, channels, max_s
        self.items, self.parts, self.pos = [], [], 0

    def add(self, audio: np.ndarray, trim_it=True, **meta):
        if audio.shape[0] != self.channels:
            audio = audio.mean(axis=0, keepdims=True) if self.channels == 1 else np.repeat(audio[:1], 2, axis=0)
        y = trim(audio, self.max_s) if trim_it else audio[:, :int(self.max_s * SR)]
        if y.shape[1] < 441:
            return
        peak = float(np.abs(y).max())
        rms = float(np.sqrt((y.astype(np.float64) ** 2).mean()))
        self.items.append(dict(offset=self.pos, length=int(y.shape[1]), peak=round(peak, 5), rms=round(rms, 6), **meta))
        self.parts += [y, np.zeros((self.channels, GAP), np.float32)]
        self.pos += y.shape[1] + GAP

    def write(self, folder: Path, kbps: int) -> dict:
        audio = np.concatenate(self.parts, axis=1)
        if self.kind == "speech":
            # pitch track of every clip (stemsafe_tools.vocalize turns speech into singing with it), one
            # float16 file per group; each item says where its frames are
            from stemsafe_tools.vocalize import f0_frames
            tracks, pos = [], 0
            for it in self.items:
                f0 = f0_frames(audio[0, it["offset"]:it["offset"] + it["length"]]).astype(np.float16)
                it["f0_offset"], it["f0_frames"] = pos, int(len(f0))
                tracks.append(f0)
                pos += len(f0)
            np.save(folder / f"audio/{self.name}.f0.npy", np.concatenate(tracks))
        scale = 0.98 / max(1e-6, float(np.abs(audio).max()))  # one gain per group: relative levels stay
        rel = f"audio/{self.name}.opus"
        encode(audio * scale, folder / rel, kbps * self.channels)
        for it in self.items:
            it["peak"] = round(it["peak"] * scale, 5)
            it["rms"] = round(it["rms"] * scale, 6)
        return dict(file=rel, stem=self.stem, kind=self.kind, source=self.source, channels=self.channels,
                    samples=int(audio.shape[1]), items=self.items)


def files(folder: Path, pattern="*.ogg"):
    return sorted(folder.glob(pattern))


_decoded = {}


def prefetch(paths) -> list:
    """Decode paths in batches (one ffmpeg process per batch) into a memo used by dec()."""
    paths = list(paths)
    todo = [p for p in paths if str(p) not in _decoded]
    _decoded.update(decode_many(todo))
    return paths


def dec(path: Path) -> np.ndarray:
    return _decoded.pop(str(path)) if str(path) in _decoded else decode(path, channels=2)


def velocity_by_loudness(items):
    """Drum hits without velocity names: rank RMS within a role -> velocity 0.3..1."""
    by_role = {}
    for it in items:
        by_role.setdefault(it["role"], []).append(it)
    for group in by_role.values():
        order = sorted(group, key=lambda it: it["rms"])
        for rank, it in enumerate(order):
            it["vel"] = round(0.3 + 0.7 * (rank + 1) / len(order), 3)


def drum_role(name: str) -> str | None:
    n = name.lower()
    table = [("kick", "kick"), ("kdrum", "kick"), ("bass drum", "kick"), ("bassdrum", "kick"), ("bd", "kick"),
             ("snare roll", None), ("rest", None), ("snare", "snare"), ("clap", "clap"), ("pedal", "hihat_closed"),
             ("closed", "hihat_closed"), ("hihatclosed", "hihat_closed"), ("hh2", "hihat_closed"), ("hh3", "hihat_open"),
             ("open", "hihat_open"), ("hh", "hihat_closed"), ("hi hat", "hihat_closed"), ("hi-hat", "hihat_closed"),
             ("tom", "tom"), ("ride", "ride"), ("crash", "crash"), ("china", "crash"), ("cymbal", "crash")]
    for key, role in table:
        if key in n:
            return role
    return None


def pack_train_audio(base: Path, gpl: bool, max_items: int, log) -> list[Group]:
    groups = []

    def limited(paths):
        return paths[:max_items] if max_items else paths

    if gpl:
        # the kind keeps its old name (packs are read by it), but the voice bank is not on C4: each item's
        # pitch is measured (about C#4), an item without a voiced frame gets the bank's median
        g = Group("alys", "vocals", "sung_c4", "alys", 1, 7.5)
        for p in prefetch(limited(files(base / SOURCES["alys"]["folder"])[::2])):
            a = dec(p)
            midi = yin_midi(a.mean(axis=0), SR)
            g.add(a, midi=None if midi is None else round(midi, 2), vel=0.8, name=p.stem)
        measured = [it["midi"] for it in g.items if it["midi"] is not None]
        fallback = round(float(np.median(measured)), 2) if measured else 60.0
        for it in g.items:
            it["midi"] = fallback if it["midi"] is None else it["midi"]
        log(f"alys: pitch measured on {len(measured)} of {len(g.items)} items, median MIDI {fallback}")
        groups.append(g)
    # the folder's MultiVox files are 440 Hz sines (mirdata's test placeholders, measured): a steady
    # pure tone is not singing, and in a song it is a loud line in no key, so such files are left out
    g = Group("singing", "vocals", "phrase", "singing", 1, 40.0)
    tones = []
    for p in prefetch(limited(singing_files(base / SOURCES["singing"]["folder"]))):
        a = dec(p)
        if pure_tone(a.mean(axis=0), SR):
            tones.append(p.name)
            continue
        g.add(a, midi=None, vel=0.8, name=p.stem)
    if tones:
        log(f"singing: left out {len(tones)} files that are a steady pure tone, not singing: {', '.join(tones)}")
    groups.append(g)
    g = Group("speech", "vocals", "speech", "speech", 1, 12.0)
    for p in prefetch(limited(files(base / SOURCES["speech"]["folder"]))):
        a = dec(p)
        midi = yin_midi(a.mean(axis=0), SR, fmin=60.0, fmax=400.0)
        g.add(a, midi=None if midi is None else round(midi, 2), sex="f", vel=0.8, name=p.stem)  # LJSpeech: one woman
    groups.append(g)

    g = Group("muldjord", "drums", "kit", "muldjord", 2, 1.0)
    for p in prefetch(limited([p for p in files(base / SOURCES["muldjord"]["folder"]) if drum_role(p.stem.split("-")[0])])):
        role = drum_role(p.stem.split("-")[0])
        if role is None:
            continue
        long = role in ("crash", "ride", "hihat_open")
        g.max_s = 2.5 if long else 0.9
        g.add(dec(p), role=role, name=p.stem)
    velocity_by_loudness(g.items)
    groups.append(g)
    g = Group("bodyperc", "drums", "perc", "bodyperc", 1, 0.6)
    for p in prefetch(limited(files(base / SOURCES["bodyperc"]["folder"]))):
        kind = p.stem.split("_")[0]
        role = "clap" if "clap" in kind or "snap" in kind else ("kick" if "stomp" in kind or "chest" in kind or "belly" in kind else "perc")
        m = re.search(r"_vl(\d)", p.stem)
        g.add(dec(p), role=role, vel=0.5 + 0.25 * (int(m.group(1)) - 1) if m else 0.7, name=p.stem)
    groups.append(g)

    for guitar in ("black", "green"):
        g = Group(f"guitar-{guitar}", "other", "pitched", "guitar", 1, 2.2)
        for p in prefetch(limited([p for p in files(base / SOURCES["guitar"]["folder"], f"{guitar}-*_rr1.ogg") if "twang" not in p.stem or "_p_" not in p.stem])):
            parts = p.stem.split("_")
            art = parts[0].split("-")[1]
            dyn = parts[2] if len(parts) > 3 else "mf"
            if art == "twang" and dyn == "p":
                continue
            g.max_s = 0.6 if art == "staccato" else 2.2
            g.add(dec(p), midi=note_midi(parts[1]) + OCTAVE_FIX["guitar"], vel=DYN.get(dyn, 0.7), articulation=art, name=p.stem)
        groups.append(g)
    g = Group("doublebass", "bass", "pitched", "doublebass", 1, 2.0)
    keep = [p for p in files(base / SOURCES["doublebass"]["folder"]) if (p.stem.startswith("dsm-pizz") and p.stem[-1] in "ab")
            or (p.stem.startswith("meat-") and "perc" not in p.stem and p.stem.endswith("rr1"))]
    for p in prefetch(limited(keep)):
        s = p.stem
        if s.startswith("dsm-pizz"):
            _, note, var = s.split("_")
            if var[1] not in "ab":
                continue
            g.add(dec(p), midi=note_midi(note), vel={"f": 0.85, "m": 0.6, "p": 0.4}.get(var[0], 0.7), name=s)
        elif s.startswith("meat-") and "perc" not in s and s.endswith("rr1"):
            note, vl, _ = s[5:].split("_")
            g.add(dec(p), midi=note_midi(note), vel=0.25 + 0.25 * (int(vl[2]) - 1), name=s)
    groups.append(g)
    g = Group("piano", "other", "pitched", "piano", 2, 2.6)
    keep = [p for p in files(base / SOURCES["piano"]["folder"])
            if note_midi(p.stem.split("_")[1]) is not None and (note_midi(p.stem.split("_")[1]) % 2 == 0 or p.stem.startswith("Mp"))]
    for p in prefetch(limited(keep)):
        dyn, note = p.stem.split("_")
        midi = note_midi(note)
        if midi is None or (midi % 2 == 1 and dyn != "Mp"):
            continue
        g.add(dec(p), midi=midi + OCTAVE_FIX["piano"], vel={"FF": 1.0, "MF": 0.75, "Mp": 0.55, "PP": 0.3}.get(dyn, 0.6), name=p.stem)
    groups.append(g)
    g = Group("sax", "other", "pitched", "sax", 1, 2.5)
    for p in prefetch(limited(files(base / SOURCES["sax"]["folder"]))):
        note, dyn = p.stem.split("_")[:2]
        g.add(dec(p), midi=note_midi(note) + OCTAVE_FIX["sax"], vel=DYN.get(dyn, 0.7), name=p.stem)
    groups.append(g)
    for gr in groups:
        log(f"{gr.name}: {len(gr.items)} samples, {gr.pos / SR:.0f} s")
    return groups


def pack_soundfonts(max_items: int, log) -> list[Group]:
    fonts = {"fluidr3": SoundFont(FLUID), "musescore": SoundFont(MUSESCORE)}
    groups = []
    for font, program, stem, name, lo, hi, sustained in SF2_PRESETS:
        sf = fonts[font]
        hold, total = (2.6, 3.0) if sustained else (1.2, 1.8)
        g = Group(f"sf2-{name}", stem, "pitched", font, 1, total)
        notes = list(range(lo, hi + 1, 4))
        for k in notes[:max_items] if max_items else notes:
            for vel in (70, 115):
                g.add(sf.render(0, program, k, vel, hold, total), trim_it=False, midi=float(k), vel=vel / 127, sustained=sustained,
                      name=f"{sf.preset_name(0, program)} {k} v{vel}")
        log(f"{g.name} ({sf.preset_name(0, program)}): {len(g.items)} notes")
        groups.append(g)
    for font, program, name in SF2_KITS:
        sf = fonts[font]
        g = Group(f"sf2kit-{name}", "drums", "kit", font, 2, 2.0)
        for role, keys in GM_DRUMS.items():
            for k in keys[:max_items] if max_items else keys:
                for vel in (60, 100, 127):
                    long = role in ("crash", "ride", "hihat_open")
                    g.add(sf.render(128, program, k, vel, 0.2, 2.0 if long else 0.8), role=role, vel=vel / 127, name=f"{k} v{vel}")
        log(f"{g.name} ({sf.preset_name(128, program)}): {len(g.items)} hits")
        groups.append(g)
    return groups


def pack_hydrogen(gpl: bool, max_items: int, log) -> tuple[list[Group], dict]:
    groups, licences = [], {}
    for kit, (licence, copyleft) in HYDROGEN_KITS.items():
        if copyleft and not gpl:
            continue
        folder = HYDROGEN / kit
        root = ET.parse(folder / "drumkit.xml").getroot()
        ns = root.tag.split("}")[0] + "}" if root.tag.startswith("{") else ""
        sid = "h2-" + re.sub(r"[^a-z0-9]+", "", kit.lower())
        licences[sid] = dict(licence=licence, copyleft=copyleft, credit=f"Hydrogen drumkit '{kit}' (Debian hydrogen-drumkits)",
                             **({"gpl2_only": True} if kit in GPL2_ONLY else {}))
        g = Group(sid, "drums", "kit", sid, 2, 1.0)
        count, hits = {}, []
        for inst in root.iter(f"{ns}instrument"):
            role = drum_role(inst.findtext(f"{ns}name") or "")
            if role is None or count.get(role, 0) >= (max_items or 99):
                continue
            layers = [(inst.findtext(f"{ns}filename"), 0.0, 1.0)] if inst.find(f"{ns}filename") is not None else []
            for layer in inst.iter(f"{ns}layer"):
                layers.append((layer.findtext(f"{ns}filename"), float(layer.findtext(f"{ns}min") or 0), float(layer.findtext(f"{ns}max") or 1)))
            gain = float(inst.findtext(f"{ns}volume") or 1.0)
            for fname, vmin, vmax in layers[::max(1, len(layers) // 3)]:
                if fname and (folder / fname).exists():
                    hits.append((folder / fname, role, round((vmin + vmax) / 2, 3), gain, f"{inst.findtext(f'{ns}name')}:{fname}"))
            count[role] = count.get(role, 0) + 1
        prefetch(h[0] for h in hits)
        for path, role, vel, gain, name in hits:
            g.max_s = 2.5 if role in ("crash", "ride", "hihat_open") else 0.9
            g.add(dec(path) * gain, role=role, vel=vel, name=name)
        if not any(it["role"] == "kick" for it in g.items) or not any(it["role"] == "snare" for it in g.items):
            log(f"{kit}: no kick or snare found, skipped")
            continue
        log(f"{sid}: {len(g.items)} hits")
        groups.append(g)
    return groups, licences


def karoryfer_name(stem: str, prefix: str) -> tuple[str, float, int] | None:
    """'growly-sus-e1-v3-rr2' -> ('sus', MIDI, velocity layer); None for release and noise files."""
    parts = stem[len(prefix):].split("-")
    if parts[0] not in ("sus", "stac", "open"):
        return None
    midi = note_midi(parts[1])
    layer = int(parts[2][1:]) if len(parts) > 3 and parts[2].startswith("v") else 0
    return ("sus" if parts[0] == "open" else parts[0]), midi, layer


def pack_karoryfer(base: Path, max_items: int, log) -> list[Group]:
    """The DI basses, the archtop (mic and pickup takes) and the DI electric guitar: every ordinary
    and staccato note, both round robins."""
    groups = []
    for folder, name, prefix, stem, layers, source in KARORYFER:
        g = Group(name, stem, "pitched", source, 1, 3.0)
        paths = [p for p in files(base / folder) if p.stem.startswith(prefix) and karoryfer_name(p.stem, prefix)]
        for p in prefetch(paths[:max_items] if max_items else paths):
            art, midi, layer = karoryfer_name(p.stem, prefix)
            g.max_s = 0.6 if art == "stac" else 3.0
            vel = round(layer / layers, 3) if layer else 0.7
            g.add(dec(p), midi=midi, vel=vel, articulation="staccato" if art == "stac" else "sustain", name=p.stem)
        log(f"{name}: {len(g.items)} notes")
        groups.append(g)
    return groups


STRUM_ROOTS = {"c": 0, "csharp": 1, "d": 2, "dsharp": 3, "e": 4, "f": 5, "fsharp": 6, "g": 7, "gsharp": 8, "a": 9,
               "asharp": 10, "bflat": 10, "b": 11}


def strum_chord(stem: str) -> tuple[int, str, int] | None:
    """'Csharp minor7b5_02' -> (root pitch class, 'm7b5', layer 2); slides (_UP, _DOWN) -> None."""
    m = re.fullmatch(r"([A-G](?:sharp|flat)?) ?(major|minor|minro)(7b5)?_(\d\d)", stem, flags=re.I)
    if not m:
        return None
    quality = "m7b5" if m.group(3) else ("major" if m.group(2).lower() == "major" else "minor")
    return STRUM_ROOTS[m.group(1).lower()], quality, int(m.group(4))


def pack_strums(max_items: int, log) -> list[Group]:
    """Acoustic guitar chord strums (belofilms_GuitarStrums), without the slides: each item carries
    its chord's root pitch class and quality, for the renderer to match the song's chords."""
    if not STRUMS.exists():
        log(f"{STRUMS} missing (apt-get install hydrogen-drumkits-effects): no acoustic strums")
        return []
    g = Group("strums", "other", "chord", "strums", 2, 3.0)
    paths = [p for p in sorted(STRUMS.glob("*.flac")) if strum_chord(p.stem)]
    for p in prefetch(paths[:max_items] if max_items else paths):
        root, quality, layer = strum_chord(p.stem)
        g.add(dec(p), root=root, quality=quality, vel=round(0.25 + 0.25 * layer, 3), name=p.stem)
    log(f"strums: {len(g.items)} chords")
    return [g]


def speaker_sexes(folder: Path) -> dict:
    out = {}
    path = folder / "SPEAKERS.TXT"
    if path.exists():
        for line in path.read_text(errors="replace").splitlines():
            if line.startswith(";") or "|" not in line:
                continue
            fields = [f.strip() for f in line.split("|")]
            out[fields[0]] = fields[1].lower()
    return out


def pack_voices(base: Path, gpl: bool, max_items: int, log) -> list[Group]:
    """Speech of many readers (LibriSpeech, FLEURS, PJS's read sentences; LJSpeech is packed
    above), each item with its median pitch (MIDI) and the reader's sex where known, for the
    renderer to turn into sung melodies (stemsafe_tools.vocalize); and sung songs (PJS, NIT) as
    phrases."""
    groups = []

    def limited(paths):
        return paths[:max_items] if max_items else paths
    sexes = speaker_sexes(base / SOURCES["librispeech"]["folder"])
    for name, source, pattern, max_s in (("librispeech", "librispeech", "*.ogg", 15.0), ("fleurs", "fleurs", "*.ogg", 15.0),
                                         ("pjs-speech", "pjs", "*_speech.ogg", 12.0)):
        if SOURCES[source].get("copyleft") and not gpl:
            continue
        g = Group(name, "vocals", "speech", source, 1, max_s)
        for p in prefetch(limited(files(base / SOURCES[source]["folder"], pattern))):
            a = dec(p)
            midi = yin_midi(a.mean(axis=0), SR, fmin=60.0, fmax=400.0)
            sex = sexes.get(p.stem.split("-")[0]) if name == "librispeech" else ("m" if name == "pjs-speech" else None)
            if sex is None and midi is not None:
                sex = "m" if midi < 52.5 else "f"  # 165 Hz
            g.add(a, midi=None if midi is None else round(midi, 2), sex=sex, vel=0.8, name=p.stem)
        log(f"{name}: {len(g.items)} clips ({sum(1 for it in g.items if it['sex'] == 'm')} male voice)")
        groups.append(g)
    for name, source, pattern in (("pjs-song", "pjs", "*_song.ogg"), ("nit", "nit", "*.ogg")):
        if SOURCES[source].get("copyleft") and not gpl:
            continue
        g = Group(name, "vocals", "phrase", source, 1, 40.0)
        for p in prefetch(limited(files(base / SOURCES[source]["folder"], pattern))):
            g.add(dec(p), midi=None, vel=0.8, name=p.stem)
        log(f"{name}: {len(g.items)} songs, {g.pos / SR:.0f} s")
        groups.append(g)
    return groups


def pack_avl(gpl: bool, max_items: int, log) -> list[Group]:
    if not gpl:
        return []
    groups = []
    for path, name in AVL_KITS:
        if not path.exists():
            log(f"{path} missing (apt-get install avldrums.lv2-soundfont)")
            continue
        sf = SoundFont(path)
        g = Group(name, "drums", "kit", "avldrums", 2, 2.0)
        for role, keys in GM_DRUMS.items():
            for k in keys[:max_items] if max_items else keys:
                for vel in (50, 80, 105, 127):
                    long = role in ("crash", "ride", "hihat_open")
                    g.add(sf.render(0, 0, k, vel, 0.2, 2.0 if long else 0.8), role=role, vel=vel / 127, name=f"{k} v{vel}")
        log(f"{name}: {len(g.items)} hits")
        groups.append(g)
    return groups


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--train-audio", default=str(ROOT.parent / "shared" / "train-audio"))
    ap.add_argument("--gpl", action="store_true", help="include GPL-3 ALYS vocals and GPL-2 / CC BY-SA drum kits")
    ap.add_argument("--kbps", type=int, default=36, help="Opus bit rate per channel")
    ap.add_argument("--max-items", type=int, default=0, help="at most this many files per source (small test packs)")
    ap.add_argument("--no-soundfonts", action="store_true")
    args = ap.parse_args()
    out = Path(args.out)
    (out / "audio").mkdir(parents=True, exist_ok=True)
    t0 = time.time()

    def log(msg):
        print(f"[{time.time() - t0:5.0f}s] {msg}", flush=True)

    base = Path(args.train_audio)
    groups = pack_train_audio(base, args.gpl, args.max_items, log)
    groups += pack_karoryfer(base, args.max_items, log) + pack_voices(base, args.gpl, args.max_items, log)
    groups += pack_strums(args.max_items, log) + pack_avl(args.gpl, args.max_items, log)
    if not args.no_soundfonts:
        groups += pack_soundfonts(args.max_items, log)
    h2, h2_sources = pack_hydrogen(args.gpl, args.max_items, log)
    groups += h2
    index_groups = {g.name: g.write(out, args.kbps) for g in groups if g.items}
    used = {g["source"] for g in index_groups.values()}
    sources = {k: {kk: vv for kk, vv in v.items() if kk != "folder"} for k, v in {**SOURCES, **h2_sources}.items() if k in used}
    for s in sources.values():
        s.setdefault("copyleft", False)
    if "singing" in sources:
        sources["singing"]["credit"] = singing_credit(index_groups["singing"]["items"])
    index = dict(version=2, sample_rate=SR, gpl_included=args.gpl, kbps_per_channel=args.kbps,
                 licence_note=("contains copyleft material (GPL-3 vocals, CC BY-SA 4.0 singing, GPL-2+ and CC BY-SA 3.0 kits): "
                               "weights trained with it must be GPL-3" if args.gpl else
                               "no copyleft material: MIT/CC0/PD/CC BY sources; credit the CC BY sources"),
                 sources=sources, groups=index_groups)
    (out / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file() and "cache" not in p.parts)
    seconds = sum(g["samples"] * g["channels"] for g in index_groups.values()) / SR
    log(f"wrote {out}: {len(index_groups)} groups, {sum(len(g['items']) for g in index_groups.values())} samples, "
        f"{seconds / 60:.1f} channel-minutes, {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
