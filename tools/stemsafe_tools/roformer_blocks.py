"""Building blocks shared by BS-Roformer and Mel-Band-Roformer.

Module and parameter names follow lucidrains/BS-RoFormer as vendored by ZFTurbo's
Music-Source-Separation-Training, so that public checkpoints load with
``load_state_dict`` unchanged. Everything here is written with plain tensor ops
(no einops) so it runs on Debian's PyTorch 1.13 and exports to ONNX opset 17; fused
attention is used only when asked for (training, ``fused=True``) and available.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def rms_norm(x: torch.Tensor, gamma: torch.Tensor, scale: float) -> torch.Tensor:
    """F.normalize(x, dim=-1) * scale * gamma (scale = sqrt(dim), a Python constant), written
    out so the ONNX graph stays simple."""
    norm = torch.sqrt(torch.sum(x * x, dim=-1, keepdim=True)).clamp_min(1e-12)
    return x / norm * scale * gamma


class RMSNorm(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.scale = dim ** 0.5
        self.gamma = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return rms_norm(x, self.gamma, self.scale)


class RotaryEmbedding(nn.Module):
    """rotary_embedding_torch.RotaryEmbedding (lang freqs, interleaved pairs)."""

    def __init__(self, dim: int, theta: float = 10000.0):
        super().__init__()
        freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: dim // 2].float() / dim))
        self.freqs = nn.Parameter(freqs, requires_grad=False)

    def rotate_queries_or_keys(self, t: torch.Tensor) -> torch.Tensor:
        seq_len = t.shape[-2]
        pos = torch.arange(seq_len, device=t.device, dtype=t.dtype)
        angles = pos[:, None] * self.freqs[None, :].to(t.dtype)  # n, d/2
        angles = torch.stack((angles, angles), dim=-1).flatten(-2)  # n, d  ('... n -> ... (n r)', r=2)
        cos, sin = angles.cos(), angles.sin()
        return t * cos + rotate_half(t) * sin


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack((-x2, x1), dim=-1).flatten(-2)


class FeedForward(nn.Module):
    def __init__(self, dim: int, mult: int = 4, dropout: float = 0.0):
        super().__init__()
        inner = int(dim * mult)
        self.net = nn.Sequential(
            RMSNorm(dim), nn.Linear(dim, inner), nn.GELU(), nn.Dropout(dropout), nn.Linear(inner, dim), nn.Dropout(dropout)
        )

    def forward(self, x):
        return self.net(x)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int = 8, dim_head: int = 64, dropout: float = 0.0, rotary_embed=None):
        super().__init__()
        self.heads = heads
        self.dim_head = dim_head
        self.scale = dim_head ** -0.5
        inner = heads * dim_head
        self.rotary_embed = rotary_embed
        self.dropout = dropout
        self.norm = RMSNorm(dim)
        self.to_qkv = nn.Linear(dim, inner * 3, bias=False)
        self.to_gates = nn.Linear(dim, heads)
        self.to_out = nn.Sequential(nn.Linear(inner, dim, bias=False), nn.Dropout(dropout))

    def forward(self, x: torch.Tensor, fused: bool = False) -> torch.Tensor:
        """fused: F.scaled_dot_product_attention (training speed; same result). The default
        written-out attention is what exports to ONNX opset 17."""
        b, n, _ = x.shape
        x = self.norm(x)
        qkv = self.to_qkv(x).reshape(b, n, 3, self.heads, self.dim_head).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # b h n d
        if self.rotary_embed is not None:
            q = self.rotary_embed.rotate_queries_or_keys(q)
            k = self.rotary_embed.rotate_queries_or_keys(k)
        dropout = self.dropout if self.training else 0.0
        if fused and hasattr(F, "scaled_dot_product_attention"):
            out = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout)
        else:
            attn = (torch.matmul(q, k.transpose(-1, -2)) * self.scale).softmax(dim=-1)
            if dropout > 0:
                attn = F.dropout(attn, dropout)
            out = torch.matmul(attn, v)  # b h n d
        gates = self.to_gates(x).permute(0, 2, 1).unsqueeze(-1).sigmoid()  # b h n 1
        out = (out * gates).permute(0, 2, 1, 3).reshape(b, n, self.heads * self.dim_head)
        return self.to_out(out)


class Transformer(nn.Module):
    def __init__(self, *, dim, depth, dim_head=64, heads=8, attn_dropout=0.0, ff_dropout=0.0, ff_mult=4,
                 norm_output=True, rotary_embed=None):
        super().__init__()
        self.layers = nn.ModuleList([
            nn.ModuleList([
                Attention(dim=dim, dim_head=dim_head, heads=heads, dropout=attn_dropout, rotary_embed=rotary_embed),
                FeedForward(dim=dim, mult=ff_mult, dropout=ff_dropout),
            ])
            for _ in range(depth)
        ])
        self.norm = RMSNorm(dim) if norm_output else nn.Identity()

    def forward(self, x, fused: bool = False):
        for attn, ff in self.layers:
            x = attn(x, fused=fused) + x
            x = ff(x) + x
        return self.norm(x)


class BandSplit(nn.Module):
    def __init__(self, dim: int, dim_inputs: tuple[int, ...]):
        super().__init__()
        self.dim_inputs = list(dim_inputs)
        self.to_features = nn.ModuleList([nn.Sequential(RMSNorm(d), nn.Linear(d, dim)) for d in dim_inputs])

    def forward(self, x):
        outs, start = [], 0
        for d, net in zip(self.dim_inputs, self.to_features):
            outs.append(net(x[..., start:start + d]))  # one Slice per band, not one 62-output Split
            start += d
        return torch.stack(outs, dim=-2)


def mlp(dim_in: int, dim_out: int, dim_hidden: int, depth: int) -> nn.Sequential:
    dims = (dim_in, *((dim_hidden,) * (depth - 1)), dim_out)
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(dims) - 2:
            layers.append(nn.Tanh())
    return nn.Sequential(*layers)


class GLU(nn.Module):
    """nn.GLU(dim=-1) with the split size fixed, so ONNX export needs no shape inference."""

    def __init__(self, half: int):
        super().__init__()
        self.half = half

    def forward(self, x):
        return x[..., : self.half] * torch.sigmoid(x[..., self.half:])


class MaskEstimator(nn.Module):
    def __init__(self, dim: int, dim_inputs: tuple[int, ...], depth: int, mlp_expansion_factor: int = 4):
        super().__init__()
        hidden = dim * mlp_expansion_factor
        self.to_freqs = nn.ModuleList([
            nn.Sequential(mlp(dim, d * 2, hidden, depth), GLU(d)) for d in dim_inputs
        ])

    def forward(self, x):
        return torch.cat([net(x[..., i, :]) for i, net in enumerate(self.to_freqs)], dim=-1)


def axial_layers(depth: int, time_depth: int, freq_depth: int, **transformer_kwargs) -> nn.ModuleList:
    """layers.{l}.0 = time transformer, layers.{l}.1 = frequency transformer; one rotary each, shared."""
    time_rotary = RotaryEmbedding(dim=transformer_kwargs["dim_head"])
    freq_rotary = RotaryEmbedding(dim=transformer_kwargs["dim_head"])
    return nn.ModuleList([
        nn.ModuleList([
            Transformer(depth=time_depth, rotary_embed=time_rotary, **transformer_kwargs),
            Transformer(depth=freq_depth, rotary_embed=freq_rotary, **transformer_kwargs),
        ])
        for _ in range(depth)
    ])


def run_axial(layers: nn.ModuleList, x: torch.Tensor, fused: bool = False) -> torch.Tensor:
    """x [b, t, bands, d]: attention across time per band, then across bands per frame."""
    b, t, bands, d = x.shape
    for time_tf, freq_tf in layers:
        x = x.permute(0, 2, 1, 3).reshape(b * bands, t, d)
        x = time_tf(x, fused=fused)
        x = x.reshape(b, bands, t, d).permute(0, 2, 1, 3).reshape(b * t, bands, d)
        x = freq_tf(x, fused=fused)
        x = x.reshape(b, t, bands, d)
    return x


def fold_channels(stft: torch.Tensor) -> torch.Tensor:
    """[b, s, f, t, c] -> [b, (f s), t, c]: frequency-major, channel-minor (as upstream)."""
    b, s, f, t, c = stft.shape
    return stft.permute(0, 2, 1, 3, 4).reshape(b, f * s, t, c)


def bins_to_features(spec: torch.Tensor) -> torch.Tensor:
    """[b, K, t, c] -> [b, t, (K c)]: the band-split input, complex folded into the bins."""
    b, k, t, c = spec.shape
    return spec.permute(0, 2, 1, 3).reshape(b, t, k * c)


def features_to_bins(mask: torch.Tensor) -> torch.Tensor:
    """Mask-estimator output [b, n, t, (K c)] -> [b, n, K, t, c]."""
    b, n, t, kc = mask.shape
    return mask.reshape(b, n, t, kc // 2, 2).permute(0, 1, 3, 2, 4)


def apply_masks(spec: torch.Tensor, mask: torch.Tensor, channels: int) -> torch.Tensor:
    """Complex product of the folded spectrum spec [b, (f s), t, 2] with per-stem masks
    [b, n, (f s), t, 2] -> stems [b, n, s, f, t, 2]."""
    b, n, fs, t, _ = mask.shape
    sr, si = spec[:, None, ..., 0], spec[:, None, ..., 1]
    mr, mi = mask[..., 0], mask[..., 1]
    out = torch.stack((sr * mr - si * mi, sr * mi + si * mr), dim=-1)
    return out.reshape(b, n, fs // channels, channels, t, 2).permute(0, 1, 3, 2, 4, 5)


def hann_window(n: int) -> torch.Tensor:
    return torch.hann_window(n, periodic=True)


class SpectralRoformer(nn.Module):
    """What BS- and Mel-Band-Roformer share around their bands: the checks on upstream options
    this definition (and the browser) cannot honour, the STFT they expect, and the reference
    audio path with torch's own STFT (training, tests). Subclasses define ``forward_spec``:
    STFT [B, S, F, T, 2] -> masked stems [B, N, S, F, T, 2], the part exported to ONNX."""

    def __init__(self, name: str, unknown_options: set, *, stereo: bool, num_stems: int, dim_freqs_in: int,
                 stft_n_fft: int, stft_hop_length: int, stft_win_length: int, stft_normalized: bool,
                 linear_transformer_depth: int, skip_connection: bool, zero_dc: bool = True):
        super().__init__()
        if unknown_options:
            raise ValueError(f"unsupported {name} options: {sorted(unknown_options)}")
        if linear_transformer_depth:
            raise ValueError("linear_transformer_depth > 0 is not supported by this exporter")
        if skip_connection:
            raise ValueError("skip_connection=True is not supported by this exporter")
        if stft_normalized:
            raise ValueError("stft_normalized=True is not supported (the browser STFT is unnormalized)")
        if stft_win_length != stft_n_fft:
            raise ValueError("stft_win_length must equal stft_n_fft")
        if dim_freqs_in != stft_n_fft // 2 + 1:
            raise ValueError("dim_freqs_in must be n_fft/2+1")
        self.audio_channels = 2 if stereo else 1
        self.num_stems = num_stems
        self.n_fft = stft_n_fft
        self.hop_length = stft_hop_length
        self.num_bins = dim_freqs_in
        # upstream (ZFTurbo, since 2025-09; default True) zeroes bin 0 (DC) of every masked spectrum
        # before the inverse STFT. Written as a product with a constant [F, 1, 1] so it exports as one Mul.
        self.zero_dc = bool(zero_dc)
        keep = torch.ones(dim_freqs_in, 1, 1)
        keep[0] = 0.0
        self.register_buffer("dc_keep", keep, persistent=False)

    def finish_spec(self, stems: torch.Tensor) -> torch.Tensor:
        """stems [B, N, S, F, T, 2] -> the same with bin 0 zeroed when zero_dc."""
        return stems * self.dc_keep if self.zero_dc else stems

    def forward_spec(self, stft: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

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
