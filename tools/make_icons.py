#!/usr/bin/env python3
"""Draws the app icon (four coloured stem bars on a dark tile) as PNGs for the web manifest."""
import struct
import sys
import zlib
from pathlib import Path

BG = (20, 22, 28)
BARS = [(122, 162, 247), (158, 206, 106), (224, 175, 104), (247, 118, 142)]


def render(size: int):
    rows = []
    pad = size * 0.2
    bar_h = (size - 2 * pad) / 7
    widths = [0.9, 0.65, 0.8, 0.5]
    for y in range(size):
        row = bytearray()
        for x in range(size):
            color = BG
            k = (y - pad) / bar_h
            if 0 <= k < 7 and int(k) % 2 == 0:
                i = int(k) // 2
                if pad <= x < pad + widths[i] * (size - 2 * pad):
                    color = BARS[i]
            row += bytes(color)
        rows.append(b"\x00" + bytes(row))
    return b"".join(rows)


def png(size: int) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(render(size), 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "static/icons")
    out.mkdir(parents=True, exist_ok=True)
    for s in (192, 512):
        (out / f"icon-{s}.png").write_bytes(png(s))
