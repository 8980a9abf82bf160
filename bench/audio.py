"""Audio loading: any format soundfile reads, any rate and channel count -> 16 kHz mono float32.

Frame grid used everywhere downstream (backbones, VAD, fbank): at 16 kHz frame i covers
samples [320 i, 320 i + 400), so n samples give ``num_frames(n)`` frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf

from bench.errors import AudioError

SAMPLE_RATE = 16_000
FRAME_HOP = 320  # 20 ms at 16 kHz
FRAME_WINDOW = 400  # 25 ms at 16 kHz


def num_frames(num_samples: int) -> int:
    """Frames of the 25 ms / 20 ms grid in ``num_samples`` samples at 16 kHz (0 if too short)."""
    if num_samples < FRAME_WINDOW:
        return 0
    return 1 + (num_samples - FRAME_WINDOW) // FRAME_HOP


@dataclass(frozen=True)
class AudioInfo:
    """What a header says about a file, after checking the file really holds it."""

    duration: float  # seconds
    sample_rate: int
    channels: int
    frames: int  # samples per channel


def probe_audio(path: str | Path) -> AudioInfo:
    """Read the header of ``path`` and check the last sample can be read.

    Raises AudioError with a reason ("missing", "unreadable", "empty", "truncated").
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"missing audio file: {path}")
    try:
        info = sf.info(str(path))
    except Exception as exc:  # libsndfile raises RuntimeError/LibsndfileError on junk
        raise AudioError(f"unreadable audio file {path}: {exc}") from exc
    if info.frames <= 0:
        raise AudioError(f"empty audio file {path}: it holds no samples")
    try:  # a truncated file has a header promising more samples than the file holds
        with sf.SoundFile(str(path)) as f:
            f.seek(max(info.frames - 16, 0))
            tail = f.read(16, dtype="float32")
    except Exception as exc:
        raise AudioError(f"truncated or corrupt audio file {path}: {exc}") from exc
    if len(tail) == 0 or _riff_data_truncated(path):
        raise AudioError(f"truncated audio file {path}: its header promises more samples than the file holds")
    return AudioInfo(info.frames / info.samplerate, int(info.samplerate), int(info.channels), int(info.frames))


def _riff_data_truncated(path: Path) -> bool:
    """True when a RIFF/WAVE file's ``data`` chunk claims more bytes than the file holds.

    libsndfile quietly shortens such files to what is there, so a cut-off download would
    otherwise pass as a shorter utterance. Streaming writers' placeholder sizes (0, 0xFFFFFFFF)
    are not taken as a claim.
    """
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return False
        offset = 12
        while offset + 8 <= size:
            f.seek(offset)
            chunk = f.read(8)
            chunk_id, chunk_size = chunk[:4], int.from_bytes(chunk[4:8], "little")
            if chunk_id == b"data":
                return chunk_size not in (0, 0xFFFFFFFF) and offset + 8 + chunk_size > size
            offset += 8 + chunk_size + (chunk_size & 1)
    return False


def to_mono(wave: np.ndarray) -> np.ndarray:
    """[n] or [n, channels] -> [n] by averaging channels."""
    return wave if wave.ndim == 1 else wave.mean(axis=1)


def resample(wave: np.ndarray, orig_sr: int, target_sr: int = SAMPLE_RATE) -> np.ndarray:
    """Polyphase resampling (scipy) of a 1-D signal; a no-op when the rates match."""
    if orig_sr == target_sr:
        return wave
    from scipy.signal import resample_poly  # here, not at the top: scipy.signal takes ~1.5 s to import

    g = gcd(int(orig_sr), int(target_sr))
    return resample_poly(wave, target_sr // g, orig_sr // g).astype(np.float32)


def load_audio(path: str | Path, sample_rate: int = SAMPLE_RATE, max_duration: float | None = None) -> np.ndarray:
    """Load ``path`` as mono float32 at ``sample_rate``, truncated to ``max_duration`` seconds.

    Returns a 1-D array [n]. Raises AudioError for missing, unreadable or empty files, and for
    samples that are NaN or infinite (a float file can hold them; nothing downstream survives them).
    """
    path = Path(path)
    if not path.is_file():
        raise AudioError(f"missing audio file: {path}")
    try:
        with sf.SoundFile(str(path)) as f:
            native_sr = f.samplerate
            frames = -1 if max_duration is None else int(round(max_duration * native_sr))
            wave = f.read(frames, dtype="float32", always_2d=False)
    except Exception as exc:
        raise AudioError(f"unreadable audio file {path}: {exc}") from exc
    wave = resample(to_mono(wave), native_sr, sample_rate)
    if max_duration is not None:
        wave = wave[: int(round(max_duration * sample_rate))]
    if wave.size == 0:
        raise AudioError(f"empty audio file {path}: it holds no samples")
    bad = int(np.count_nonzero(~np.isfinite(wave)))
    if bad:
        raise AudioError(f"non-finite audio file {path}: {bad} of its {wave.size} samples are NaN or infinite")
    return np.ascontiguousarray(wave, dtype=np.float32)
