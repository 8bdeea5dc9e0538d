#!/usr/bin/env python3
"""Checks that the grouped training path (stemsafe_tools.grouped) computes exactly what the
reference BS-Roformer modules compute: outputs and parameter gradients, to float32 rounding.

usage: /usr/bin/python3 tools/check_grouped.py
"""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools import grouped  # noqa: E402
from stemsafe_tools.bs_roformer import BSRoformer  # noqa: E402


def main():
    torch.manual_seed(0)
    model = BSRoformer(32, depth=2, stereo=True, num_stems=3, time_transformer_depth=1, freq_transformer_depth=1,
                       dim_head=16, heads=2, stft_n_fft=2048, stft_hop_length=441, mlp_expansion_factor=2,
                       mask_estimator_depth=3)
    spec = torch.randn(2, 2, 1025, 21, 2)
    ref = model.forward_spec(spec)
    ref.square().mean().backward()
    ref_grads = {k: p.grad.clone() for k, p in model.named_parameters() if p.grad is not None}
    model.zero_grad()
    fast = grouped.forward_spec(model, spec)
    fast.square().mean().backward()
    out_err = (fast - ref).abs().max().item() / ref.abs().max().item()
    grad_err = max((p.grad - ref_grads[k]).abs().max().item() / (ref_grads[k].abs().max().item() + 1e-12)
                   for k, p in model.named_parameters() if k in ref_grads)
    missing = [k for k, p in model.named_parameters() if p.requires_grad and (k in ref_grads) != (p.grad is not None)]
    print(f"groups: {grouped.width_groups(model.band_split.dim_inputs)}")
    print(f"relative output error {out_err:.2e}, worst relative gradient error {grad_err:.2e}, missing grads {missing}")
    if out_err > 1e-5 or grad_err > 1e-4 or missing:
        sys.exit(1)


if __name__ == "__main__":
    main()
