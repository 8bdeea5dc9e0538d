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

from .roformer_blocks import BandSplit, MaskEstimator, RMSNorm, axial_layers, check_supported, hann_window, run_axial

DEFAULT_FREQS_PER_BANDS = (
    (2,) * 24 + (4,) * 12 + (12,) * 8 + (24,) * 8 + (48,) * 8 + (128, 129)
)

# Keys of a ZFTurbo yaml ``model:`` section that only matter for training.
TRAINING_ONLY_KEYS = {
    "flash_attn", "multi_stft_resolution_loss_weight", "multi_stft_resolutions_window_sizes",
    "multi_stft_hop_size", "multi_stft_normalized", "use_torch_checkpoint", "sage_attention",
    "attn_dropout", "ff_dropout", "stft_window_fn", "multi_stft_window_fn", "mlp_expansion_factor_dummy",
}


class BSRoformer(nn.Module):
    def __init__(self, dim: int, *, depth: int, stereo: bool = False, num_stems: int = 1,
                 time_transformer_depth: int = 2, freq_transformer_depth: int = 2,
                 linear_transformer_depth: int = 0, freqs_per_bands=DEFAULT_FREQS_PER_BANDS,
                 dim_head: int = 64, heads: int = 8, attn_dropout: float = 0.0, ff_dropout: float = 0.0,
                 dim_freqs_in: int = 1025, stft_n_fft: int = 2048, stft_hop_length: int = 512,
                 stft_win_length: int = 2048, stft_normalized: bool = False, mask_estimator_depth: int = 2,
                 mlp_expansion_factor: int = 4, skip_connection: bool = False, **training_only):
        super().__init__()
        check_supported("BS-Roformer", set(training_only) - TRAINING_ONLY_KEYS,
                        linear_transformer_depth=linear_transformer_depth, skip_connection=skip_connection,
                        stft_normalized=stft_normalized, stft_win_length=stft_win_length, stft_n_fft=stft_n_fft)
        freqs_per_bands = tuple(freqs_per_bands)
        if sum(freqs_per_bands) != dim_freqs_in or dim_freqs_in != stft_n_fft // 2 + 1:
            raise ValueError("freqs_per_bands must cover all n_fft/2+1 bins")

        self.audio_channels = 2 if stereo else 1
        self.num_stems = num_stems
        self.n_fft = stft_n_fft
        self.hop_length = stft_hop_length
        self.num_bins = dim_freqs_in

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

    # -- the part that goes into ONNX -------------------------------------------------
    def forward_spec(self, stft: torch.Tensor) -> torch.Tensor:
        b, s, f, t, _ = stft.shape
        # 'b s f t c -> b (f s) t c' : frequency-major, channel-minor (as upstream)
        spec = stft.permute(0, 2, 1, 3, 4).reshape(b, f * s, t, 2)
        x = spec.permute(0, 2, 1, 3).reshape(b, t, f * s * 2)
        x = run_axial(self.layers, self.band_split(x))  # b t bands d
        x = self.final_norm(x)
        mask = torch.stack([est(x) for est in self.mask_estimators], dim=1)  # b n t (f s c)
        n = mask.shape[1]
        mask = mask.reshape(b, n, t, f * s, 2).permute(0, 1, 3, 2, 4)  # b n (f s) t c
        sr, si = spec[:, None, ..., 0], spec[:, None, ..., 1]
        mr, mi = mask[..., 0], mask[..., 1]
        out = torch.stack((sr * mr - si * mi, sr * mi + si * mr), dim=-1)  # b n (f s) t c
        return out.reshape(b, n, f, s, t, 2).permute(0, 1, 3, 2, 4, 5)

    # -- reference path with torch's own STFT (training, tests) ---------------------------
    def stft(self, audio: torch.Tensor) -> torch.Tensor:
        """audio [B, S, L] -> [B, S, F, T, 2] exactly as upstream computes it."""
        b, s, n = audio.shape
        spec = torch.stft(audio.reshape(b * s, n), n_fft=self.n_fft, hop_length=self.hop_length,
                          window=hann_window(self.n_fft).to(audio.device), center=True, pad_mode="reflect",
                          return_complex=True)
        spec = torch.view_as_real(spec)
        return spec.reshape(b, s, *spec.shape[1:])

    def istft(self, spec: torch.Tensor, length: int) -> torch.Tensor:
        """spec [..., F, T, 2] -> [..., length]"""
        lead = spec.shape[:-3]
        flat = torch.view_as_complex(spec.reshape(-1, *spec.shape[-3:]).contiguous())
        audio = torch.istft(flat, n_fft=self.n_fft, hop_length=self.hop_length,
                            window=hann_window(self.n_fft).to(spec.device), center=True, length=length)
        return audio.reshape(*lead, length)

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        """audio [B, S, L] -> stems [B, N, S, L]"""
        return self.istft(self.forward_spec(self.stft(audio)), audio.shape[-1])
