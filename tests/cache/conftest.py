"""A tiny corpus of generated audio (plus bad files) and its manifest, built per test."""

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from bench.manifest import make_manifest, write_manifest
from cache_audio import voiced

GOOD_SECONDS = [0.5, 1.25, 2.0, 0.9, 1.6, 0.7]


def _row(utt_id: str, path: Path, seconds: float) -> dict:
    return {
        "id": utt_id,
        "path": str(path),
        "speaker": "spk",
        "label": "neutral",
        "duration": seconds,
        "sample_rate": 16_000,
    }


@pytest.fixture
def corpus(tmp_path):
    """(manifest DataFrame, folder): six good files, then missing, junk, empty and too-short ones."""
    folder = tmp_path / "audio"
    folder.mkdir()
    rows = []
    for i, seconds in enumerate(GOOD_SECONDS):
        path = folder / f"u{i}.wav"
        sf.write(path, voiced(seconds, i), 16_000)
        rows.append(_row(f"u{i}", path, seconds))
    (folder / "junk.wav").write_bytes(b"not audio at all" * 64)
    sf.write(folder / "empty.wav", np.zeros(0, np.float32), 16_000)
    sf.write(folder / "short.wav", np.zeros(300, np.float32), 16_000)
    rows += [
        _row("missing", folder / "missing.wav", 1.0),
        _row("junk", folder / "junk.wav", 1.0),
        _row("empty", folder / "empty.wav", 0.0),
        _row("short", folder / "short.wav", 0.02),
    ]
    return make_manifest(rows), folder


@pytest.fixture
def manifest_file(corpus, tmp_path):
    path = tmp_path / "manifest.csv"
    write_manifest(corpus[0], path)
    return path


@pytest.fixture
def good_ids():
    return [f"u{i}" for i in range(len(GOOD_SECONDS))]


@pytest.fixture
def cache_files():
    """A function: every file under a folder -> mtime_ns (to prove a run wrote nothing)."""

    def snapshot(root: Path) -> dict[str, int]:
        return {str(p): p.stat().st_mtime_ns for p in Path(root).rglob("*") if p.is_file()}

    return snapshot
