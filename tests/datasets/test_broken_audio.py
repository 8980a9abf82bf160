"""Every file-scanning adapter skips broken audio file by file, with a reason, and counts it.

(IEMOCAP, KEMDy19 and csv, whose labels name their files, also test missing audio in their own modules.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.datasets import prepare_dataset

# corpus -> (one good file, then files with valid names that will be broken), relative to the root
TREES = {
    "shemo": ["female/F30A02.wav", "female/F30N01.wav", "male/M01S05.wav", "male/M01H01.wav"],
    "ravdess": [
        "Actor_01/03-01-01-01-01-01-01.wav",
        "Actor_01/03-01-05-02-01-01-01.wav",
        "Actor_02/03-01-04-01-01-01-02.wav",
        "Actor_02/03-01-03-01-01-01-02.wav",
    ],
    "cremad": [
        "AudioWAV/1001_DFA_ANG_XX.wav",
        "AudioWAV/1001_DFA_HAP_XX.wav",
        "AudioWAV/1002_DFA_SAD_XX.wav",
        "AudioWAV/1002_DFA_NEU_XX.wav",
    ],
    "emodb": ["wav/03a01Fa.wav", "wav/03a01Wa.wav", "wav/08b02Tb.wav", "wav/08a04Nc.wav"],
}
BROKEN = {"empty": "empty audio", "garbage": "unreadable audio", "truncated": "truncated audio"}


def build(root: Path, corpus: str, audio, kinds: list[str]) -> list[str]:
    """The good file and one broken file per kind; returns the broken files' names."""
    good, *others = TREES[corpus]
    audio.good(root / good)
    for kind, rel in zip(kinds, others):
        audio.broken(kind, root / rel)
    return [Path(rel).name for rel in others[: len(kinds)]]


@pytest.mark.parametrize("corpus", sorted(TREES))
def test_empty_garbage_and_truncated_files_are_skipped(tmp_path, audio, reasons, corpus):
    names = build(tmp_path, corpus, audio, list(BROKEN))
    prep = prepare_dataset(corpus, tmp_path, "4class")
    assert len(prep.manifest) == 1
    assert reasons(prep) == dict(zip(names, BROKEN.values()))
    assert "skipped 3: 1 empty audio, 1 truncated audio, 1 unreadable audio" in prep.summary()
    assert all(str(tmp_path) in s.detail for s in prep.skipped)  # the message names the file
