"""One training step of the shipped BS-Roformer, and the model configuration it trains.

`step` is what tools/train.py runs: the grouped forward pass (stemsafe_tools.grouped) with
matrix products in bfloat16 (torch.autocast; on this machine's CPU a bf16 matrix product runs
about 4.5x faster than float32, and the H100 runs that trained the bundled model used the same
autocast), the loss in float32 (stemsafe_tools.losses.separation_loss, equal to the reference
definition), gradient clipping and AdamW, and an exponential moving average of the weights.

`legacy_step` is the step tools/train.py ran before: float32 throughout and the reference loss.
The training benchmark (tools/bench_train.py) times the two side by side.
"""
from __future__ import annotations

import contextlib
import time

import numpy as np
import torch

from . import grouped
from .bs_roformer import BSRoformer
from .losses import SDR_FLOOR, reference_loss, sdr_loss, separation_loss

# The bundled model's configuration (tools/runs/bsr-4stem-synth/run-b.config.json). zero_dc=False:
# it was trained without upstream's DC zeroing.
SHIPPED = dict(dim=64, depth=3, stereo=True, num_stems=3, time_transformer_depth=1, freq_transformer_depth=1,
               dim_head=16, heads=4, stft_n_fft=2048, stft_hop_length=441, mlp_expansion_factor=2,
               mask_estimator_depth=2, zero_dc=False)
STEMS = ("vocals", "drums", "bass", "other")
ESTIMATED = 3  # vocals, drums, bass; "other" is the mix minus these


def make_model(config: dict | None = None) -> BSRoformer:
    return BSRoformer(**(config or SHIPPED))


def load_weights(model: torch.nn.Module, path: str) -> None:
    """A tools/train.py model.npz, or a state dict saved by torch (tools/onnx_to_checkpoint.py)."""
    if str(path).endswith(".npz"):
        state = np.load(path)
        model.load_state_dict({k: torch.from_numpy(state[k]) for k in state.files})
    else:
        state = torch.load(path, map_location="cpu")
        model.load_state_dict(state.get("state_dict", state) if isinstance(state, dict) else state)


def autocast(device: str, bf16: bool):
    if not bf16:
        return contextlib.nullcontext()
    return torch.autocast(device_type="cuda" if device.startswith("cuda") else "cpu", dtype=torch.bfloat16)


def separate(model, mix: torch.Tensor, bf16: bool) -> torch.Tensor:
    """The estimated stems [B, 3, C, L] of mixes [B, C, L]: STFT, the grouped forward pass (matrix
    products in bfloat16 when bf16), inverse STFT in float32."""
    with autocast(str(mix.device), bf16):
        masked = grouped.forward_spec(model, model.stft(mix))
    return model.istft(masked.float(), mix.shape[-1])


def _sync(device: str) -> float:
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return time.time()


LOSSES = {
    "l1-stft": "L1 on waveforms + multi-resolution STFT L1 (4096/2048/1024/512, hop 147); other = mix - estimates",
    "sdr": "minus uSDR (dB) per song and stem, stems below -40 dB of the mix not scored; other = mix - estimates",
    "sdr-pooled": "minus uSDR (dB) per stem over the batch's examples as one song, stems below -40 dB of that song's "
                  "mix not scored; other = mix - estimates",
}


def step(model, opt, stems: torch.Tensor, bf16: bool = True, clip: float = 1.0, loss_name: str = "l1-stft",
         teacher=None, distill: tuple[int, ...] = (), stem_weights=None) -> tuple[float, dict]:
    """stems [B, 4, 2, L] summing to the mix; loss_name a key of LOSSES. Returns (loss, seconds per phase).

    teacher, distill: the stems at indices `distill` (estimated stems only) are scored against
    what the frozen `teacher` model makes of the same mix instead of the bank's stems, so a run
    that trains the trunk keeps those stems as the teacher separates them (learning without
    forgetting); the residual stem's reference becomes the mix minus the new references.

    stem_weights: the uSDR loss's weight of each stem (STEMS order; None: all 1)."""
    device = str(stems.device)
    t0 = _sync(device)
    mix = stems.sum(1)
    if teacher is not None and distill:
        with torch.no_grad():
            taught = separate(teacher, mix, bf16)
        stems = stems.clone()
        stems[:, list(distill)] = taught[:, list(distill)].to(stems.dtype)
    est = separate(model, mix, bf16)  # [B, 3, 2, L]
    if loss_name in ("sdr", "sdr-pooled"):
        loss = sdr_loss(est, stems[:, :ESTIMATED], mix, pooled=loss_name == "sdr-pooled", weights=stem_weights)
    else:
        if stem_weights is not None:
            raise ValueError("stem weights need the uSDR loss (sdr or sdr-pooled)")
        loss = separation_loss(est, stems[:, :ESTIMATED])
    t1 = _sync(device)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    t2 = _sync(device)
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    t3 = _sync(device)
    return float(loss), {"forward": t1 - t0, "backward": t2 - t1, "optimizer": t3 - t2}


def legacy_step(model, opt, stems: torch.Tensor, clip: float = 1.0) -> tuple[float, dict]:
    """The step tools/train.py ran on a CPU before: float32, every stem through torch.stft."""
    device = str(stems.device)
    t0 = _sync(device)
    mix = stems.sum(1)
    est = separate(model, mix, bf16=False)
    est_all = torch.cat([est, (mix - est.sum(dim=1))[:, None]], dim=1)
    loss = reference_loss(est_all, stems)
    t1 = _sync(device)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    t2 = _sync(device)
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    opt.step()
    t3 = _sync(device)
    return float(loss), {"forward": t1 - t0, "backward": t2 - t1, "optimizer": t3 - t2}


class Ema:
    """Exponential moving average of the parameters (what is evaluated and exported)."""

    def __init__(self, model: torch.nn.Module, decay: float):
        self.decay = decay
        self.shadow = {k: v.detach().clone().float() for k, v in model.state_dict().items()}

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        """Frozen parameters (requires_grad False: --train-only) are copied, not averaged: averaging a
        constant with itself in float32 drifts it by rounding (about 1e-5 relative over 800 steps)."""
        frozen = {k for k, p in model.named_parameters() if not p.requires_grad}
        for k, v in model.state_dict().items():
            if v.dtype.is_floating_point and k not in frozen:
                self.shadow[k].mul_(self.decay).add_(v.detach().float(), alpha=1 - self.decay)
            else:
                self.shadow[k].copy_(v)

    def copy_to(self, model: torch.nn.Module) -> None:
        model.load_state_dict(self.shadow)


def usdr(est: torch.Tensor, ref: torch.Tensor, mix: torch.Tensor) -> torch.Tensor:
    """uSDR in dB per song and stem [B, S]; NaN where the reference is silent (< -40 dB of the mix,
    the same SDR_FLOOR below which losses.sdr_loss leaves a stem out)."""
    num = ref.pow(2).sum(dim=(-1, -2))
    den = (ref - est).pow(2).sum(dim=(-1, -2)).clamp(min=1e-10)
    value = 10 * torch.log10(num.clamp(min=1e-10) / den)
    silent = num < mix.pow(2).sum(dim=(-1, -2))[:, None] * SDR_FLOOR
    return torch.where(silent, torch.full_like(value, float("nan")), value)


@torch.no_grad()
def validate(model, stems: torch.Tensor, batch: int = 1, bf16: bool = False) -> dict:
    """Mean uSDR per stem over songs [V, 4, 2, L] (other = mix - the estimated stems)."""
    was_training = model.training
    model.eval()
    scores = []
    for i in range(0, stems.shape[0], batch):
        ref = stems[i:i + batch]
        mix = ref.sum(dim=1)
        est = separate(model, mix, bf16)
        est_all = torch.cat([est, (mix - est.sum(dim=1))[:, None]], dim=1)
        scores.append(usdr(est_all, ref, mix))
    model.train(was_training)
    s = torch.cat(scores)
    per_stem = {name: float(torch.nanmean(s[:, k])) for k, name in enumerate(STEMS)}
    per_stem["mean"] = float(np.nanmean(list(per_stem.values())))
    return per_stem
