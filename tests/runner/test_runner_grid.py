import pytest

from bench.errors import BenchError
from bench.runner.grid import Cell, expand, parse_assignments, parse_value


def test_values_are_typed():
    assert parse_value("3") == 3 and isinstance(parse_value("3"), int)
    assert parse_value("1e-4") == pytest.approx(1e-4)
    assert parse_value("true") is True and parse_value("None") is None
    assert parse_value("wavlm-large") == "wavlm-large"


def test_axes_are_normalised_and_errors_are_clear():
    grid = parse_assignments(["poolers=gap,sap", "seeds=0,1", "lr=1e-3,3e-5", "pooler.heads=4"])
    assert grid == {"pooler": ["gap", "sap"], "seed": [0, 1], "lr": [1e-3, 3e-5], "pooler.heads": [4]}
    with pytest.raises(BenchError, match="KEY=V1,V2"):
        parse_assignments(["poolers"])
    with pytest.raises(BenchError, match="twice"):
        parse_assignments(["poolers=gap", "pooler=sap"])


def test_expand_crosses_every_axis_and_labels_cells():
    grid = parse_assignments(["poolers=gap,sr", "lr=0.001,0.01", "seeds=0,1,2"])
    cells, seeds = expand(grid, {"backbone": "fbank", "vad": "webrtc", "pooler": ["gap"], "seed": [0]})
    assert seeds == [0, 1, 2]
    assert len(cells) == 4
    assert cells[0] == Cell("fbank", "webrtc", "gap", (("lr", 0.001),))
    assert cells[0].label == "fbank|webrtc|gap|lr=0.001"
    assert cells[0].training_overrides() == {"lr": 0.001} and cells[0].pooler_params() == {}
    assert Cell("b", "v", "sap", (("pooler.heads", 4),)).pooler_params() == {"heads": 4}
    cells, seeds = expand({}, {"backbone": "fbank", "vad": "energy", "pooler": ["gap", "sap", "sr"], "seed": [0]})
    assert [c.label for c in cells] == ["fbank|energy|gap", "fbank|energy|sap", "fbank|energy|sr"] and seeds == [0]
