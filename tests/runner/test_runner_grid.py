import itertools

import pytest

from bench.errors import BenchError
from bench.runner.grid import Cell, expand, parse_assignments, parse_value
from bench.train.probes import PROBES


def test_values_are_typed():
    assert parse_value("3") == 3 and isinstance(parse_value("3"), int)
    assert parse_value("1e-4") == pytest.approx(1e-4)
    assert parse_value("true") is True and parse_value("None") is None
    assert parse_value("wavlm-large") == "wavlm-large"


def test_axes_are_normalised_and_errors_are_clear():
    grid = parse_assignments(["pooler=gap,sap", "seeds=0,1", "lr=1e-3,3e-5", "pooler.sap.heads=4"])
    assert grid == {"poolers": ["gap", "sap"], "seeds": [0, 1], "lr": [1e-3, 3e-5], "pooler.sap.heads": [4]}
    with pytest.raises(BenchError, match="KEY=V1,V2"):
        parse_assignments(["poolers"])
    with pytest.raises(BenchError, match="twice"):
        parse_assignments(["poolers=gap", "pooler=sap"])


def test_expand_crosses_every_axis_and_labels_cells():
    grid = parse_assignments(["poolers=gap,sr", "lr=0.001,0.01", "seeds=0,1,2"])
    cells, seeds = expand(grid, "fbank", "webrtc", probes=False)
    assert seeds == [0, 1, 2]
    assert [(c.pooler, c.hparams) for c in cells] == [
        (p, (("lr", lr),)) for p, lr in itertools.product(["gap", "sr"], [0.001, 0.01])
    ]
    assert cells[0].label == "fbank|webrtc|gap|lr=0.001"
    assert cells[0].training_overrides() == {"lr": 0.001} and cells[0].pooler_params() == {}
    cells, seeds = expand({}, "fbank", "energy", probes=False)
    assert [c.label for c in cells] == ["fbank|energy|gap", "fbank|energy|sap", "fbank|energy|sr"] and seeds == [0]


def test_a_scoped_axis_multiplies_only_the_cells_of_its_pooler():
    grid = parse_assignments(["poolers=gap,sap", "pooler.sap.heads=4,8"])
    cells, _ = expand(grid, "fbank", "webrtc", probes=False)
    assert [c.label for c in cells] == ["fbank|webrtc|gap", "fbank|webrtc|sap|heads=4", "fbank|webrtc|sap|heads=8"]
    assert [c.pooler_params() for c in cells] == [{}, {"heads": 4}, {"heads": 8}]


def test_labels_show_only_what_differs():
    grid = parse_assignments(["poolers=gap,sap", "pooler.sap.heads=4", "lr=0.01"])
    cells, _ = expand(grid, "fbank", "webrtc", probes=False)
    assert [c.label for c in cells] == ["fbank|webrtc|gap", "fbank|webrtc|sap"]
    assert cells[1].pooler_params() == {"heads": 4} and cells[1].training_overrides() == {"lr": 0.01}
    assert (
        len(
            {
                c.label
                for c in expand(
                    parse_assignments(
                        ["poolers=sap,sr", "pooler.sap.heads=2,4", "pooler.sr.heads=2,4", "dropout=0.1,0.2"]
                    ),
                    "b",
                    "v",
                    probes=False,
                )[0]
            }
        )
        == 8
    )


def test_a_scoped_vad_axis_splits_features_and_probes():
    grid = parse_assignments(["poolers=gap", "vads=webrtc,energy", "vad.webrtc.aggressiveness=1,3"])
    cells, _ = expand(grid, "fbank", "webrtc", probes=True)
    trained = [c for c in cells if c.pooler == "gap"]
    assert [c.label for c in trained] == [
        "fbank|webrtc|gap|aggressiveness=1",
        "fbank|webrtc|gap|aggressiveness=3",
        "fbank|energy|gap",
    ]
    assert [c.vad_options() for c in trained] == [{"aggressiveness": 1}, {"aggressiveness": 3}, {}]
    probes = [c for c in cells if c.pooler in PROBES]
    assert len(probes) == 3 * len(PROBES)  # one per probe and (backbone, VAD setting)
    assert {c.features for c in probes} == {c.features for c in trained}
    assert "fbank|webrtc|probe-gap|aggressiveness=1" in {c.label for c in probes}


def test_probe_cells_follow_the_contract():
    cells, _ = expand(parse_assignments(["poolers=sap", "backbones=fbank,tiny-wavlm", "lr=0.1,0.2"]), "x", "webrtc")
    probes = [c for c in cells if c.pooler in PROBES]
    assert sorted(c.label for c in probes) == sorted(f"{b}|webrtc|{p}" for b in ("fbank", "tiny-wavlm") for p in PROBES)
    assert all(c.hparams == () for c in probes)  # training axes do not multiply probes
    assert Cell("b", "v", "sap", (("pooler.sap.heads", 4),)).pooler_params() == {"heads": 4}
