"""BS-Roformer (Lu et al. 2023) with the ZFTurbo/lucidrains state_dict layout.

The STFT is NOT part of the network: ``forward_spec`` takes the complex STFT of the
mixture and returns the masked STFT of every stem. The browser computes the STFT and
iSTFT in TypeScript (src/lib/dsp/stft.ts) with exactly torch.stft's conventions, so the
exported ONNX graph is ``forward_spec``.

Tensor layout at the graph boundary (float32):
  input  ``stft``   [B, S, F, T, 2]      S audio channels, F = n_fft/2+1 bins, T frames, (re, im)
  output ``stems``  [B, N, S, F, T, 2]   N stems, masked complex spectra
"""
from __future__ import annotations

import torch
from torch import nn

from .roformer_blocks import (BandSplit, MaskEstimator, RMSNorm, SpectralRoformer, apply_masks, axial_layers,
                              bins_to_features, features_to_bins, fold_channels, run_axial)

DEFAULT_FREQS_PER_BANDS = (
    (2,) * 24 + (4,) * 12 + (12,) * 8 + (24,) * 8 + (48,) * 8 + (128, 129)
)

# Keys of a ZFTurbo yaml ``model:`` section that only matter for training.
TRAINING_ONLY_KEYS = {
    "flash_attn", "multi_stft_resolution_loss_weight", "multi_stft_resolutions_window_sizes",
    "multi_stft_hop_size", "multi_stft_normalized", "use_torch_checkpoint", "sage_attention",
    "attn_dropout", "ff_dropout", "stft_window_fn", "multi_stft_window_fn", "mlp_expansion_factor_dummy",
}


class BSRoformer(SpectralRoformer):
    def __init__(self, dim: int, *, depth: int, stereo: bool = False, num_stems: int = 1,
                 time_transformer_depth: int = 2, freq_transformer_depth: int = 2,
                 linear_transformer_depth: int = 0, freqs_per_bands=DEFAULT_FREQS_PER_BANDS,
                 dim_head: int = 64, heads: int = 8, attn_dropout: float = 0.0, ff_dropout: float = 0.0,
                 dim_freqs_in: int = 1025, stft_n_fft: int = 2048, stft_hop_length: int = 512,
                 stft_win_length: int = 2048, stft_normalized: bool = False, mask_estimator_depth: int = 2,
                 mlp_expansion_factor: int = 4, skip_connection: bool = False, zero_dc: bool = True, **training_only):
        super().__init__("BS-Roformer", set(training_only) - TRAINING_ONLY_KEYS, stereo=stereo, num_stems=num_stems,
                         dim_freqs_in=dim_freqs_in, stft_n_fft=stft_n_fft, stft_hop_length=stft_hop_length,
                         stft_win_length=stft_win_length, stft_normalized=stft_normalized,
                         linear_transformer_depth=linear_transformer_depth, skip_connection=skip_connection,
                         zero_dc=zero_dc)
        freqs_per_bands = tuple(freqs_per_bands)
        if sum(freqs_per_bands) != dim_freqs_in:
            raise ValueError("freqs_per_bands must cover all n_fft/2+1 bins")

        self.layers = axial_layers(depth, time_transformer_depth, freq_transformer_depth, dim=dim, heads=heads,
                                   dim_head=dim_head, attn_dropout=attn_dropout, ff_dropout=ff_dropout,
                                   norm_output=False)
        self.final_norm = RMSNorm(dim)
        dims_with_complex = tuple(2 * f * self.audio_channels for f in freqs_per_bands)
        self.band_split = BandSplit(dim=dim, dim_inputs=dims_with_complex)
        self.mask_estimators = nn.ModuleList([
            MaskEstimator(dim=dim, dim_inputs=dims_with_complex, depth=mask_estimator_depth,
                          mlp_expansion_factor=mlp_expansion_factor)
            for _ in range(num_stems)
        ])

    def forward_spec(self, stft: torch.Tensor) -> torch.Tensor:
        spec = fold_channels(stft)  # b (f s) t c
        x = run_axial(self.layers, self.band_split(bins_to_features(spec)))  # b t bands d
        x = self.final_norm(x)
        mask = torch.stack([est(x) for est in self.mask_estimators], dim=1)  # b n t (f s c)
        return self.finish_spec(apply_masks(spec, features_to_bins(mask), stft.shape[1]))
