"""Mel-Band-Roformer (Wang et al. 2023) with the ZFTurbo/lucidrains state_dict layout.

Differences from BS-Roformer: the bands are the non-zero regions of a librosa (Slaney)
mel filter bank, so they overlap; each band gathers its STFT bins, and the estimated masks
of overlapping bands are averaged per bin. Its transformers end with an RMSNorm
(norm_output=True), there is no final_norm, and its mask-estimator MLP has `depth` hidden
layers (BS-Roformer's has depth-1).

The scatter-add that upstream uses to average overlapping masks is written here as a sum of
a few Gathers with constant indices (each bin lies in at most a handful of bands), which
exports to plain ONNX Gather ops that every onnxruntime-web backend runs. tools/check_mel.py
compares it with the upstream scatter-add formulation.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .roformer_blocks import (BandSplit, MaskEstimator, SpectralRoformer, apply_masks, axial_layers,
                              bins_to_features, features_to_bins, fold_channels, run_axial)

TRAINING_ONLY_KEYS = {
    "flash_attn", "multi_stft_resolution_loss_weight", "multi_stft_resolutions_window_sizes",
    "multi_stft_hop_size", "multi_stft_normalized", "use_torch_checkpoint", "attn_dropout", "ff_dropout",
    "stft_window_fn", "multi_stft_window_fn", "match_input_audio_length", "sage_attention",
}


# Slaney's mel scale (librosa's default): linear below 1 kHz, logarithmic above.
F_SP = 200.0 / 3
MIN_LOG_HZ = 1000.0
MIN_LOG_MEL = MIN_LOG_HZ / F_SP
LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel_slaney(f):
    f = np.asanyarray(f, dtype=np.float64)
    return np.where(f >= MIN_LOG_HZ, MIN_LOG_MEL + np.log(np.maximum(f, 1e-10) / MIN_LOG_HZ) / LOGSTEP, f / F_SP)


def mel_to_hz_slaney(m):
    m = np.asanyarray(m, dtype=np.float64)
    return np.where(m >= MIN_LOG_MEL, MIN_LOG_HZ * np.exp(LOGSTEP * (m - MIN_LOG_MEL)), F_SP * m)


def mel_filter_bank(sr: int, n_fft: int, n_mels: int) -> np.ndarray:
    """librosa.filters.mel(sr=sr, n_fft=n_fft, n_mels=n_mels) (fmin 0, fmax sr/2, Slaney scale
    and norm, float32): the same arithmetic, so the same bins are non-zero."""
    fftfreqs = np.fft.rfftfreq(n=n_fft, d=1.0 / sr)
    mel_f = mel_to_hz_slaney(np.linspace(hz_to_mel_slaney(0.0), hz_to_mel_slaney(sr / 2.0), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    weights = np.zeros((n_mels, 1 + n_fft // 2), dtype=np.float32)
    for i in range(n_mels):
        lower = -ramps[i] / fdiff[i]
        upper = ramps[i + 2] / fdiff[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    enorm = 2.0 / (mel_f[2: n_mels + 2] - mel_f[:n_mels])
    weights *= enorm[:, np.newaxis]
    return weights


def band_layout(sample_rate: int, n_fft: int, num_bands: int, channels: int):
    """-> (freq_indices [K] into the (f s) axis, bins per band [num_bands], bands per (f s) bin [F*S])"""
    fb = mel_filter_bank(sample_rate, n_fft, num_bands)
    fb[0][0] = 1.0
    fb[-1, -1] = 1.0
    freqs_per_band = fb > 0
    if not freqs_per_band.any(axis=0).all():
        raise ValueError("mel bands do not cover every STFT bin")
    freqs = n_fft // 2 + 1
    repeated = np.broadcast_to(np.arange(freqs), (num_bands, freqs))
    idx = repeated[freqs_per_band]  # band-major, ascending bins within a band
    if channels == 2:
        idx = (idx[:, None] * 2 + np.arange(2)[None, :]).reshape(-1)
    per_band = freqs_per_band.sum(axis=1)
    per_bin = np.repeat(freqs_per_band.sum(axis=0), channels)
    return idx.astype(np.int64), per_band.astype(np.int64), per_bin.astype(np.int64)


def average_gathers(freq_indices: np.ndarray, n_bins: int) -> np.ndarray:
    """[R, n_bins] rows of positions k with freq_indices[k] == bin (the r-th such k), padded with
    len(freq_indices), which points at an appended zero."""
    k_of_bin: list[list[int]] = [[] for _ in range(n_bins)]
    for k, j in enumerate(freq_indices.tolist()):
        k_of_bin[j].append(k)
    rounds = max(len(ks) for ks in k_of_bin)
    out = np.full((rounds, n_bins), len(freq_indices), dtype=np.int64)
    for j, ks in enumerate(k_of_bin):
        out[: len(ks), j] = ks
    return out


class MelBandRoformer(SpectralRoformer):
    def __init__(self, dim: int, *, depth: int, stereo: bool = False, num_stems: int = 1,
                 time_transformer_depth: int = 2, freq_transformer_depth: int = 2,
                 linear_transformer_depth: int = 0, num_bands: int = 60, dim_head: int = 64, heads: int = 8,
                 dim_freqs_in: int = 1025, sample_rate: int = 44100, stft_n_fft: int = 2048,
                 stft_hop_length: int = 512, stft_win_length: int = 2048, stft_normalized: bool = False,
                 mask_estimator_depth: int = 1, mlp_expansion_factor: int = 4, skip_connection: bool = False,
                 zero_dc: bool = True, **training_only):
        super().__init__("Mel-Band-Roformer", set(training_only) - TRAINING_ONLY_KEYS, stereo=stereo,
                         num_stems=num_stems, dim_freqs_in=dim_freqs_in, stft_n_fft=stft_n_fft,
                         stft_hop_length=stft_hop_length, stft_win_length=stft_win_length,
                         stft_normalized=stft_normalized, linear_transformer_depth=linear_transformer_depth,
                         skip_connection=skip_connection, zero_dc=zero_dc)
        self.layers = axial_layers(depth, time_transformer_depth, freq_transformer_depth, dim=dim, heads=heads,
                                   dim_head=dim_head, norm_output=True)
        idx, per_band, per_bin = band_layout(sample_rate, stft_n_fft, num_bands, self.audio_channels)
        self.register_buffer("freq_indices", torch.from_numpy(idx), persistent=False)
        self.register_buffer("num_bands_per_freq", torch.from_numpy(per_bin), persistent=False)
        self.register_buffer("mask_gathers", torch.from_numpy(average_gathers(idx, len(per_bin))), persistent=False)
        dims_with_complex = tuple(2 * int(f) * self.audio_channels for f in per_band)
        self.band_split = BandSplit(dim=dim, dim_inputs=dims_with_complex)
        # upstream MLP(depth) has `depth` hidden layers; roformer_blocks.mlp(depth) has depth-1
        self.mask_estimators = nn.ModuleList([
            MaskEstimator(dim=dim, dim_inputs=dims_with_complex, depth=mask_estimator_depth + 1,
                          mlp_expansion_factor=mlp_expansion_factor)
            for _ in range(num_stems)
        ])

    def band_masks(self, stft: torch.Tensor):
        """-> (spec b (f s) t c, masks b n K t c) before averaging."""
        spec = fold_channels(stft)
        x = torch.index_select(spec, 1, self.freq_indices)  # b K t c
        x = run_axial(self.layers, self.band_split(bins_to_features(x)))
        masks = torch.stack([est(x) for est in self.mask_estimators], dim=1)  # b n t (K c)
        return spec, features_to_bins(masks)

    def forward_spec(self, stft: torch.Tensor) -> torch.Tensor:
        spec, masks = self.band_masks(stft)
        padded = torch.cat([masks, torch.zeros_like(masks[:, :, :1])], dim=2)
        summed = torch.index_select(padded, 2, self.mask_gathers[0])
        for r in range(1, self.mask_gathers.shape[0]):
            summed = summed + torch.index_select(padded, 2, self.mask_gathers[r])
        mask = summed / self.num_bands_per_freq.to(summed.dtype)[None, None, :, None, None]
        return self.finish_spec(apply_masks(spec, mask, stft.shape[1]))
