"""IEMOCAP adapter on a tiny tree in the real ``IEMOCAP_full_release`` layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.datasets import prepare_dataset
from bench.errors import LayoutError

HEADER = "% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]\n\n"
RATER_LINES = "C-E2:\tNeutral;\t()\nC-E3:\tAnger;\t()\nA-E3:\tval 3; act 2; dom  2;\t()\n\n"

# dialog file -> [(utterance id, code, "V, A, D")]
LABELS = {
    "Session1/Ses01F_impro01": [
        ("Ses01F_impro01_F000", "neu", "2.5000, 2.5000, 2.5000"),
        ("Ses01F_impro01_M003", "ang", "1.5000, 4.0000, 3.5000"),  # the MALE actor, though the dialog is Ses01F
        ("Ses01F_impro01_F001", "exc", "4.0000, 3.5000, 3.0000"),
        ("Ses01F_impro01_M004", "fru", "2.0000, 3.5000, 3.0000"),
        ("Ses01F_impro01_F002", "xxx", "2.5000, 3.0000, 3.0000"),
    ],
    "Session1/Ses01M_script01_1": [
        ("Ses01M_script01_1_F012", "sad", "2.0000, 2.0000, 2.5000"),  # scripted: 4 fields, female speaker
        ("Ses01M_script01_1_M000", "hap", "4.5000, 3.5000, 3.0000"),
    ],
    "Session2/Ses02F_impro02": [
        ("Ses02F_impro02_M000", "neu", "3.0000, 2.0000, 2.0000"),
        ("Ses02F_impro02_F000", "zzz", "3.0000, 2.0000, 2.0000"),  # unknown code
    ],
}


def header_line(utt_id: str, code: str, vad: str, start: float = 6.29) -> str:
    return f"[{start:.4f} - {start + 2:.4f}]\t{utt_id}\t{code}\t[{vad}]\n"


def write_label_file(path: Path, utterances: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = HEADER + "".join(header_line(u, c, v, 6.29 + 3 * i) + RATER_LINES for i, (u, c, v) in enumerate(utterances))
    path.write_text(text)


def wav_path(root: Path, session_dir: str, utt_id: str) -> Path:
    return root / session_dir / "sentences" / "wav" / utt_id.rsplit("_", 1)[0] / f"{utt_id}.wav"


def add_decoys(evaluation_dir: Path) -> None:
    """What real copies hold beside the dialog files; none of it may be read."""
    decoy = header_line("Ses01F_impro01_F000", "sad", "1.0000, 1.0000, 1.0000") + header_line(
        "Ses01F_impro01_F099", "ang", "1.0, 5.0, 5.0"
    )
    for sub in ("Categorical", "Attribute", "Self-evaluation"):
        (evaluation_dir / sub).mkdir(parents=True, exist_ok=True)
        (evaluation_dir / sub / "Ses01F_impro01_e2_cat.txt").write_text(decoy)
    (evaluation_dir / "._Ses01F_impro01.txt").write_bytes(
        b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X  " + decoy.encode()
    )
    (evaluation_dir / "notes.txt").write_text(decoy)
    (evaluation_dir / "Ses01F_impro01.anvil").write_text(decoy)


@pytest.fixture
def iemocap_root(tmp_path, audio) -> Path:
    root = tmp_path / "IEMOCAP_full_release"
    for dialog_key, utterances in LABELS.items():
        session_dir, dialog = dialog_key.split("/")
        write_label_file(root / session_dir / "dialog" / "EmoEvaluation" / f"{dialog}.txt", utterances)
        for utt_id, _, _ in utterances:
            audio.good(wav_path(root, session_dir, utt_id), seconds=0.3)
    add_decoys(root / "Session1" / "dialog" / "EmoEvaluation")
    return root


def test_four_class_set_merges_excited_into_happy(iemocap_root):
    prep = prepare_dataset("iemocap", iemocap_root)
    m = prep.manifest.set_index("id")
    assert prep.class_set == "4class"
    assert sorted(m.index) == sorted(
        [
            "Ses01F_impro01_F000",
            "Ses01F_impro01_M003",
            "Ses01F_impro01_F001",
            "Ses01M_script01_1_F012",
            "Ses01M_script01_1_M000",
            "Ses02F_impro02_M000",
        ]
    )
    assert m.loc["Ses01F_impro01_F001", "label"] == "happy"  # exc merged into hap
    assert m.loc["Ses01F_impro01_F001", "raw_label"] == "exc"
    assert m.loc["Ses01M_script01_1_M000", "label"] == "happy"
    assert m.loc["Ses01F_impro01_F000", "label"] == "neutral"  # not the decoy's "sad"
    assert prep.excluded == {"frustrated": 1, "ambiguous": 1}


def test_speaker_is_the_last_fields_gender_letter(iemocap_root):
    m = prepare_dataset("iemocap", iemocap_root).manifest.set_index("id")
    assert m.loc["Ses01F_impro01_M003", "speaker"] == "Ses01M"
    assert m.loc["Ses01F_impro01_M003", "gender"] == "M"
    assert m.loc["Ses01F_impro01_F000", "speaker"] == "Ses01F"
    assert m.loc["Ses01M_script01_1_F012", "speaker"] == "Ses01F"  # scripted id, led by the male actor
    assert m.loc["Ses02F_impro02_M000", "speaker"] == "Ses02M"
    assert set(m["session"]) == {"Ses01", "Ses02"}
    assert sorted(m["speaker"].unique()) == ["Ses01F", "Ses01M", "Ses02M"]


def test_valence_arousal_paths_and_audio_info(iemocap_root):
    m = prepare_dataset("iemocap", iemocap_root).manifest.set_index("id")
    assert m.loc["Ses01F_impro01_M003", ["valence", "arousal"]].tolist() == [1.5, 4.0]
    assert m.loc["Ses01M_script01_1_F012", ["valence", "arousal"]].tolist() == [2.0, 2.0]
    expected = iemocap_root.resolve() / "Session1/sentences/wav/Ses01M_script01_1/Ses01M_script01_1_F012.wav"
    assert m.loc["Ses01M_script01_1_F012", "path"] == str(expected)
    np.testing.assert_allclose(m["duration"], 0.3)
    assert set(m["sample_rate"]) == {16000}


def test_subfolders_and_stray_files_are_ignored(iemocap_root):
    prep = prepare_dataset("iemocap", iemocap_root, "all")
    assert "Ses01F_impro01_F099" not in set(prep.manifest["id"])
    assert [s.reason for s in prep.skipped] == ["unknown label"]  # no duplicates from the decoys


def test_unknown_code_is_skipped_with_code_and_file(iemocap_root):
    prep = prepare_dataset("iemocap", iemocap_root)
    (skip,) = prep.skipped
    assert (skip.item, skip.reason) == ("Ses02F_impro02_F000", "unknown label")
    assert "'zzz'" in skip.detail and "Ses02F_impro02.txt" in skip.detail


def test_all_class_set_keeps_every_agreed_emotion(iemocap_root):
    labels = prepare_dataset("iemocap", iemocap_root, "all").manifest["label"].value_counts().to_dict()
    assert labels == {"neutral": 2, "angry": 1, "excited": 1, "frustrated": 1, "sad": 1, "happy": 1}


def test_broken_audio_is_skipped_file_by_file(iemocap_root, audio, reasons):
    kinds = {
        "missing": "Ses01F_impro01_F010",
        "empty": "Ses01F_impro01_F011",
        "garbage": "Ses01F_impro01_F012",
        "truncated": "Ses01F_impro01_F013",
    }
    utterances = LABELS["Session1/Ses01F_impro01"] + [(u, "neu", "2.5, 2.5, 2.5") for u in kinds.values()]
    write_label_file(iemocap_root / "Session1/dialog/EmoEvaluation/Ses01F_impro01.txt", utterances)
    for kind, utt_id in kinds.items():
        audio.broken(kind, wav_path(iemocap_root, "Session1", utt_id))
    prep = prepare_dataset("iemocap", iemocap_root)
    got = reasons(prep)
    assert got["Ses01F_impro01_F010.wav"] == "missing audio"
    assert got["Ses01F_impro01_F011.wav"] == "empty audio"
    assert got["Ses01F_impro01_F012.wav"] == "unreadable audio"
    assert got["Ses01F_impro01_F013.wav"] == "truncated audio"
    assert len(prep.manifest) == 6
    assert (
        "skipped 5: 1 empty audio, 1 missing audio, 1 truncated audio, 1 unknown label, 1 unreadable audio"
        in prep.summary()
    )


def test_missing_folder_and_wrong_layout_raise_layout_error(tmp_path):
    with pytest.raises(LayoutError, match="does not exist"):
        prepare_dataset("iemocap", tmp_path / "nowhere")
    (tmp_path / "Session1" / "sentences" / "wav").mkdir(parents=True)  # audio but no labels
    with pytest.raises(LayoutError, match=r"Session\*/dialog/EmoEvaluation/\*\.txt") as err:
        prepare_dataset("iemocap", tmp_path)
    assert "Ses01F_impro01.txt" in str(err.value)  # the expected layout is shown
