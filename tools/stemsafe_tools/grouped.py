"""Grouped (batched) forward pass for BS-Roformer, used for training speed.

The reference modules (roformer_blocks.BandSplit / MaskEstimator) run one small Linear per
band and per stem: ~60 bands x 3 stems is over a thousand tiny kernels per step, so a GPU
spends its time launching kernels. Here the bands that share a width are stacked and run as
one batched matmul, and all stems at once. The parameters are the SAME tensors (the module
layout and state_dict do not change), so a model trained through this path exports and
loads exactly like any other. tools/check_grouped.py proves the two paths agree.
"""
from __future__ import annotations

import torch
from torch import nn

from .roformer_blocks import GLU, apply_masks, bins_to_features, features_to_bins, fold_channels, rms_norm, run_axial


def width_groups(widths: list[int]) -> list[tuple[int, int, int]]:
    """Runs of equal band width: (first band, band count, width)."""
    groups: list[tuple[int, int, int]] = []
    for i, w in enumerate(widths):
        if groups and groups[-1][2] == w and groups[-1][0] + groups[-1][1] == i:
            first, count, _ = groups[-1]
            groups[-1] = (first, count + 1, w)
        else:
            groups.append((i, 1, w))
    return groups


def band_split(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """module: BandSplit; x [b, t, sum(widths)] -> [b, t, bands, dim]"""
    outs, offset = [], 0
    for first, count, width in width_groups(module.dim_inputs):
        nets = module.to_features[first:first + count]
        xg = x[..., offset:offset + count * width].reshape(*x.shape[:-1], count, width)
        offset += count * width
        gamma = torch.stack([n[0].gamma for n in nets])  # [n, w]
        weight = torch.stack([n[1].weight for n in nets])  # [n, dim, w]
        bias = torch.stack([n[1].bias for n in nets])  # [n, dim]
        outs.append(torch.einsum("btnw,ndw->btnd", rms_norm(xg, gamma, width ** 0.5), weight) + bias)
    return torch.cat(outs, dim=-2)


def mask_estimators(estimators: nn.ModuleList, widths: list[int], x: torch.Tensor) -> torch.Tensor:
    """estimators: MaskEstimator per stem; x [b, t, bands, dim] -> [b, stems, t, sum(widths)]"""
    outs = []
    for first, count, width in width_groups(widths):
        h = x[:, :, first:first + count, :]  # b t n d
        # per stem, per band: Sequential(mlp..., GLU); stack [stem, band] parameters
        seqs = [[est.to_freqs[first + i] for i in range(count)] for est in estimators]
        layers = list(seqs[0][0][0])  # the mlp of the first band: the shared structure
        h = h.unsqueeze(1)  # b 1 t n d
        for li, layer in enumerate(layers):
            if isinstance(layer, nn.Linear):
                weight = torch.stack([torch.stack([band[0][li].weight for band in stem]) for stem in seqs])  # s n o i
                bias = torch.stack([torch.stack([band[0][li].bias for band in stem]) for stem in seqs])  # s n o
                if h.shape[1] == 1:
                    h = torch.einsum("btni,snoi->bstno", h[:, 0], weight)
                else:
                    h = torch.einsum("bstni,snoi->bstno", h, weight)
                h = h + bias[None, :, None]
            elif isinstance(layer, nn.Tanh):
                h = torch.tanh(h)
            else:
                raise TypeError(f"unexpected layer in mask estimator: {layer}")
        assert isinstance(seqs[0][0][1], GLU)
        h = h[..., :width] * torch.sigmoid(h[..., width:])  # b s t n w
        outs.append(h.reshape(*h.shape[:3], count * width))
    return torch.cat(outs, dim=-1)


def forward_spec(model: nn.Module, stft: torch.Tensor) -> torch.Tensor:
    """Same result as BSRoformer.forward_spec, computed with grouped band ops and fused attention."""
    spec = fold_channels(stft)  # b (f s) t c
    x = run_axial(model.layers, band_split(model.band_split, bins_to_features(spec)), fused=True)
    x = model.final_norm(x)
    mask = mask_estimators(model.mask_estimators, model.band_split.dim_inputs, x)  # b n t (f s c)
    return model.finish_spec(apply_masks(spec, features_to_bins(mask), stft.shape[1]))
