"""Shared helpers for the corpus adapter tests: tiny audio files, good and broken.

Trees are built in each corpus's real layout by the test modules; this file only writes audio.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dataset_audio import AudioWriter


@pytest.fixture
def audio() -> AudioWriter:
    return AudioWriter()


@pytest.fixture
def reasons():
    """A function: Preparation -> {skipped file name (or item): reason}."""

    def skipped_reasons(preparation) -> dict[str, str]:
        return {Path(s.item).name: s.reason for s in preparation.skipped}

    return skipped_reasons
