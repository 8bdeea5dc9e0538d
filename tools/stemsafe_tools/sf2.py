"""Minimal SoundFont 2 reader and note renderer (numpy), for pre-rendering sampled notes.

Reads RIFF `sfbk`: `sdta/smpl` (16-bit samples, memory-mapped) and the `pdta` hydra
(phdr/pbag/pgen, inst/ibag/igen, shdr). A note is rendered like a simple SF2 synth: the
preset zones and instrument zones whose key and velocity ranges contain the note are
played; each zone's sample is resampled to the note's pitch (root key, overriding root key,
coarse/fine tune, pitch correction, scale tuning), looped between its loop points when the
sample mode asks for it, shaped by the volume envelope (delay, attack, hold, decay, sustain,
release),
attenuated (initialAttenuation + a velocity curve) and panned. Modulators, filters, LFOs
and the modulation envelope are ignored.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# generator operators used here
START_OFS, END_OFS, STARTLOOP_OFS, ENDLOOP_OFS = 0, 1, 2, 3
START_COARSE, END_COARSE, STARTLOOP_COARSE, ENDLOOP_COARSE = 4, 12, 45, 50
PAN, DELAY, ATTACK, HOLD, DECAY, SUSTAIN, RELEASE = 17, 33, 34, 35, 36, 37, 38
INSTRUMENT, KEY_RANGE, VEL_RANGE, ATTENUATION = 41, 43, 44, 48
COARSE_TUNE, FINE_TUNE, SAMPLE_ID, SAMPLE_MODES, SCALE_TUNING, ROOT_KEY = 51, 52, 53, 54, 56, 58
RANGE_GENS = (KEY_RANGE, VEL_RANGE)
DEFAULTS = {DELAY: -12000, ATTACK: -12000, HOLD: -12000, DECAY: -12000, SUSTAIN: 0, RELEASE: -12000, SCALE_TUNING: 100,
            ROOT_KEY: -1, PAN: 0, ATTENUATION: 0, COARSE_TUNE: 0, FINE_TUNE: 0, SAMPLE_MODES: 0}


@dataclass
class Zone:
    gens: dict = field(default_factory=dict)  # oper -> int (ranges: (lo, hi))

    def contains(self, key: int, vel: int) -> bool:
        klo, khi = self.gens.get(KEY_RANGE, (0, 127))
        vlo, vhi = self.gens.get(VEL_RANGE, (0, 127))
        return klo <= key <= khi and vlo <= vel <= vhi


@dataclass
class SampleHeader:
    name: str
    start: int
    end: int
    loop_start: int
    loop_end: int
    rate: int
    pitch: int
    correction: int
    kind: int


def _chunks(buf: bytes, start: int, end: int):
    pos = start
    while pos + 8 <= end:
        cid = buf[pos:pos + 4].decode("latin-1")
        size = struct.unpack_from("<I", buf, pos + 4)[0]
        yield cid, pos + 8, size
        pos += 8 + size + (size & 1)


def _zones(bags: list, gens: list, first: int, last: int, terminal: int) -> tuple[Zone | None, list[Zone]]:
    """Zones of one preset/instrument from bag indices [first, last); a leading zone without the
    terminal generator is the global zone."""
    zones = []
    for b in range(first, last):
        z = Zone()
        for oper, amount in gens[bags[b]:bags[b + 1]]:
            if oper in RANGE_GENS:
                z.gens[oper] = (amount & 0xFF, (amount >> 8) & 0xFF)
            elif oper in (INSTRUMENT, SAMPLE_ID, SAMPLE_MODES):
                z.gens[oper] = amount
            else:
                z.gens[oper] = struct.unpack("<h", struct.pack("<H", amount))[0]
        zones.append(z)
    glob = None
    if zones and terminal not in zones[0].gens:
        glob = zones.pop(0)
    return glob, [z for z in zones if terminal in z.gens]


class SoundFont:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        raw = np.memmap(self.path, dtype=np.uint8, mode="r")
        head = bytes(raw[:12])
        if head[:4] != b"RIFF" or head[8:12] != b"sfbk":
            raise ValueError(f"{path}: not a SoundFont 2 file")
        self.samples = None
        pdta = None
        pos, end = 12, len(raw)
        while pos + 8 <= end:
            cid = bytes(raw[pos:pos + 4]).decode("latin-1")
            size = int(np.frombuffer(bytes(raw[pos + 4:pos + 8]), "<u4")[0])
            if cid == "LIST":
                kind = bytes(raw[pos + 8:pos + 12]).decode("latin-1")
                if kind == "sdta":
                    sub = pos + 12
                    while sub + 8 <= pos + 8 + size:
                        scid = bytes(raw[sub:sub + 4]).decode("latin-1")
                        ssize = int(np.frombuffer(bytes(raw[sub + 4:sub + 8]), "<u4")[0])
                        if scid == "smpl":
                            self.samples = np.frombuffer(raw, dtype="<i2", count=ssize // 2, offset=sub + 8)
                        sub += 8 + ssize + (ssize & 1)
                elif kind == "pdta":
                    pdta = bytes(raw[pos + 12:pos + 8 + size])
            pos += 8 + size + (size & 1)
        if self.samples is None or pdta is None:
            raise ValueError(f"{path}: missing smpl or pdta")
        parts = {cid: pdta[off:off + size] for cid, off, size in _chunks(pdta, 0, len(pdta))}
        self.presets = {}
        phdr = parts["phdr"]
        ph = [struct.unpack_from("<20sHHH", phdr, i) for i in range(0, len(phdr), 38)]
        pbag = [struct.unpack_from("<H", parts["pbag"], i)[0] for i in range(0, len(parts["pbag"]), 4)]
        pgen = [struct.unpack_from("<HH", parts["pgen"], i) for i in range(0, len(parts["pgen"]), 4)]
        inst = [struct.unpack_from("<20sH", parts["inst"], i) for i in range(0, len(parts["inst"]), 22)]
        ibag = [struct.unpack_from("<H", parts["ibag"], i)[0] for i in range(0, len(parts["ibag"]), 4)]
        igen = [struct.unpack_from("<HH", parts["igen"], i) for i in range(0, len(parts["igen"]), 4)]
        shdr = parts["shdr"]
        self.headers = []
        for i in range(0, len(shdr) - 46, 46):
            name, s, e, ls, le, rate, pitch, corr, _link, kind = struct.unpack_from("<20sIIIIIBbHH", shdr, i)
            self.headers.append(SampleHeader(name.split(b"\0")[0].decode("latin-1"), s, e, ls, le, rate, pitch, corr, kind))
        self.instruments = []
        for i in range(len(inst) - 1):
            self.instruments.append((inst[i][0].split(b"\0")[0].decode("latin-1"),
                                     *_zones(ibag, igen, inst[i][1], inst[i + 1][1], SAMPLE_ID)))
        for i in range(len(ph) - 1):
            name, program, bank, bag = ph[i]
            glob, zones = _zones(pbag, pgen, bag, ph[i + 1][3], INSTRUMENT)
            self.presets[(bank, program)] = (name.split(b"\0")[0].decode("latin-1"), glob, zones)

    def preset_name(self, bank: int, program: int) -> str:
        return self.presets[(bank, program)][0]

    def _voices(self, bank: int, program: int, key: int, vel: int):
        """(merged instrument gens, preset additive gens, sample header) per sounding zone."""
        _, pglob, pzones = self.presets[(bank, program)]
        for pz in pzones:
            pg = dict(pglob.gens if pglob else {})
            pg.update(pz.gens)
            if not Zone(pg).contains(key, vel):
                continue
            _, iglob, izones = self.instruments[pg[INSTRUMENT]]
            for iz in izones:
                ig = dict(DEFAULTS)
                if iglob:
                    ig.update(iglob.gens)
                ig.update(iz.gens)
                if Zone(ig).contains(key, vel):
                    hdr = self.headers[ig[SAMPLE_ID]]
                    if hdr.kind & 0x8000:  # ROM sample
                        continue
                    yield ig, pg, hdr

    def render(self, bank: int, program: int, key: int, vel: int, hold_s: float, total_s: float, sr: int = 44100) -> np.ndarray:
        """One note, key held for hold_s, rendered for total_s -> stereo float32 [2, N]."""
        n = int(total_s * sr)
        out = np.zeros((2, n), np.float64)
        t = np.arange(n) / sr
        for ig, pg, h in self._voices(bank, program, key, vel):
            def g(op):
                return ig.get(op, 0) + (pg.get(op, 0) if op not in (SAMPLE_MODES, ROOT_KEY, SAMPLE_ID) else 0)
            start = h.start + ig.get(START_OFS, 0) + 32768 * ig.get(START_COARSE, 0)
            end = h.end + ig.get(END_OFS, 0) + 32768 * ig.get(END_COARSE, 0)
            ls = h.loop_start + ig.get(STARTLOOP_OFS, 0) + 32768 * ig.get(STARTLOOP_COARSE, 0)
            le = h.loop_end + ig.get(ENDLOOP_OFS, 0) + 32768 * ig.get(ENDLOOP_COARSE, 0)
            root = ig[ROOT_KEY] if ig[ROOT_KEY] >= 0 else h.pitch
            cents = (key - root) * g(SCALE_TUNING) + 100 * g(COARSE_TUNE) + g(FINE_TUNE) + h.correction
            ratio = 2.0 ** (cents / 1200.0) * h.rate / sr
            pos = np.arange(n) * ratio
            mode = ig[SAMPLE_MODES] & 3
            length = end - start
            if mode in (1, 3) and le - ls > 8:
                a, b = ls - start, le - start
                over = pos >= b
                pos[over] = a + np.mod(pos[over] - a, b - a)
            valid = pos < length - 1
            i0 = np.minimum(pos.astype(np.int64), length - 2)
            frac = pos - i0
            seg = self.samples[start:end].astype(np.float64) / 32768.0
            if len(seg) < 2:
                continue
            wave = (seg[i0] * (1 - frac) + seg[i0 + 1] * frac) * valid
            stage = lambda op: 0.0 if g(op) <= -12000 else 2.0 ** (g(op) / 1200.0)  # -12000: no stage  # noqa: E731
            delay = stage(DELAY)
            att = 2.0 ** (max(g(ATTACK), -12000) / 1200.0)
            hold = stage(HOLD)
            dec = 2.0 ** (max(g(DECAY), -12000) / 1200.0)
            rel = max(2.0 ** (max(g(RELEASE), -12000) / 1200.0), 0.01)
            sus = 10 ** (-max(min(g(SUSTAIN), 1440), 0) / 200.0)
            # delay (silent), attack (linear rise), hold (full level), decay to the sustain level;
            # without the hold stage, a zone that holds for seconds and then drops to silence (the
            # FluidR3 "Power" kit's toms) decayed at once and was rendered at about -70 dBFS
            te = t - delay
            env = np.clip(te / max(att, 1e-4), 0.0, 1.0)
            after = np.maximum(te - att - hold, 0)
            env = env * np.where(te < att + hold, 1.0, sus + (1 - sus) * np.exp(-after / max(dec, 1e-3) * 5))
            env = env * np.where(t < hold_s, 1.0, np.exp(-np.maximum(t - hold_s, 0) / rel * 5))
            level = 10 ** (-(max(g(ATTENUATION), 0) * 0.4) / 200.0) * (vel / 127.0) ** 2  # 0.4: EMU attenuation
            p = np.clip(g(PAN), -500, 500) / 500.0
            angle = (p + 1) * np.pi / 4
            out[0] += wave * env * level * np.cos(angle)
            out[1] += wave * env * level * np.sin(angle)
        return out.astype(np.float32)
