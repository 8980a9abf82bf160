"""CREMA-D: 91 English-speaking actors, 7442 clips of 12 sentences, 6 emotions.

Expected layout::

    CREMA-D/
      AudioWAV/1001_DFA_ANG_XX.wav
      VideoDemographics.csv          (optional: ActorID, Age, Sex, Race, Ethnicity)

File name: actor (1001-1091) _ sentence (3 letters) _ emotion (ANG DIS FEA HAP NEU SAD) _
level (LO, MD, HI, XX unspecified). Gender comes from ``VideoDemographics.csv`` when present.
No sessions.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterator

from bench.datasets.base import Candidate, CorpusAdapter, Skipped, emotion_class_sets, visible_files
from bench.datasets.registry import register

EMOTIONS = {"ANG": "angry", "DIS": "disgust", "FEA": "fear", "HAP": "happy", "NEU": "neutral", "SAD": "sad"}
LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified"}
FILE_NAME = re.compile(r"^(?P<actor>\d{4})_(?P<sentence>[A-Z]{3})_(?P<emotion>[A-Z]{3})_(?P<level>[A-Z]{2})$")
DEMOGRAPHICS = "VideoDemographics.csv"


@register
class CremaD(CorpusAdapter):
    name = "cremad"
    title = "CREMA-D (English, 91 actors, 7442 clips)"
    layout = "CREMA-D/\n  AudioWAV/1001_DFA_ANG_XX.wav\n  VideoDemographics.csv   (optional, for gender)"
    class_sets = emotion_class_sets(EMOTIONS.values())
    default_class_set = "all"

    def scan(self, data_dir: Path) -> Iterator[Candidate | Skipped]:
        self.check_layout(data_dir, "AudioWAV/*.wav")
        genders = read_genders(data_dir / DEMOGRAPHICS)
        for path in visible_files(data_dir / "AudioWAV", "*.wav"):
            yield parse_file_name(path, genders)


def read_genders(csv_path: Path) -> dict[str, str]:
    """ActorID -> "F"/"M" from ``VideoDemographics.csv``; empty when the file is absent."""
    if not csv_path.is_file():
        return {}
    with csv_path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        rows = list(csv.DictReader(f))
    genders = {}
    for row in rows:
        actor, sex = (row.get("ActorID") or "").strip(), (row.get("Sex") or "").strip().lower()
        if actor and sex in ("male", "female"):
            genders[actor] = "M" if sex == "male" else "F"
    return genders


def parse_file_name(path: Path, genders: dict[str, str]) -> Candidate | Skipped:
    """``AudioWAV/1001_DFA_ANG_XX.wav`` -> speaker 1001, angry, level unspecified."""
    match = FILE_NAME.match(path.stem)
    if match is None:
        return Skipped(
            str(path), "unparsable name", f"{path.name} is not like 1001_DFA_ANG_XX.wav (actor_sentence_emotion_level)"
        )
    code, actor = match["emotion"], match["actor"]
    if code not in EMOTIONS:
        return Skipped(
            str(path), "unknown label", f"emotion code {code!r} in {path.name}; known: {', '.join(EMOTIONS)}"
        )
    extra = {"raw_label": code, "intensity": LEVELS.get(match["level"], match["level"])}
    if genders:  # a gender column only when the demographics file was found; "" for unlisted actors
        extra["gender"] = genders.get(actor, "")
    return Candidate(id=path.stem, path=path, speaker=actor, emotion=EMOTIONS[code], extra=extra)
