"""EmoDB (Berlin Database of Emotional Speech): 10 German actors, 535 files, 16 kHz.

Expected layout::

    EmoDB/
      wav/03a01Fa.wav

File name: chars 0-1 speaker, 2-4 text code, 5 emotion (W anger, L boredom, E disgust, A fear,
F happiness, T sadness, N neutral), 6 version. Speakers 03, 10, 11, 12, 15 are male; 08, 09, 13,
14, 16 female. No sessions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from bench.datasets.base import Candidate, CorpusAdapter, Skipped, emotion_class_sets, visible_files
from bench.datasets.registry import register

EMOTIONS = {"W": "angry", "L": "boredom", "E": "disgust", "A": "fear", "F": "happy", "T": "sad", "N": "neutral"}
MALE_SPEAKERS = {"03", "10", "11", "12", "15"}
FEMALE_SPEAKERS = {"08", "09", "13", "14", "16"}
FILE_NAME = re.compile(r"^(?P<speaker>\d{2})(?P<text>[a-z]\d{2})(?P<code>[A-Z])(?P<version>[a-z])$")


@register
class EmoDB(CorpusAdapter):
    name = "emodb"
    title = "EmoDB / Berlin (German, 10 actors, 535 files)"
    layout = "EmoDB/\n  wav/03a01Fa.wav"
    class_sets = emotion_class_sets(EMOTIONS.values())
    default_class_set = "all"

    def scan(self, data_dir: Path) -> Iterator[Candidate | Skipped]:
        self.check_layout(data_dir, "wav/*.wav")
        for path in visible_files(data_dir / "wav", "*.wav"):
            yield parse_file_name(path)


def parse_file_name(path: Path) -> Candidate | Skipped:
    """``wav/03a01Fa.wav`` -> speaker 03 (male), text a01, happy."""
    match = FILE_NAME.match(path.stem)
    if match is None:
        return Skipped(
            str(path), "unparsable name", f"{path.name} is not like 03a01Fa.wav (speaker, text, emotion, version)"
        )
    code, speaker = match["code"], match["speaker"]
    if code not in EMOTIONS:
        return Skipped(
            str(path), "unknown label", f"emotion code {code!r} in {path.name}; known: {', '.join(EMOTIONS)}"
        )
    gender = "M" if speaker in MALE_SPEAKERS else "F" if speaker in FEMALE_SPEAKERS else ""
    extra = {"gender": gender, "raw_label": code, "text": match["text"]}
    return Candidate(id=path.stem, path=path, speaker=speaker, emotion=EMOTIONS[code], extra=extra)
