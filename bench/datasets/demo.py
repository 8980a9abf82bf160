"""The shipped demo corpus: synthetic emotional English speech (espeak-ng), 8 speakers, 256 files.

It lives inside the package (``bench/data/demo``), so ``--data-dir`` is optional. Layout::

    demo/
      manifest.csv                     id,path,speaker,session,gender,label,valence,arousal,...
      audio/S01F/S01F_angry_02.ogg     16 kHz mono Ogg Vorbis
      ...

Four sessions of one female and one male speaker (S01F + S01M, ...), as in IEMOCAP. Labels
neutral, happy, angry, sad, rendered by prosody only; valence and arousal on IEMOCAP's 1-5
scale. Made by ``scripts/synthesize_demo.py``; see docs/demo.md.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterator

from bench.datasets.base import Candidate, CorpusAdapter, Skipped
from bench.datasets.registry import register
from bench.errors import LayoutError

EMOTIONS = ("neutral", "happy", "angry", "sad")
REQUIRED_COLUMNS = ("id", "path", "speaker", "session", "label", "valence", "arousal")
PASS_THROUGH = ("gender", "sentence", "lead_silence", "trail_silence", "noise", "snr_db")


def packaged_demo_dir() -> Path:
    """The folder of the shipped corpus, found next to this package (works when installed too)."""
    return Path(__file__).resolve().parent.parent / "data" / "demo"


@register
class Demo(CorpusAdapter):
    name = "demo"
    title = "synthetic emotional speech (English, espeak-ng, 8 speakers, 256 files, shipped)"
    layout = "demo/\n  manifest.csv\n  audio/S01F/S01F_angry_02.ogg\n  ...\n  audio/S04M/S04M_sad_15.ogg"
    class_sets = {"4class": {e: e for e in EMOTIONS}, "all": {e: e for e in EMOTIONS}}
    default_class_set = "4class"
    needs_data_dir = False

    def default_data_dir(self) -> Path:
        return packaged_demo_dir()

    def scan(self, data_dir: Path) -> Iterator[Candidate | Skipped]:
        self.check_layout(data_dir, "manifest.csv")
        with (data_dir / "manifest.csv").open(newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise LayoutError(
                    f"demo: {data_dir / 'manifest.csv'} lacks the columns {missing}; expected at least "
                    f"{list(REQUIRED_COLUMNS)}. Regenerate the corpus with `python scripts/synthesize_demo.py`."
                )
            for row in reader:
                yield candidate(row, data_dir)


def candidate(row: dict[str, str], data_dir: Path) -> Candidate | Skipped:
    """One manifest row -> a Candidate with an absolute path (or Skipped for a bad value)."""
    try:
        valence, arousal = float(row["valence"]), float(row["arousal"])
    except ValueError:
        return Skipped(
            row["id"], "bad dimension", f"valence {row['valence']!r} / arousal {row['arousal']!r} are not numbers"
        )
    return Candidate(
        id=row["id"],
        path=(data_dir / row["path"]).resolve(),
        speaker=row["speaker"],
        emotion=row["label"],
        session=row["session"],
        valence=valence,
        arousal=arousal,
        extra={key: row[key] for key in PASS_THROUGH if key in row},
    )
