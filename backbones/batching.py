"""Length-sorted batch plans that keep padding small.

Utterances are sorted longest first and packed greedily while the padded batch
(``batch size x longest length``) stays within ``max_samples``; a single longer utterance
runs alone. ``equal_length_only`` packs only utterances of the very same length, for models
whose feature encoder normalises over time (group norm) and so cannot take padding.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby


def plan_batches(lengths: Sequence[int], max_samples: int, equal_length_only: bool = False) -> list[list[int]]:
    """Indices of ``lengths`` grouped into batches; every index appears exactly once."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    if not equal_length_only:
        return _pack(order, lengths, max_samples)
    batches = []
    for _, same in groupby(order, key=lambda i: lengths[i]):
        batches.extend(_pack(list(same), lengths, max_samples))
    return batches


def _pack(order: list[int], lengths: Sequence[int], max_samples: int) -> list[list[int]]:
    """Greedy packing of indices already sorted longest first."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        longest = lengths[current[0]] if current else lengths[i]
        if current and (len(current) + 1) * longest > max_samples:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches
