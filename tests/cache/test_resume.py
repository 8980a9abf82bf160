"""A real extraction process killed with SIGKILL mid-write, then run again."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from bench.cache import FeatureRequest, extract_corpus
from bench.cache.atomic import TEMP_PREFIX

# Runs extract_corpus with fbank slowed down, and fsync slowed down so that writes are caught half done.
WORKER = """
import os, sys, time
import backbones
from bench.cache import FeatureRequest, extract_corpus
real_fsync = os.fsync
def slow_fsync(fd):
    time.sleep(0.25)
    real_fsync(fd)
os.fsync = slow_fsync
fbank = backbones.create("fbank")
real_extract = fbank.extract
def slow_extract(waves, layers=None):
    time.sleep(0.05)
    return real_extract(waves, layers)
fbank.extract = slow_extract
extract_corpus(sys.argv[1], FeatureRequest(fbank, vad="energy", cache_dir=sys.argv[2]), chunk_seconds=0.1, progress=False)
"""


def _entries(root: Path, kind: str):
    return [p for p in (root / kind).rglob("*.npy") if not p.name.startswith(TEMP_PREFIX)]


def _temps(root: Path):
    return [p for p in root.rglob(f"{TEMP_PREFIX}*")]


def _run_until_killed(manifest_file, root: Path, worker: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    proc = subprocess.Popen([sys.executable, str(worker), str(manifest_file), str(root)], env=env)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if len(_entries(root, "features")) >= 2 and any(p.suffix == ".npy" for p in _temps(root / "features")):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None and time.monotonic() >= deadline:
            proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the worker finished or failed before it could be killed"


def test_killed_extraction_resumes_without_corrupt_entries(manifest_file, tmp_path):
    root = tmp_path / "cache"
    worker = tmp_path / "worker.py"
    worker.write_text(WORKER)
    _run_until_killed(manifest_file, root, worker)

    done = _entries(root, "features")
    assert 2 <= len(done) < 6 and _temps(root)  # part done, a half-written temp file left behind
    for path in done + _entries(root, "masks"):
        np.load(path)  # every final entry is whole

    resumed = extract_corpus(manifest_file, FeatureRequest("fbank", vad="energy", cache_dir=root), progress=False)
    assert resumed.report["extracted"] == 6 - len(done)
    assert not _temps(root)  # the dead writer's temp file was cleaned
    fresh = extract_corpus(
        manifest_file, FeatureRequest("fbank", vad="energy", cache_dir=tmp_path / "fresh"), progress=False
    )
    assert resumed.ids == fresh.ids
    for utt_id in fresh.ids:
        for got, want in zip(resumed.load(utt_id), fresh.load(utt_id)):
            assert np.array_equal(got, want)
