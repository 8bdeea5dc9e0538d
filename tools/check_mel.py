#!/usr/bin/env python3
"""Checks for the Mel-Band-Roformer definition (stemsafe_tools.mel_band_roformer):

1. its mel filter bank has the non-zero pattern of torchaudio's Slaney filter bank, the
   same construction as librosa.filters.mel (run only when torchaudio is installed:
   Debian's python3-torchaudio);
2. its Gather-based mask averaging equals upstream's scatter_add formulation
   (ZFTurbo models/bs_roformer/mel_band_roformer.py), re-stated here literally.

usage: /usr/bin/python3 tools/check_mel.py
"""
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.mel_band_roformer import MelBandRoformer, mel_filter_bank  # noqa: E402


def upstream_average(model, stft):
    """masks_summed = zeros.scatter_add_(2, freq_indices, masks); / num_bands_per_freq; * spec"""
    b, s, f, t, _ = stft.shape
    spec, masks = model.band_masks(stft)
    n = masks.shape[1]
    spec_c = torch.view_as_complex(spec.contiguous())[:, None]  # b 1 (f s) t
    masks_c = torch.view_as_complex(masks.contiguous())  # b n K t
    idx = model.freq_indices[None, None, :, None].expand(b, n, -1, t)
    summed = torch.zeros_like(spec_c.expand(b, n, -1, -1)).scatter_add_(2, idx, masks_c)
    denom = model.num_bands_per_freq[:, None].clamp(min=1e-8)
    out = torch.view_as_real(spec_c * (summed / denom))  # b n (f s) t c
    return out.reshape(b, n, f, s, t, 2).permute(0, 1, 3, 2, 4, 5)


def main():
    failures = 0
    try:
        import torchaudio
    except ImportError:
        torchaudio = None
        print("filter bank: SKIPPED (no torchaudio; apt-get install python3-torchaudio)")
    if torchaudio is not None:
        for n_mels in (60, 64, 128):
            ours = mel_filter_bank(44100, 2048, n_mels)
            ref = torchaudio.functional.melscale_fbanks(1025, 0.0, 22050.0, n_mels, 44100, norm="slaney",
                                                        mel_scale="slaney").T.numpy()
            differ = (ours > 0) != (ref > 0)
            tiny = np.minimum(np.abs(ours), np.abs(ref)) < 1e-7  # rounding-level values at triangle edges
            bad = int((differ & ~tiny).sum())
            rel = np.abs(ours - ref).max() / ref.max()
            print(f"filter bank n_mels={n_mels}: {int(differ.sum())} pattern differences ({bad} beyond rounding), "
                  f"max relative weight difference {rel:.1e}")
            failures += bad > 0 or rel > 1e-5
    torch.manual_seed(0)
    for stereo in (True, False):
        model = MelBandRoformer(32, depth=1, stereo=stereo, num_stems=2, time_transformer_depth=1,
                                freq_transformer_depth=1, num_bands=60, dim_head=16, heads=2, mlp_expansion_factor=1,
                                stft_hop_length=441).eval()
        for p in model.parameters():  # non-trivial masks: random gains instead of ones
            p.data.add_(0.1 * torch.randn_like(p))
        x = torch.randn(1, 2 if stereo else 1, 1025, 11, 2)
        with torch.no_grad():
            ours = model.forward_spec(x)
            ref = model.finish_spec(upstream_average(model, x))
        err = ((ours - ref).abs().max() / ref.abs().max()).item()
        print(f"mask averaging (stereo={stereo}): {model.mask_gathers.shape[0]} gathers, bands "
              f"{len(model.band_split.dim_inputs)}, relative error vs scatter_add {err:.1e}")
        failures += err > 1e-6
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
