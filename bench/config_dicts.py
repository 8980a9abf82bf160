"""Round-tripping the configuration dataclasses (TrainConfig, ModelConfig, SVMConfig) through dicts."""

from __future__ import annotations

from dataclasses import fields


def check_known_keys(cls, d: dict, what: str, hidden: frozenset[str] = frozenset()) -> None:
    """Raise ValueError naming the keys of ``d`` that are not fields of dataclass ``cls``.

    ``what`` says what the keys are ("training options"); ``hidden`` fields are accepted but
    not listed as options in the message (they are filled in by the program, not the user).
    """
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(d) - known)
    if unknown:
        raise ValueError(f"unknown {what} {unknown}; known: {sorted(known - hidden)}")
