"""Audio file input/output for the pack: decode anything to float32 [channels, samples] at 44.1 kHz
and encode Opus. Decoding tries, in order, the `soundfile` module, `torchaudio` and the `ffmpeg`
command, so a machine needs only one of them; encoding needs ffmpeg (libopus) or `flac`."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np

SR = 44100


def _resample_np(x: np.ndarray, src: int, dst: int) -> np.ndarray:
    if src == dst:
        return x
    import torch
    import torch.nn.functional as F  # noqa: F401  (torch is a hard dependency of the tooling anyway)
    try:
        import torchaudio.functional as AF
        return AF.resample(torch.from_numpy(x), src, dst).numpy()
    except ImportError:
        n = int(round(x.shape[-1] * dst / src))
        spec = np.fft.rfft(x, axis=-1)
        keep = min(spec.shape[-1], n // 2 + 1)
        out = np.zeros(x.shape[:-1] + (n // 2 + 1,), np.complex128)
        out[..., :keep] = spec[..., :keep]
        return (np.fft.irfft(out, n, axis=-1) * (n / x.shape[-1])).astype(np.float32)


def decode(path: str | Path, sr: int = SR, channels: int | None = None) -> np.ndarray:
    """File -> float32 [C, N] at `sr`. channels=1/2 forces mono/stereo."""
    path = str(path)
    x = None
    rate = None
    try:
        import soundfile
        data, rate = soundfile.read(path, dtype="float32", always_2d=True)
        x = data.T
    except Exception:  # module missing or format unsupported (old libsndfile has no Opus)
        x = None
    if x is None:
        try:
            import torchaudio
            t, rate = torchaudio.load(path)
            x = t.numpy().astype(np.float32)
        except Exception:
            x = None
    if x is None:
        if not shutil.which("ffmpeg"):
            raise RuntimeError(f"cannot decode {path}: install python3-soundfile (libsndfile >= 1.0.29), torchaudio or ffmpeg")
        info = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=channels",
                               "-of", "csv=p=0", path], capture_output=True, text=True, check=True)
        ch = channels or int(info.stdout.strip().split(",")[0] or 1)
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-f", "f32le", "-ac", str(ch), "-ar", str(sr), "-"],
                             capture_output=True, check=True).stdout
        return np.frombuffer(raw, "<f4").reshape(-1, ch).T.copy()
    x = _resample_np(np.ascontiguousarray(x, dtype=np.float32), int(rate), sr)
    if channels == 1 and x.shape[0] > 1:
        x = x.mean(axis=0, keepdims=True)
    elif channels == 2 and x.shape[0] == 1:
        x = np.concatenate([x, x])
    return x.astype(np.float32)


def decode_many(paths, sr: int = SR, batch: int = 48) -> dict:
    """Decode many files with one ffmpeg process per `batch` files (process start-up dominates
    for short samples) -> {path: float32 [2, N]} (stereo; mono files are duplicated)."""
    import tempfile
    out = {}
    paths = [str(p) for p in paths]
    for i in range(0, len(paths), batch):
        part = paths[i:i + batch]
        with tempfile.TemporaryDirectory() as tmp:
            cmd = ["ffmpeg", "-v", "error", "-nostdin", "-y"]
            for p in part:
                cmd += ["-i", p]
            for k in range(len(part)):
                cmd += ["-map", f"{k}:a:0", "-f", "f32le", "-ac", "2", "-ar", str(sr), f"{tmp}/{k}.raw"]
            subprocess.run(cmd, check=True)
            for k, p in enumerate(part):
                out[p] = np.fromfile(f"{tmp}/{k}.raw", "<f4").reshape(-1, 2).T.copy()
    return out


def encode(audio: np.ndarray, path: str | Path, kbps: int, sr: int = SR) -> None:
    """float32 [C, N] -> Ogg Opus (path ending .opus) or FLAC (.flac), 44.1 kHz in."""
    path = Path(path)
    ch = audio.shape[0]
    raw = np.ascontiguousarray(np.clip(audio, -1, 1).T.astype("<f4")).tobytes()
    codec = ["-c:a", "libopus", "-b:a", f"{kbps}k", "-vbr", "on", "-application", "audio"] if path.suffix == ".opus" \
        else ["-c:a", "flac", "-sample_fmt", "s16"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "f32le", "-ar", str(sr), "-ac", str(ch), "-i", "-", *codec, str(path)],
                   input=raw, check=True)


def write_wav(path: str | Path, audio: np.ndarray, sr: int = SR) -> None:
    """float [C, N] -> 16-bit PCM WAV (for listening)."""
    import wave
    pcm = (np.clip(audio, -1, 1) * 32767).round().astype("<i2").T.copy()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(audio.shape[0])
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
