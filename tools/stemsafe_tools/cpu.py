"""CPU process settings for training and rendering on these machines.

glibc's malloc hands every allocation over 32 MiB (its dynamic mmap threshold) back to the
kernel when it is freed, and the next allocation of that size takes a fresh page fault for
every 4 KiB page. A training step allocates and frees gigabytes of such tensors, and on this
virtual machine a page fault costs about 10 microseconds: measured, an element-wise product of
two 160 MB tensors takes 450 ms into a fresh tensor and 15 ms into a reused one. Keeping freed
memory in the process (no mmap for large blocks, no trimming) makes the same product 15 ms.
These settings are read by glibc when a process starts, so `tune_process()` re-executes the
script with them when they are missing.
"""
from __future__ import annotations

import os
import sys

MALLOC_ENV = {
    "MALLOC_MMAP_THRESHOLD_": str(1 << 32),  # never serve an allocation by mmap ...
    "MALLOC_TRIM_THRESHOLD_": str(1 << 36),  # ... nor give freed heap back to the kernel
    "MALLOC_TOP_PAD_": str(1 << 30),  # grow the heap in 1 GiB steps
}


def malloc_tuned() -> bool:
    return all(os.environ.get(k) == v for k, v in MALLOC_ENV.items())


def tune_process() -> None:
    """Re-execute this Python script with MALLOC_ENV set, unless it already is (or
    STEMSAFE_NO_MALLOC_TUNING=1, used by the training benchmark's old path)."""
    if malloc_tuned() or os.environ.get("STEMSAFE_NO_MALLOC_TUNING") == "1":
        return
    env = {**os.environ, **MALLOC_ENV}
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, *sys.argv], env)
