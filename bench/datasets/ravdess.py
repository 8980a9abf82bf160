"""RAVDESS, speech part: 24 North-American English actors, 1440 files, 48 kHz.

Expected layout (``Audio_Speech_Actors_01-24`` as distributed)::

    RAVDESS/
      Actor_01/03-01-01-01-01-01-01.wav
      ...
      Actor_24/03-01-08-02-02-02-24.wav

File name: modality-channel-emotion-intensity-statement-repetition-actor. Only speech audio
(modality 03 audio-only, vocal channel 01 speech) is kept. Emotions 01 neutral, 02 calm,
03 happy, 04 sad, 05 angry, 06 fearful, 07 disgust, 08 surprised; intensity 01 normal,
02 strong. Odd-numbered actors are male. No sessions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from bench.datasets.base import Candidate, CorpusAdapter, Skipped, emotion_class_sets, visible_files
from bench.datasets.registry import register

EMOTIONS = {
    "01": "neutral",
    "02": "calm",
    "03": "happy",
    "04": "sad",
    "05": "angry",
    "06": "fear",
    "07": "disgust",
    "08": "surprise",
}
INTENSITIES = {"01": "normal", "02": "strong"}
FILE_NAME = re.compile(
    r"^(?P<modality>\d{2})-(?P<channel>\d{2})-(?P<emotion>\d{2})-(?P<intensity>\d{2})"
    r"-(?P<statement>\d{2})-(?P<repetition>\d{2})-(?P<actor>\d{2})$"
)
AUDIO_ONLY, SPEECH = "03", "01"


@register
class Ravdess(CorpusAdapter):
    name = "ravdess"
    title = "RAVDESS speech (English, 24 actors, 1440 files)"
    layout = "RAVDESS/\n  Actor_01/03-01-01-01-01-01-01.wav\n  ...\n  Actor_24/03-01-08-02-02-02-24.wav"
    class_sets = emotion_class_sets(EMOTIONS.values())
    default_class_set = "all"

    def scan(self, data_dir: Path) -> Iterator[Candidate | Skipped]:
        self.check_layout(data_dir, "Actor_*/*.wav")
        for path in visible_files(data_dir, "Actor_*/*.wav"):
            yield parse_file_name(path)


def parse_file_name(path: Path) -> Candidate | Skipped:
    """``Actor_12/03-01-06-01-02-01-12.wav`` -> speaker Actor_12, female, fear, normal intensity."""
    match = FILE_NAME.match(path.stem)
    if match is None:
        return Skipped(
            str(path), "unparsable name", f"{path.name} is not like 03-01-06-01-02-01-12.wav (7 two-digit fields)"
        )
    if (match["modality"], match["channel"]) != (AUDIO_ONLY, SPEECH):
        found = f"modality {match['modality']}, channel {match['channel']}"
        return Skipped(str(path), "not speech audio", f"{path.name}: {found}; only 03-01 (audio-only speech) is used")
    code, actor = match["emotion"], match["actor"]
    if code not in EMOTIONS:
        return Skipped(
            str(path), "unknown label", f"emotion code {code!r} in {path.name}; known: {', '.join(EMOTIONS)}"
        )
    return Candidate(
        id=path.stem,
        path=path,
        speaker=f"Actor_{actor}",
        emotion=EMOTIONS[code],
        extra={
            "gender": "M" if int(actor) % 2 == 1 else "F",
            "raw_label": code,
            "intensity": INTENSITIES.get(match["intensity"], match["intensity"]),
        },
    )
