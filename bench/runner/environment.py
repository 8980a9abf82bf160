"""The environment a run ran in, recorded in config.yaml: package versions, git commit, device."""

from __future__ import annotations

import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "ser-pooling-bench",
    "torch",
    "transformers",
    "numpy",
    "scipy",
    "pandas",
    "scikit-learn",
    "webrtcvad-wheels",
    "silero-vad",
    "optuna",
    "dask",
    "distributed",
)


def environment() -> dict:
    """Package versions, git commit, Python, platform and compute device of this run."""
    packages = {}
    for name in PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    import torch

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": packages,
        "git_commit": _git_commit(),
        "device": torch.cuda.get_device_name(0)
        if torch.cuda.is_available()
        else f"cpu ({platform.processor() or platform.machine()})",
        "cuda": torch.version.cuda,
    }


def _git_commit() -> str | None:
    """HEAD of the source checkout bench was imported from; None for an installed wheel.

    Only when that checkout is itself the git top level: a wheel installed into a venv that sits
    inside some other repository must not record that repository's commit.
    """
    repo = Path(__file__).resolve().parents[2]  # the folder holding the bench package
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--show-toplevel", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.stdout.split()
    if out.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != repo:
        return None
    return lines[1]
