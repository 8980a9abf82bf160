"""Per-utterance sufficient statistics of cached features, computed once per process and shared
by every job that reads the same cache entries.

For each utterance and layer: the frame count, the speech-frame count, the sums of the frames
and of the speech frames, and the sum of squared deviations from the utterance's own mean
(centred, so that an utterance's variance keeps its precision when its mean is large; stored
float32, summed in float64). From these, without reading a frame again:
- a fold's feature standardisation (mean and std over ITS training frames only: a sum over its
  training utterances),
- the per-layer pooled vectors of the parameter-free poolers: ``gap`` (mean of all frames),
  ``sap-noattn`` (mean of the speech frames, all frames when the VAD found none, as
  ``poolers.masked.speech_or_valid``) and ``stats`` (mean and std, ddof 0, variance floored at
  ``poolers.masked.STD_FLOOR``).

Entries are memoised by the cache file they come from (content-addressed by the audio digest, so
an entry never goes stale); stores without files (tests' in-memory stores) are recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poolers.masked import STD_FLOOR

POOLED_KINDS = ("gap", "sap-noattn", "stats")

# (features file path) -> (count, speech_count, sum [L, D], speech_sum [L, D], m2 [L, D])
_MEMO: dict[str, tuple] = {}


@dataclass
class UtteranceSums:
    """Stacked over N utterances: count, speech [N] int (speech frames, = count when none);
    total, speech_total, m2 [N, L, D] float32 (sum of frames, of speech frames, and of squared
    deviations from the utterance mean)."""

    count: np.ndarray
    speech: np.ndarray
    total: np.ndarray
    speech_total: np.ndarray
    m2: np.ndarray

    def layer(self, layer: int | None) -> "UtteranceSums":
        """The statistics of one layer of the stack ([N, 1, D]); all layers for None."""
        if layer is None:
            return self
        pick = slice(layer, layer + 1) if layer >= 0 else slice(layer, layer + 1 if layer < -1 else None)
        return UtteranceSums(self.count, self.speech, self.total[:, pick], self.speech_total[:, pick], self.m2[:, pick])


def _one(feats: np.ndarray, speech: np.ndarray) -> tuple:
    x = np.asarray(feats, dtype=np.float64)  # [L, T, D]
    speech = np.asarray(speech, dtype=bool)
    count = x.shape[1]
    total = x.sum(axis=1)
    if speech.any():
        speech_count, speech_total = int(speech.sum()), x[:, speech].sum(axis=1)
    else:  # the VAD found no speech: speech-only poolers use every frame
        speech_count, speech_total = count, total
    centred = x - total[:, None, :] / max(count, 1)
    m2 = np.einsum("ltd,ltd->ld", centred, centred)
    return count, speech_count, total.astype(np.float32), speech_total.astype(np.float32), m2.astype(np.float32)


def utterance_sums(store, ids: list[str]) -> UtteranceSums:
    """The statistics of ``ids`` in ``store`` (anything with ``load(id) -> (feats [L, T, D], speech [T])``)."""
    rows = []
    for utt_id in ids:
        key = str(store.feature_path(utt_id)) if hasattr(store, "feature_path") else None
        row = _MEMO.get(key) if key else None
        if row is None:
            feats, speech = store.load(utt_id)
            if feats.ndim != 3 or feats.shape[1] != len(speech):
                raise ValueError(
                    f"store gave features {feats.shape} and a speech mask of {len(speech)} frames "
                    f"for {utt_id!r}; expected [L, T, D] and [T]"
                )
            row = _one(feats, speech)
            if key:
                _MEMO[key] = row
        rows.append(row)
    if not rows:
        raise ValueError("no utterances to compute statistics over")
    count, speech, total, speech_total, m2 = zip(*rows)
    return UtteranceSums(np.asarray(count), np.asarray(speech), np.stack(total), np.stack(speech_total), np.stack(m2))


def standardisation(sums: UtteranceSums, std_floor: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std over every frame of the utterances in ``sums`` -> ([L, D], [L, D]) float64.
    A dimension with std below ``std_floor`` gets std 1 (left unscaled)."""
    frames = int(sums.count.sum())
    if not frames:
        raise ValueError("the training utterances have no frames; cannot compute feature statistics")
    total = sums.total.astype(np.float64)
    mean = total.sum(axis=0) / frames
    own_mean = total / np.maximum(sums.count, 1)[:, None, None]
    # total squared deviation = within-utterance part + between-utterance part (parallel variance)
    between = (sums.count[:, None, None] * (own_mean - mean) ** 2).sum(axis=0)
    std = np.sqrt((sums.m2.astype(np.float64).sum(axis=0) + between) / frames)
    return mean, np.where(std < std_floor, 1.0, std)


def pooled(sums: UtteranceSums, kind: str) -> np.ndarray:
    """Per-layer pooled vectors of a parameter-free pooler -> [N, L, P] float64 (P = D, or 2D for stats)."""
    n = np.maximum(sums.count, 1)[:, None, None]
    if kind == "gap":
        return sums.total.astype(np.float64) / n
    if kind == "sap-noattn":
        return sums.speech_total.astype(np.float64) / np.maximum(sums.speech, 1)[:, None, None]
    if kind == "stats":
        var = np.maximum(sums.m2.astype(np.float64) / n, STD_FLOOR)
        return np.concatenate([sums.total.astype(np.float64) / n, np.sqrt(var)], axis=-1)
    raise ValueError(f"no sufficient-statistics pooling for {kind!r}; known: {', '.join(POOLED_KINDS)}")
