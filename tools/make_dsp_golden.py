#!/usr/bin/env python3
"""Golden vectors for src/lib/dsp/stft.ts, computed with torch.stft / torch.istft
(hann periodic window, center=True, pad_mode='reflect', onesided, unnormalized).

usage: /usr/bin/python3 tools/make_dsp_golden.py [tests/golden]
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.golden import write_f32  # noqa: E402

CASES = [
    # name, n_fft, hop, length
    ("small", 16, 4, 50),
    ("odd-hop", 32, 7, 123),
    ("model", 2048, 441, 3000),
]


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/golden")
    out.mkdir(parents=True, exist_ok=True)
    g = torch.Generator().manual_seed(1234)
    for name, n_fft, hop, length in CASES:
        x = torch.randn(length, generator=g, dtype=torch.float64)
        win = torch.hann_window(n_fft, periodic=True, dtype=torch.float64)
        spec = torch.stft(x, n_fft, hop_length=hop, window=win, center=True, pad_mode="reflect", return_complex=True)
        # An arbitrary spectrum (not the STFT of any signal) checks the iSTFT's overlap-add and normalisation.
        other = torch.randn(spec.shape, generator=g, dtype=torch.float64) + 1j * torch.randn(spec.shape, generator=g, dtype=torch.float64)
        other[0].imag = 0
        if n_fft % 2 == 0:
            other[-1].imag = 0
        y = torch.istft(other, n_fft, hop_length=hop, window=win, center=True, length=length)
        write_f32(out / f"stft-{name}.json",
                  {"signal": x, "stft": torch.view_as_real(spec), "spectrum": torch.view_as_real(other), "istft": y},
                  note="torch.stft/istft reference, float64 computed, stored as float32",
                  nFft=n_fft, hopLength=hop, length=length)
        print(name, tuple(spec.shape))


if __name__ == "__main__":
    main()
