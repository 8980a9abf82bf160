"""IEMOCAP: 5 sessions of dyadic English dialogues, 10 actors, about 10k labelled utterances.

Expected layout (the ``IEMOCAP_full_release`` folder as distributed)::

    IEMOCAP_full_release/
      Session1/
        dialog/EmoEvaluation/Ses01F_impro01.txt       <- one label file per dialog (read)
        dialog/EmoEvaluation/Categorical/...           <- per-rater files (ignored)
        sentences/wav/Ses01F_impro01/Ses01F_impro01_M003.wav
      Session2/ ... Session5/

Each utterance block in a label file starts with a tab-separated header line::

    [6.2901 - 8.2357]	Ses01F_impro01_F000	neu	[2.5000, 2.5000, 2.5000]

The speaker of an utterance is named by the letter at the start of the id's LAST field
(``Ses01F_impro01_M003`` is session 1's male actor, ``Ses01M``); the letter after ``Ses01``
only says who leads the dialog.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from bench.datasets.base import Candidate, CorpusAdapter, Skipped
from bench.datasets.registry import register

EMOTIONS = {
    "neu": "neutral",
    "hap": "happy",
    "exc": "excited",
    "ang": "angry",
    "sad": "sad",
    "fru": "frustrated",
    "sur": "surprise",
    "fea": "fear",
    "dis": "disgust",
    "oth": "other",
    "xxx": "ambiguous",  # raters did not agree
}

# [START - END] <TAB> UTTERANCE_ID <TAB> EMO <TAB> [V, A, D]
HEADER_LINE = re.compile(r"^\[\s*[\d.]+\s*-\s*[\d.]+\s*\]\s+(?P<id>\S+)\s+(?P<emo>\S+)\s+\[(?P<vad>[^\]]*)\]")
DIALOG_FILE = re.compile(r"^Ses\d{2}[FM]_")
UTTERANCE_ID = re.compile(r"^(?P<session>Ses\d{2})[FM]_\w+_(?P<gender>[FM])[^_]*$")  # gender: LAST field


@register
class Iemocap(CorpusAdapter):
    name = "iemocap"
    title = "IEMOCAP (English, 10 actors in 5 sessions, ~10k labelled utterances)"
    layout = (
        "IEMOCAP_full_release/\n"
        "  Session1/dialog/EmoEvaluation/Ses01F_impro01.txt   (one label file per dialog)\n"
        "  Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M003.wav\n"
        "  Session2/ ... Session5/"
    )
    class_sets = {
        "4class": {"neutral": "neutral", "happy": "happy", "excited": "happy", "angry": "angry", "sad": "sad"},
        "all": {e: e for e in EMOTIONS.values() if e != "ambiguous"},
    }
    default_class_set = "4class"
    default_max_duration = 19.0  # SAP paper truncation

    def scan(self, data_dir: Path) -> Iterator[Candidate | Skipped]:
        self.check_layout(data_dir, "Session*/dialog/EmoEvaluation/*.txt", "Session*/sentences/wav")
        for label_file in dialog_label_files(data_dir):
            session_dir = label_file.parents[2]
            for line in label_file.read_text(encoding="utf-8", errors="replace").splitlines():
                match = HEADER_LINE.match(line)
                if match:
                    yield parse_header(match, session_dir, label_file)


def dialog_label_files(data_dir: Path) -> list[Path]:
    """The dialog-level label files: ``Session*/dialog/EmoEvaluation/Ses*.txt``, no subfolders.

    Hidden files (e.g. macOS ``._Ses01F_impro01.txt``) and files not named after a dialog are left out.
    """
    files = data_dir.glob("Session*/dialog/EmoEvaluation/*.txt")
    return sorted(f for f in files if f.is_file() and DIALOG_FILE.match(f.name))


def parse_header(match: re.Match, session_dir: Path, label_file: Path) -> Candidate | Skipped:
    """One header line -> a Candidate whose audio is ``sentences/wav/<dialog>/<utt>.wav``."""
    utt_id, code = match["id"], match["emo"].lower()
    id_match = UTTERANCE_ID.match(utt_id)
    if id_match is None:
        return Skipped(utt_id, "unparsable id", f"{label_file}: {utt_id!r} is not like Ses01F_impro01_M003")
    if code not in EMOTIONS:
        return Skipped(
            utt_id, "unknown label", f"{label_file}: code {code!r} for {utt_id}; known: {', '.join(EMOTIONS)}"
        )
    session, gender = id_match["session"], id_match["gender"]
    dialog = utt_id.rsplit("_", 1)[0]
    valence, arousal = parse_dimensions(match["vad"])
    return Candidate(
        id=utt_id,
        path=session_dir / "sentences" / "wav" / dialog / f"{utt_id}.wav",
        speaker=session + gender,
        emotion=EMOTIONS[code],
        session=session,
        valence=valence,
        arousal=arousal,
        extra={"gender": gender, "raw_label": code},
    )


def parse_dimensions(text: str) -> tuple[float | None, float | None]:
    """``"2.5000, 3.0000, 2.0000"`` -> (valence, arousal); (None, None) if it does not parse."""
    parts = [p.strip() for p in text.split(",")]
    try:
        return float(parts[0]), float(parts[1])
    except (ValueError, IndexError):
        return None, None
