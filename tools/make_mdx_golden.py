#!/usr/bin/env python3
"""Golden vectors for src/lib/dsp/mdx.ts and src/lib/separation/mdx-separate.ts: a PyTorch reference
of Ultimate Vocal Remover's MDX-Net conventions (separate.py SeperateMDX.demix / run_model and the
lib_v5 STFT class), written here from their description:

* STFT: torch.stft(periodic Hann, center=True, reflect), hop 1024, real/imag planes per channel
  -> [B, 4, F, T] (L re, L im, R re, R im), cut to the first dim_f bins; inverse: zeros for the
  cut bins, torch.istft(center=True) of hop*(T-1) samples.
* demix: n_fft/2 zeros in front of the mix and `gen_size + trim - len % gen_size` behind;
  chunks of hop*(dim_t-1) samples every step (= chunk - n_fft for UVR's "Default" overlap, else
  int((1-overlap)*chunk)), zero-padded at the end; model input bins 0..2 zeroed; each chunk's
  output weighted by numpy.hanning(actual length) (no window for overlap 0) and divided by the
  summed weights; trim, cut to the mix length, times `compensate`. Denoise: mean of model(x) and
  -model(-x).

The "model" for the pipeline vectors is a fixed linear map that tests/unit/mdx.test.ts
reimplements: out[c, f, t] = x[c, f, t] * (0.5 + 0.4 cos(0.05 f)) + 0.1 x[(c + 2) % 4, f, t].

usage: /usr/bin/python3 tools/make_mdx_golden.py [tests/golden]
"""
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stemsafe_tools.golden import write_f32  # noqa: E402


def mdx_stft(x, n_fft, hop, dim_f):
    """x [B, 2, L] -> [B, 4, dim_f, T]"""
    b, c, n = x.shape
    spec = torch.stft(x.reshape(b * c, n), n_fft=n_fft, hop_length=hop, window=torch.hann_window(n_fft, periodic=True,
                      dtype=x.dtype), center=True, pad_mode="reflect", return_complex=True)
    spec = torch.view_as_real(spec).permute(0, 3, 1, 2)  # [B*c, 2, F, T]
    return spec.reshape(b, c * 2, spec.shape[-2], spec.shape[-1])[:, :, :dim_f, :]


def mdx_istft(spec, n_fft, hop):
    """[B, 4, dim_f, T] -> [B, 2, hop*(T-1)]"""
    b, c, f, t = spec.shape
    full = torch.cat([spec, torch.zeros(b, c, n_fft // 2 + 1 - f, t, dtype=spec.dtype)], dim=2)
    full = full.reshape(b * c // 2, 2, n_fft // 2 + 1, t).permute(0, 2, 3, 1).contiguous()
    wave = torch.istft(torch.view_as_complex(full), n_fft=n_fft, hop_length=hop,
                       window=torch.hann_window(n_fft, periodic=True, dtype=spec.dtype), center=True)
    return wave.reshape(b, 2, -1)


def fake_model(x):
    f = torch.arange(x.shape[2], dtype=x.dtype)
    gain = (0.5 + 0.4 * torch.cos(0.05 * f))[None, None, :, None]
    return x * gain + 0.1 * torch.roll(x, shifts=2, dims=1)  # roll by 2: plane c gets plane (c+2)%4


def demix(mix, n_fft, hop, dim_f, dim_t, compensate, overlap, denoise=False):
    """mix [2, L] float64 -> primary [2, L]"""
    chunk = hop * (dim_t - 1)
    trim = n_fft // 2
    gen = chunk - 2 * trim
    length = mix.shape[-1]
    pad = gen + trim - length % gen
    mixture = np.concatenate([np.zeros((2, trim)), mix, np.zeros((2, pad))], axis=1)
    step = chunk - n_fft if overlap == "default" else int((1 - overlap) * chunk)
    total = mixture.shape[-1]
    acc = np.zeros((2, total))
    weight = np.zeros((2, total))
    for start in range(0, total, step):
        end = min(start + chunk, total)
        actual = end - start
        part = mixture[:, start:end]
        if actual < chunk:
            part = np.concatenate([part, np.zeros((2, chunk - actual))], axis=1)
        spek = mdx_stft(torch.from_numpy(part)[None], n_fft, hop, dim_f)
        spek[:, :, :3, :] = 0
        pred = 0.5 * fake_model(spek) - 0.5 * fake_model(-spek) if denoise else fake_model(spek)
        wave = mdx_istft(pred, n_fft, hop)[0].numpy()
        w = np.ones(actual) if overlap == 0 else np.hanning(actual)
        acc[:, start:end] += wave[:, :actual] * w
        weight[:, start:end] += w
    out = acc / weight
    return out[:, trim:-trim][:, :length] * compensate


def det_input(n):
    i = np.arange(n, dtype=np.float64)
    return torch.from_numpy((np.sin(0.37 * i) * (1 + 0.5 * np.cos(0.0011 * i))).astype(np.float32).astype(np.float64))


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/golden")
    g = torch.Generator().manual_seed(6144)
    # STFT / iSTFT at UVR's real sizes (n_fft 6144 and 7680 are not powers of two), sampled
    for name, n_fft, dim_f, dim_t in (("6144", 6144, 2048, 8), ("7680", 7680, 3072, 8)):
        hop = 1024
        chunk = hop * (dim_t - 1)
        # deterministic inputs that the test rebuilds: golden.parity_input's formula
        x = det_input(2 * chunk).reshape(1, 2, chunk)
        spec = mdx_stft(x, n_fft, hop, dim_f)
        wave = mdx_istft(det_input(4 * dim_f * dim_t).reshape(1, 4, dim_f, dim_t), n_fft, hop)
        write_f32(out / f"mdx-stft-{name}.json",
                  {"spec_sampled": spec.reshape(-1)[::31], "istft_sampled": wave.reshape(-1)[::7]},
                  note="UVR MDX-Net STFT reference (tools/make_mdx_golden.py): inputs x[i] = sin(0.37 i)(1 + 0.5 "
                       "cos(0.0011 i)); every 31st value of the [4, dim_f, dim_t] spectrum of a stereo chunk and "
                       "every 7th of the [2, hop*(dim_t-1)] inverse of a [4, dim_f, dim_t] input",
                  nFft=n_fft, dimF=dim_f, dimT=dim_t, hopLength=hop)
        print(name, tuple(spec.shape), tuple(wave.shape))
    # the whole demix at small sizes, with the fixed linear "model"
    n_fft, hop, dim_f, dim_t = 192, 64, 64, 16
    mix = torch.randn(2, 3000, generator=g, dtype=torch.float64).numpy() * 0.3
    cases = {"default": dict(overlap="default"), "half-denoise": dict(overlap=0.5, denoise=True),
             "no-overlap": dict(overlap=0)}
    arrays = {"mix": mix}
    for key, kw in cases.items():
        arrays[f"primary_{key}"] = demix(mix, n_fft, hop, dim_f, dim_t, 1.035, **kw)
    write_f32(out / "mdx-demix.json", arrays, note="UVR MDX-Net demix reference with a fixed linear model "
              "(tools/make_mdx_golden.py)", nFft=n_fft, dimF=dim_f, dimT=dim_t, hopLength=hop, compensate=1.035)
    print("demix", mix.shape)

    # the same linear "model" as an ONNX file with UVR's MDX-Net interface (input "input"
    # [batch, 4, dim_f, dim_t], output "output"), for the onnxruntime-web pipeline test
    class LinearMdx(torch.nn.Module):
        def __init__(self, dim_f):
            super().__init__()
            f = torch.arange(dim_f, dtype=torch.float32)
            self.register_buffer("gain", (0.5 + 0.4 * torch.cos(0.05 * f))[None, None, :, None])

        def forward(self, x):
            return x * self.gain + 0.1 * torch.cat([x[:, 2:], x[:, :2]], dim=1)

    fixtures = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "models"
    fixtures.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(LinearMdx(dim_f), torch.zeros(1, 4, dim_f, dim_t), str(fixtures / "mdx-linear.onnx"),
                      input_names=["input"], output_names=["output"], opset_version=17,
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    print("onnx", (fixtures / "mdx-linear.onnx").stat().st_size, "bytes")


if __name__ == "__main__":
    main()
