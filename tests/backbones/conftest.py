"""Tiny backbones built once per session (CPU, float32)."""

import pytest

import backbones
from backbone_waves import TINY


@pytest.fixture(scope="session")
def tiny_backbones():
    return {name: backbones.create(name, device="cpu") for name in TINY}
