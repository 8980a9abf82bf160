"""Fixtures of the model and training tests; the data builders are in model_data.py."""

import pytest
import torch
from model_data import make_set

torch.set_num_threads(1)  # tiny tensors: threads only add overhead on the shared CI cores


@pytest.fixture
def tiny_data():
    return make_set(60, seed=0), make_set(30, seed=1, prefix="v"), make_set(60, seed=2, prefix="t")
