"""What every corpus adapter is, and the one preparation routine they share.

An adapter knows a corpus's on-disk layout and label vocabulary. ``scan`` walks the folder and
yields a ``Candidate`` per utterance (or a ``Skipped`` for what it cannot use); ``prepare``
then applies the class set, checks every audio file, and builds the manifest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Iterator

import pandas as pd

from bench.audio import probe_audio
from bench.errors import AudioError, BenchError, LayoutError
from bench.manifest import make_manifest


FOUR_CLASS = ("neutral", "happy", "angry", "sad")


def emotion_class_sets(emotions) -> dict[str, dict[str, str]]:
    """The usual class sets of a corpus with these emotions: ``all`` and the 4-class set."""
    emotions = sorted(set(emotions))
    return {"all": {e: e for e in emotions}, "4class": {e: e for e in FOUR_CLASS if e in emotions}}


def visible_files(folder: Path, pattern: str) -> list[Path]:
    """Files under ``folder`` matching ``pattern``, sorted, without hidden ones (e.g. macOS ``._x.wav``)."""
    return sorted(p for p in folder.glob(pattern) if not p.name.startswith("."))


@dataclass
class Candidate:
    """One utterance found on disk, before its audio is checked.

    ``emotion`` is the corpus's label in canonical English (neutral, happy, excited, angry,
    sad, frustrated, surprise, fear, disgust, calm, boredom, other, ...); class sets map it on.
    """

    id: str
    path: Path
    speaker: str
    emotion: str
    session: str = ""
    valence: float | None = None
    arousal: float | None = None
    extra: dict = field(default_factory=dict)  # further manifest columns (gender, raw_label, split)


@dataclass
class Skipped:
    """Something that was found but cannot be used: ``reason`` is a short key, ``detail`` says why."""

    item: str  # file path or utterance id
    reason: str  # e.g. "unknown label", "missing audio", "unreadable audio"
    detail: str = ""


@dataclass
class Preparation:
    """The outcome of ``prepare``: the manifest, what was skipped and why, what the class set left out."""

    manifest: pd.DataFrame
    skipped: list[Skipped]
    excluded: Counter  # emotion -> count, outside the chosen class set (not an error)
    class_set: str

    def summary(self) -> str:
        """Human-readable counts: kept, per class, skipped per reason, excluded per emotion."""
        m = self.manifest
        lines = [f"kept {len(m)} utterances from {m['speaker'].nunique()} speakers (class set {self.class_set!r})"]
        if len(m):
            counts = m["label"].value_counts().sort_index()
            lines.append("  per class: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if self.excluded:
            lines.append("  outside the class set: " + ", ".join(f"{k} {v}" for k, v in sorted(self.excluded.items())))
        reasons = Counter(s.reason for s in self.skipped)
        lines.append(
            f"skipped {len(self.skipped)}"
            + (": " + ", ".join(f"{v} {k}" for k, v in sorted(reasons.items())) if reasons else "")
        )
        return "\n".join(lines)


class CorpusAdapter:
    """Base class: subclasses set the class attributes and implement ``scan``."""

    name: ClassVar[str]
    title: ClassVar[str]  # one line: corpus name, language, size
    layout: ClassVar[str]  # the expected folder layout, shown by `bench list datasets`
    class_sets: ClassVar[dict[str, dict[str, str]]]  # class-set name -> {emotion: class}
    default_class_set: ClassVar[str]
    needs_data_dir: ClassVar[bool] = True
    default_max_duration: ClassVar[float | None] = None  # seconds; the paper's truncation, if any

    def scan(self, data_dir: Path) -> Iterator[Candidate | Skipped]:
        raise NotImplementedError

    def default_data_dir(self) -> Path | None:
        """Where the corpus is when no --data-dir is given (only the shipped demo has one)."""
        return None

    def check_layout(self, data_dir: Path, *required: str) -> None:
        """Raise LayoutError unless ``data_dir`` exists and holds each of ``required`` (glob patterns)."""
        if not data_dir.is_dir():
            raise LayoutError(f"{self.name}: data folder {data_dir} does not exist. Expected layout:\n{self.layout}")
        for pattern in required:
            if not any(data_dir.glob(pattern)):
                raise LayoutError(
                    f"{self.name}: {data_dir} does not look like {self.title}: nothing matches {pattern!r}. "
                    f"Expected layout:\n{self.layout}\nPoint --data-dir at the corpus root."
                )


def resolve_class_set(adapter: CorpusAdapter, class_set: str | None) -> tuple[str, dict[str, str]]:
    """The class set's name and mapping; unknown names list the valid ones."""
    name = class_set or adapter.default_class_set
    if name not in adapter.class_sets:
        raise BenchError(f"{adapter.name}: unknown class set {name!r}; valid: {', '.join(adapter.class_sets)}")
    return name, adapter.class_sets[name]


def prepare(adapter: CorpusAdapter, data_dir: str | Path | None, class_set: str | None = None) -> Preparation:
    """Scan ``data_dir`` with ``adapter``, keep the class set, check each audio file, build the manifest.

    Bad files are skipped and reported, never fatal; a wrong layout raises LayoutError.
    """
    if data_dir is None:
        data_dir = adapter.default_data_dir()
        if data_dir is None:
            raise BenchError(f"dataset {adapter.name!r} needs --data-dir. Expected layout:\n{adapter.layout}")
    data_dir = Path(data_dir).expanduser().resolve()
    set_name, mapping = resolve_class_set(adapter, class_set)
    rows, skipped, excluded = [], [], Counter()
    seen: set[str] = set()
    for found in adapter.scan(data_dir):
        if isinstance(found, Skipped):
            skipped.append(found)
            continue
        if found.emotion not in mapping:
            excluded[found.emotion] += 1
            continue
        if found.id in seen:
            skipped.append(Skipped(found.id, "duplicate id", f"utterance id {found.id} appears twice; kept the first"))
            continue
        try:
            info = probe_audio(found.path)
        except AudioError as exc:
            reason = str(exc).split(" audio file")[0].split(":")[0].strip()
            skipped.append(Skipped(str(found.path), f"{reason} audio", str(exc)))
            continue
        seen.add(found.id)
        rows.append(_row(found, mapping[found.emotion], info))
    manifest = make_manifest(rows) if rows else make_manifest([]).iloc[0:0]
    return Preparation(manifest, skipped, excluded, set_name)


def _row(found: Candidate, label: str, info) -> dict:
    return {
        "id": found.id,
        "path": str(found.path),
        "speaker": found.speaker,
        "session": found.session,
        "label": label,
        "valence": found.valence,
        "arousal": found.arousal,
        "duration": round(info.duration, 4),
        "sample_rate": info.sample_rate,
        **found.extra,
    }
