"""Registry lookups, hparam checking and the linear-pooler API."""

from __future__ import annotations

import pytest
import torch

import poolers
from bench.errors import BenchError, UnknownNameError
from poolers._registry import _POOLERS


def test_all_entries_are_registered():
    assert {"gap", "sap", "sr", "asp", "stats", "sap-noattn", "cnn"} <= set(poolers.names())
    assert poolers.names("sap*") == ["sap", "sap-noattn"]


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(UnknownNameError) as caught:
        poolers.create("sapp", 16)
    message = str(caught.value)
    assert "'sapp'" in message and all(name in message for name in poolers.names())
    with pytest.raises(UnknownNameError):
        poolers.is_linear("nope")


def test_unknown_hparam_is_a_clear_error():
    with pytest.raises(poolers.PoolerConfigError, match=r"unknown hyper-parameter\(s\) head.*heads=8"):
        poolers.create("sap", 16, head=4)
    with pytest.raises(BenchError, match="accepts: none"):
        poolers.create("gap", 16, dropout=0.1)


def test_bad_hparam_values_are_clear_errors():
    divisors = r"divide the feature width 20.*\[1, 2, 4, 5, 10\]"
    with pytest.raises(poolers.PoolerConfigError, match=divisors):
        poolers.create("sap", 20, heads=8)
    with pytest.raises(poolers.PoolerConfigError):
        poolers.create("asp", 16, hidden=0)


def test_hparams_and_out_dims():
    assert poolers.hparams("sap") == {"heads": 8, "dropout": 0.0}
    widths = {name: poolers.create(name, 80).out_dim for name in poolers.names()}
    assert widths == {"gap": 80, "sap": 80, "sap-noattn": 80, "sr": 160, "asp": 160, "stats": 160, "cnn": 256}


def test_default_heads_divide_common_widths():
    for dim in (1024, 768, 80):
        poolers.create("sr", dim)


def test_is_linear_and_pool_layers_refuse_others():
    assert [n for n in poolers.names() if poolers.is_linear(n)] == ["gap", "sap-noattn"]
    feats = torch.zeros(1, 2, 3, 4)
    mask = torch.ones(1, 3, dtype=torch.bool)
    with pytest.raises(poolers.PoolerConfigError, match="not linear.*gap, sap-noattn"):
        poolers.pool_layers("sap", feats, mask, mask)


def test_registering_a_name_twice_fails():
    with pytest.raises(ValueError, match="twice"):
        poolers.register_pooler("gap")(type("Other", (torch.nn.Module,), {}))
    assert _POOLERS["gap"].__name__ == "GlobalAveragePooling"
