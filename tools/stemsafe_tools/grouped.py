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
import torch.nn.functional as F
from torch import nn

from .roformer_blocks import GLU, run_axial


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


def _rms(x: torch.Tensor, gamma: torch.Tensor) -> torch.Tensor:
    norm = torch.sqrt(torch.sum(x * x, dim=-1, keepdim=True)).clamp_min(1e-12)
    return x / norm * (x.shape[-1] ** 0.5) * gamma


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
        outs.append(torch.einsum("btnw,ndw->btnd", _rms(xg, gamma), weight) + bias)
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


def attention(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """roformer_blocks.Attention.forward with fused scaled-dot-product attention when available."""
    b, n, _ = x.shape
    x = module.norm(x)
    qkv = module.to_qkv(x).reshape(b, n, 3, module.heads, module.dim_head).permute(2, 0, 3, 1, 4)
    q, k, v = qkv[0], qkv[1], qkv[2]
    if module.rotary_embed is not None:
        q = module.rotary_embed.rotate_queries_or_keys(q)
        k = module.rotary_embed.rotate_queries_or_keys(k)
    if hasattr(F, "scaled_dot_product_attention"):
        out = F.scaled_dot_product_attention(q, k, v)
    else:
        out = torch.matmul(torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * module.scale, dim=-1), v)
    gates = module.to_gates(x).permute(0, 2, 1).unsqueeze(-1).sigmoid()
    out = (out * gates).permute(0, 2, 1, 3).reshape(b, n, module.heads * module.dim_head)
    return module.to_out(out)


def transformer(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    for attn, ff in module.layers:
        x = attention(attn, x) + x
        x = ff(x) + x
    return module.norm(x)


def forward_spec(model: nn.Module, stft: torch.Tensor) -> torch.Tensor:
    """Same result as BSRoformer.forward_spec, computed with grouped band ops."""
    b, s, f, t, _ = stft.shape
    spec = stft.permute(0, 2, 1, 3, 4).reshape(b, f * s, t, 2)
    x = spec.permute(0, 2, 1, 3).reshape(b, t, f * s * 2)
    x = run_axial(model.layers, band_split(model.band_split, x), transformer)
    x = model.final_norm(x)
    mask = mask_estimators(model.mask_estimators, model.band_split.dim_inputs, x)  # b n t (f s c)
    n = mask.shape[1]
    mask = mask.reshape(b, n, t, f * s, 2).permute(0, 1, 3, 2, 4)
    sr, si = spec[:, None, ..., 0], spec[:, None, ..., 1]
    mr, mi = mask[..., 0], mask[..., 1]
    out = torch.stack((sr * mr - si * mi, sr * mi + si * mr), dim=-1)
    return out.reshape(b, n, f, s, t, 2).permute(0, 1, 3, 2, 4, 5)
