"""Deterministic pseudo-random weights from an integer hash of (tensor name, element index).

scripts/lib/hash-weights.ts implements the same formula bit for bit, so a test can rebuild a
160M-parameter checkpoint in TypeScript instead of committing it:

  h    = FNV-1a 32 of the name's UTF-8 bytes
  x    = fmix32((h + i * 0x9E3779B9) mod 2^32)          (murmur3's finaliser)
  u    = (x >> 8) / 2^24                                 in [0, 1), exact in float64
  w[i] = float32(offset + scale * (2u - 1))              (float64 arithmetic, one rounding)

offset/scale per tensor keep activations in a sensible range: RMSNorm gains 1 +- 0.2, Linear
weights +-1/sqrt(fan_in) (PyTorch's default bound), biases +-0.1. Rotary frequencies keep their
real values (float32(1 / 10000^(2j/d)) computed in float64), as every checkpoint stores them.
"""
from __future__ import annotations

import numpy as np

M32 = 0xFFFFFFFF


def fnv1a32(name: str) -> int:
    h = 0x811C9DC5
    for b in name.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & M32
    return h


def hash_uniform(name: str, count: int) -> np.ndarray:
    """2u - 1 in [-1, 1) as float64, for elements 0..count-1 of tensor `name`."""
    h = np.uint64(fnv1a32(name))
    i = np.arange(count, dtype=np.uint64)
    x = (h + i * np.uint64(0x9E3779B9)) & np.uint64(M32)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(M32)
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(M32)
    x ^= x >> np.uint64(16)
    u = (x >> np.uint64(8)).astype(np.float64) / 16777216.0
    return 2.0 * u - 1.0


def rotary_freqs(count: int) -> np.ndarray:
    d = 2 * count
    return (1.0 / np.power(10000.0, np.arange(0, d, 2, dtype=np.float64) / d)).astype(np.float32)


def tensor_values(name: str, shape: tuple[int, ...]) -> np.ndarray:
    count = int(np.prod(shape)) if len(shape) else 1
    if name.endswith(".freqs"):
        return rotary_freqs(count).reshape(shape)
    if name.endswith(".gamma"):
        offset, scale = 1.0, 0.2
    elif name.endswith(".weight") and len(shape) == 2:
        offset, scale = 0.0, 1.0 / np.sqrt(float(shape[1]))
    else:
        offset, scale = 0.0, 0.1
    return (offset + scale * hash_uniform(name, count)).astype(np.float32).reshape(shape)
