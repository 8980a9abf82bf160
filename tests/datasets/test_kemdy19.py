"""KEMDy19 adapter on a tiny tree in the real layout (two-row CSV headers, one file per session and gender)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from bench.datasets import prepare_dataset
from bench.errors import LayoutError

HEADER = [
    "Numb",
    "Wav",
    "",
    "ECG",
    "",
    "E4-EDA",
    "",
    "E4-TEMP",
    "",
    "Segment ID",
    "Total Evaluation",
    "",
    "",
    "Eval01F",
    "",
    "",
    "Eval02M",
    "",
    "",
]
SUB_HEADER = [
    "",
    "start",
    "end",
    "start",
    "end",
    "start",
    "end",
    "start",
    "end",
    "",
    "Emotion",
    "Valence",
    "Arousal",
] + ["Emotion", "Valence", "Arousal"] * 2

SESSION01 = [  # (segment id, total evaluation, mean valence, mean arousal)
    ("Sess01_impro01_M001", "neutral", "3.1", "2.9"),
    ("Sess01_impro01_F001", "happy", "4.2", "3.8"),
    ("Sess01_script01_F002", "disqust", "1.8", "3.3"),  # raw misspelling of disgust
    ("Sess01_impro01_M002", "happy;neutral", "3.5", "3"),  # a tie: ambiguous
    ("Sess01_impro01_M003", "angry", "1.5", "4.4"),
    ("Sess01_script01_F003", "sad", "1.9", "2.1"),
    ("Sess01_impro01_F004", "bored", "2.5", "2"),  # no such emotion
]
SESSION02 = [
    ("Sess02_impro02_M001", "sad", "2.0", "1.9"),
    ("Sess02_impro02_F001", "neutral", "3.0", "3.0"),  # its audio is missing
]


def annotation_row(number: int, seg_id: str, emotion: str, valence: str, arousal: str) -> list[str]:
    times = [f"{number * 3.0:.3f}", f"{number * 3.0 + 2.5:.3f}"] * 4
    return [str(number), *times, seg_id, emotion, valence, arousal, emotion, "3", "3", emotion, "3", "3"]


def write_annotation(path: Path, segments, sub_header: bool = True) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        if sub_header:
            writer.writerow(SUB_HEADER)
        writer.writerows(annotation_row(i + 1, *s) for i, s in enumerate(segments))


def wav_path(root: Path, seg_id: str) -> Path:
    return root / "wav" / f"Session{seg_id[4:6]}" / seg_id.rsplit("_", 1)[0] / f"{seg_id}.wav"


@pytest.fixture
def kemdy_root(tmp_path, audio) -> Path:
    root = tmp_path / "KEMDy19"
    # the same session listed in the F and the M file: segments must be deduplicated
    write_annotation(root / "annotation" / "Session01_F_res.csv", SESSION01)
    write_annotation(root / "annotation" / "Session01_M_res.csv", SESSION01)
    write_annotation(root / "annotation" / "Session02_M_res.csv", SESSION02, sub_header=False)
    for seg_id, *_ in SESSION01 + SESSION02[:1]:
        audio.good(wav_path(root, seg_id), seconds=0.4)
        wav_path(root, seg_id).with_suffix(".txt").write_text("transcript")
    return root


def test_four_class_set_and_speakers(kemdy_root):
    prep = prepare_dataset("kemdy19", kemdy_root)
    m = prep.manifest.set_index("id")
    assert prep.class_set == "4class"
    assert m["label"].to_dict() == {
        "Sess01_impro01_M001": "neutral",
        "Sess01_impro01_F001": "happy",
        "Sess01_impro01_M003": "angry",
        "Sess01_script01_F003": "sad",
        "Sess02_impro02_M001": "sad",
    }
    assert m.loc["Sess01_impro01_M001", "speaker"] == "Sess01M"
    assert m.loc["Sess01_script01_F003", ["speaker", "session", "gender"]].tolist() == ["Sess01F", "Sess01", "F"]
    assert m.loc["Sess02_impro02_M001", "session"] == "Sess02"
    assert prep.excluded == {"disgust": 1, "ambiguous": 1}


def test_valence_arousal_duration_and_dedupe(kemdy_root):
    prep = prepare_dataset("kemdy19", kemdy_root, "all")
    m = prep.manifest.set_index("id")
    assert m.index.is_unique and len(m) == 6  # listed in two files, kept once, no "duplicate id" skips
    assert m.loc["Sess01_impro01_F001", ["valence", "arousal"]].tolist() == [4.2, 3.8]
    assert m.loc["Sess02_impro02_M001", ["valence", "arousal"]].tolist() == [2.0, 1.9]  # single header row
    assert m.loc["Sess01_script01_F002", ["label", "raw_label"]].tolist() == ["disgust", "disqust"]
    np.testing.assert_allclose(m["duration"], 0.4)
    assert set(m["sample_rate"]) == {16000}


def test_skips_unknown_labels_and_missing_audio(kemdy_root, reasons):
    prep = prepare_dataset("kemdy19", kemdy_root)
    got = reasons(prep)
    assert got == {"Sess01_impro01_F004": "unknown label", "Sess02_impro02_F001.wav": "missing audio"}
    unknown = next(s for s in prep.skipped if s.reason == "unknown label")
    assert "'bored'" in unknown.detail and "Session01_F_res.csv" in unknown.detail
    assert "skipped 2: 1 missing audio, 1 unknown label" in prep.summary()


def test_file_without_header_is_skipped_not_fatal(kemdy_root):
    (kemdy_root / "annotation" / "Session03_F_res.csv").write_text("a,b,c\n1,2,3\n")
    prep = prepare_dataset("kemdy19", kemdy_root)
    assert any(s.reason == "unparsable annotation" and s.item.endswith("Session03_F_res.csv") for s in prep.skipped)
    assert len(prep.manifest) == 5


def test_wrong_layout(tmp_path):
    (tmp_path / "wav" / "Session01").mkdir(parents=True)
    with pytest.raises(LayoutError, match=r"annotation/\*\.csv"):
        prepare_dataset("kemdy19", tmp_path)
