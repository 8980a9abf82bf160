"""ShEMO: Sharif Emotional Speech Database (Persian radio plays), 3000 utterances, 87 speakers.

Expected layout::

    ShEMO/
      female/F30A02.wav
      male/M01N05.wav

File name: char 0 gender, chars 0-2 speaker (numbered per gender), char 3 emotion
(A anger, H happiness, N neutral, S sadness, W surprise, F fear), then a 2-digit index.
44.1 kHz audio. No sessions.

Class sets: ``all`` (six emotions, default), ``4class`` (neutral, happy, angry, sad) and
``5class``: every emotion but fear (anger, happiness, neutral, sadness, surprise), the set of
Soltani Tehrani et al. 2023 (arXiv 2309.12714), which drops fear's 38 utterances.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from bench.datasets.base import Candidate, CorpusAdapter, Skipped, emotion_class_sets, visible_files
from bench.datasets.registry import register

EMOTIONS = {"A": "angry", "H": "happy", "N": "neutral", "S": "sad", "W": "surprise", "F": "fear"}
FIVE_CLASS = tuple(e for e in EMOTIONS.values() if e != "fear")
FILE_NAME = re.compile(r"^(?P<speaker>(?P<gender>[FM])\d{2})(?P<code>[A-Z])\d{2}$")


@register
class Shemo(CorpusAdapter):
    name = "shemo"
    title = "ShEMO (Persian, 87 speakers, 3000 utterances)"
    layout = "ShEMO/\n  female/F30A02.wav\n  male/M01N05.wav"
    class_sets = {**emotion_class_sets(EMOTIONS.values()), "5class": {e: e for e in FIVE_CLASS}}
    default_class_set = "all"

    def scan(self, data_dir: Path) -> Iterator[Candidate | Skipped]:
        self.check_layout(data_dir, "female/*.wav", "male/*.wav")
        for folder in ("female", "male"):
            for path in visible_files(data_dir / folder, "*.wav"):
                yield parse_file_name(path)


def parse_file_name(path: Path) -> Candidate | Skipped:
    """``female/F30A02.wav`` -> speaker F30, gender F, angry."""
    match = FILE_NAME.match(path.stem)
    if match is None:
        return Skipped(
            str(path), "unparsable name", f"{path.name} is not like F30A02.wav (gender, speaker number, emotion, index)"
        )
    code = match["code"]
    if code not in EMOTIONS:
        return Skipped(
            str(path), "unknown label", f"emotion code {code!r} in {path.name}; known: {', '.join(EMOTIONS)}"
        )
    return Candidate(
        id=path.stem,
        path=path,
        speaker=match["speaker"],
        emotion=EMOTIONS[code],
        extra={"gender": match["gender"], "raw_label": code},
    )
