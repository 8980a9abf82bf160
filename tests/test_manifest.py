import numpy as np
import pytest

from bench.errors import BenchError
from bench.manifest import COLUMNS, has_dimensions, make_manifest, read_manifest, write_manifest


def _rows():
    return [
        {
            "id": "a",
            "path": "/x/a.wav",
            "speaker": "s1",
            "session": "1",
            "label": "sad",
            "valence": 2.5,
            "arousal": 1.5,
            "duration": 1.25,
            "sample_rate": 16000,
            "gender": "F",
        },
        {
            "id": "b",
            "path": "/x/b.wav",
            "speaker": "s2",
            "session": "",
            "label": "angry",
            "valence": None,
            "arousal": None,
            "duration": 2.0,
            "sample_rate": 44100,
            "gender": "M",
        },
    ]


def test_round_trip_keeps_values_and_empty_fields(tmp_path):
    frame = make_manifest(_rows())
    assert list(frame.columns[: len(COLUMNS)]) == COLUMNS and "gender" in frame.columns
    write_manifest(frame, tmp_path / "m.csv")
    back = read_manifest(tmp_path / "m.csv")
    assert back["session"].tolist() == ["1", ""]
    assert back["valence"].iloc[0] == 2.5 and np.isnan(back["valence"].iloc[1])
    assert back["sample_rate"].tolist() == [16000, 44100]
    assert not has_dimensions(back) and has_dimensions(back.iloc[:1])


def test_read_rejects_missing_columns_and_duplicate_ids(tmp_path):
    (tmp_path / "bad.csv").write_text("id,path\na,/x.wav\n")
    with pytest.raises(BenchError, match="lacks the columns"):
        read_manifest(tmp_path / "bad.csv")
    frame = make_manifest(_rows() + [_rows()[0]])
    write_manifest(frame, tmp_path / "dup.csv")
    with pytest.raises(BenchError, match="repeats utterance ids"):
        read_manifest(tmp_path / "dup.csv")
    with pytest.raises(BenchError, match="bench prepare"):
        read_manifest(tmp_path / "nope.csv")


@pytest.mark.parametrize("column", ["valence", "arousal"])
def test_infinite_dimensions_are_rejected_with_the_ids(tmp_path, column):
    rows = _rows()
    rows[0][column] = float("inf")
    with pytest.raises(BenchError, match=rf"{column} is infinite .*\['a'\]"):
        make_manifest(rows)
    frame = make_manifest(_rows())
    write_manifest(frame, tmp_path / "m.csv")
    text = (tmp_path / "m.csv").read_text().replace("2.5", "-inf" if column == "valence" else "2.5")
    (tmp_path / "m.csv").write_text(text.replace("1.5", "inf") if column == "arousal" else text)
    with pytest.raises(BenchError, match=f"{column} is infinite"):
        read_manifest(tmp_path / "m.csv")


def test_ids_and_speakers_that_look_missing_or_numeric_stay_strings(tmp_path):
    rows = [
        dict(_rows()[0], id=i, speaker=s) for i, s in [("nan", "NA"), ("None", "None"), ("0013", "nan"), ("NA", "0013")]
    ]
    write_manifest(make_manifest(rows), tmp_path / "m.csv")
    back = read_manifest(tmp_path / "m.csv")
    assert back["id"].tolist() == ["nan", "None", "0013", "NA"]
    assert back["speaker"].tolist() == ["NA", "None", "nan", "0013"]
