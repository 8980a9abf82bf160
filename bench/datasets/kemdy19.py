"""KEMDy19 (ETRI): Korean dyadic dialogues, 20 sessions of one male and one female actor.

Expected layout::

    KEMDy19/
      annotation/Session01_F_res.csv      <- one per session and gender (any *.csv is read)
      wav/Session01/Sess01_impro01/Sess01_impro01_M001.wav   (a transcript .txt beside it)

An annotation file has a header row naming ``Segment ID`` and ``Total Evaluation`` (the majority
emotion of 10 raters, several joined by ``;`` on a tie), then the mean valence and arousal (1-5);
a second header row (``Emotion, Valence, Arousal`` under each evaluation) may follow. The same
segment can be listed in several files; the first listing is kept. Speaker ``Sess01M`` comes from
the letter at the start of the id's last field, as in IEMOCAP.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Iterator

from bench.datasets.base import Candidate, CorpusAdapter, Skipped, visible_files
from bench.datasets.registry import register

EMOTIONS = {
    "angry": "angry",
    "happy": "happy",
    "neutral": "neutral",
    "sad": "sad",
    "disgust": "disgust",
    "disqust": "disgust",  # misspelling in the raw annotations
    "fear": "fear",
    "surprise": "surprise",
}
AMBIGUOUS = "ambiguous"  # a tie between emotions; in no class set
SEGMENT_ID = re.compile(r"^(?P<session>Sess(?P<number>\d{2}))_[^_]+_(?P<gender>[FM])[^_]*$")
HEADER_SEARCH_ROWS = 5


@register
class Kemdy19(CorpusAdapter):
    name = "kemdy19"
    title = "KEMDy19 (Korean, 40 actors in 20 sessions, ETRI)"
    layout = (
        "KEMDy19/\n"
        "  annotation/Session01_F_res.csv   (columns incl. 'Segment ID', 'Total Evaluation', valence, arousal)\n"
        "  wav/Session01/Sess01_impro01/Sess01_impro01_M001.wav"
    )
    class_sets = {
        "4class": {"angry": "angry", "happy": "happy", "neutral": "neutral", "sad": "sad"},
        "all": {e: e for e in sorted(set(EMOTIONS.values()))},
    }
    default_class_set = "4class"
    default_max_duration = 16.0  # SAP paper truncation

    def scan(self, data_dir: Path) -> Iterator[Candidate | Skipped]:
        self.check_layout(data_dir, "annotation/*.csv", "wav/Session*")
        seen: set[str] = set()
        for csv_path in visible_files(data_dir / "annotation", "*.csv"):
            for found in read_annotation(csv_path, data_dir / "wav"):
                key = found.id if isinstance(found, Candidate) else found.item
                if key not in seen:  # a segment listed in several files counts once
                    seen.add(key)
                    yield found


def read_annotation(csv_path: Path, wav_dir: Path) -> Iterator[Candidate | Skipped]:
    """The segments of one annotation file, or one Skipped if it has no recognisable header."""
    with csv_path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
        rows = [[cell.strip() for cell in row] for row in csv.reader(f)]
    columns = find_columns(rows)
    if columns is None:
        yield Skipped(
            str(csv_path),
            "unparsable annotation",
            f"no 'Segment ID' and 'Total Evaluation' header in its first {HEADER_SEARCH_ROWS} rows",
        )
        return
    header_row, id_col, emo_col, val_col, aro_col = columns
    for row in rows[header_row + 1 :]:
        if not is_data_row(row, id_col, emo_col):
            continue
        yield segment(row[id_col], row[emo_col], cell(row, val_col), cell(row, aro_col), wav_dir, csv_path)


def find_columns(rows: list[list[str]]) -> tuple[int, int, int, int, int] | None:
    """(header row, id, emotion, valence, arousal column indices), or None.

    Valence and arousal are the columns named so after ``Total Evaluation`` in the header or the
    sub-header row below it; when unnamed (pandas shows ``Unnamed: 11``) they are the two next ones.
    """
    for r, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [normalise(c) for c in row]
        if "segmentid" in names and "totalevaluation" in names:
            id_col, emo_col = names.index("segmentid"), names.index("totalevaluation")
            below = [normalise(c) for c in rows[r + 1]] if r + 1 < len(rows) else []
            val_col = named_column_after(emo_col, "valence", names, below) or emo_col + 1
            aro_col = named_column_after(emo_col, "arousal", names, below) or emo_col + 2
            return r, id_col, emo_col, val_col, aro_col
    return None


def is_data_row(row: list[str], id_col: int, emo_col: int) -> bool:
    """False for blank lines and for the second header row (``Emotion, Valence, Arousal``)."""
    if len(row) <= max(id_col, emo_col) or not row[id_col]:
        return False
    return normalise(row[emo_col]) not in {"emotion", "totalevaluation"} and normalise(row[id_col]) != "segmentid"


def named_column_after(start: int, name: str, *header_rows: list[str]) -> int | None:
    """The first column after ``start`` named ``name`` in any of ``header_rows``."""
    hits = [i for row in header_rows for i, c in enumerate(row) if i > start and c == name]
    return min(hits) if hits else None


def segment(
    seg_id: str, raw_emotion: str, valence: str, arousal: str, wav_dir: Path, csv_path: Path
) -> Candidate | Skipped:
    """One annotation row -> a Candidate (audio ``wav/Session01/Sess01_impro01/<id>.wav``)."""
    match = SEGMENT_ID.match(seg_id)
    if match is None:
        return Skipped(seg_id, "unparsable id", f"{csv_path}: {seg_id!r} is not like Sess01_impro01_M001")
    emotion = canonical_emotion(raw_emotion)
    if emotion is None:
        return Skipped(
            seg_id, "unknown label", f"{csv_path}: emotion {raw_emotion!r} for {seg_id}; known: {', '.join(EMOTIONS)}"
        )
    session, gender = match["session"], match["gender"]
    dialog = seg_id.rsplit("_", 1)[0]
    return Candidate(
        id=seg_id,
        path=wav_dir / f"Session{match['number']}" / dialog / f"{seg_id}.wav",
        speaker=session + gender,
        emotion=emotion,
        session=session,
        valence=to_float(valence),
        arousal=to_float(arousal),
        extra={"gender": gender, "raw_label": raw_emotion},
    )


def canonical_emotion(raw: str) -> str | None:
    """``"neutral"`` -> neutral, ``"disqust"`` -> disgust, ``"happy;neutral"`` -> ambiguous, junk -> None."""
    parts = {p.strip().lower() for p in raw.split(";") if p.strip()}
    if not parts or any(p not in EMOTIONS for p in parts):
        return None
    emotions = {EMOTIONS[p] for p in parts}
    return emotions.pop() if len(emotions) == 1 else AMBIGUOUS


def normalise(header: str) -> str:
    """Header cell -> lower case without spaces, dashes or underscores (``Segment ID`` -> segmentid)."""
    return re.sub(r"[\s_\-]", "", header.lower())


def cell(row: list[str], col: int) -> str:
    return row[col] if col < len(row) else ""


def to_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
