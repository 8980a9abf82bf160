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

On request (``utterance_moments``, for the ``stats`` pooler on a learned layer mix) also the
utterance's centred cross-layer covariance C_lm = (1/T) sum_t (x_lt - mean_l)(x_mt - mean_m) per
dimension, the upper triangle l <= m only (``layer_pairs``): with it the variance of any
standardised layer mix is a quadratic form, sum_lm a_l a_m C_lm, and ``stats`` trains without
frames. It is L(L+1)/2 x D float32 per utterance (1.3 MB for 25 layers of 1024 dims), so it is
computed only when asked for and only when it fits the memory budget (``moment_bytes``).

Entries are memoised by the cache file they come from (content-addressed by the audio digest, so
an entry never goes stale); stores without files (tests' in-memory stores) are recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poolers.masked import STD_FLOOR

POOLED_KINDS = ("gap", "sap-noattn", "stats")

# (features file path) -> (count, speech_count, sum [L, D], speech_sum [L, D], m2 [L, D],
# covariance [K, D] or None until ``utterance_moments`` asks for it)
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


def layer_pairs(num_layers: int) -> tuple[np.ndarray, np.ndarray]:
    """(l, m) [K] with l <= m, K = L(L+1)/2, row-major: the layers of each stored covariance row."""
    return np.triu_indices(num_layers)


def _covariance(centred: np.ndarray) -> np.ndarray:
    """Centred frames [L, T, D] float64 -> C [K, D] float32, C_k = (1/T) sum_t x_lt x_mt (k = (l, m))."""
    per_dim = np.ascontiguousarray(centred.transpose(2, 0, 1))  # [D, L, T]
    full = np.matmul(per_dim, per_dim.transpose(0, 2, 1)) / max(centred.shape[1], 1)  # [D, L, L]
    first, second = layer_pairs(centred.shape[0])
    return np.ascontiguousarray(full[:, first, second].T, dtype=np.float32)


def _one(feats: np.ndarray, speech: np.ndarray, covariance: bool = False) -> tuple:
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
    cov = _covariance(centred) if covariance else None
    return count, speech_count, total.astype(np.float32), speech_total.astype(np.float32), m2.astype(np.float32), cov


def _rows(store, ids: list[str], covariance: bool = False) -> list[tuple]:
    """The memo rows of ``ids``, computed (and memoised when the store has files) where missing
    (or, with ``covariance``, where the covariance was not computed yet)."""
    rows = []
    for utt_id in ids:
        key = str(store.feature_path(utt_id)) if hasattr(store, "feature_path") else None
        row = _MEMO.get(key) if key else None
        if row is None or (covariance and row[5] is None):
            feats, speech = store.load(utt_id)
            if feats.ndim != 3 or feats.shape[1] != len(speech):
                raise ValueError(
                    f"store gave features {feats.shape} and a speech mask of {len(speech)} frames "
                    f"for {utt_id!r}; expected [L, T, D] and [T]"
                )
            row = _one(feats, speech, covariance)
            if key:
                _MEMO[key] = row
        rows.append(row)
    if not rows:
        raise ValueError("no utterances to compute statistics over")
    return rows


def utterance_sums(store, ids: list[str]) -> UtteranceSums:
    """The statistics of ``ids`` in ``store`` (anything with ``load(id) -> (feats [L, T, D], speech [T])``)."""
    count, speech, total, speech_total, m2, _ = zip(*_rows(store, ids))
    return UtteranceSums(np.asarray(count), np.asarray(speech), np.stack(total), np.stack(speech_total), np.stack(m2))


def moment_bytes(num_utterances: int, num_layers: int, dim: int, layer: int | None = None) -> int:
    """float32 bytes of the covariances ``utterance_moments`` holds for that many utterances: the
    L(L+1)/2 x D triangle each with a learned mix, nothing beyond the sums for a fixed layer."""
    if layer is not None or num_layers == 1:
        return 0
    return 4 * num_utterances * num_layers * (num_layers + 1) // 2 * dim


def utterance_moments(store, ids: list[str], layer: int | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Per-layer means and centred cross-layer covariances of ``ids``, for the ``stats`` pooler.

    -> (mean [N, L, D] float32, N covariances [K, D] float32, rows (l, m) from ``layer_pairs``).
    For a fixed ``layer`` (or a one-layer stack): mean [N, 1, D] and variances [1, D] (= m2 / T,
    no covariance is computed). The covariances are the memo's own arrays (not copies): the set's
    only copy in memory; read them, never write.
    """
    num_layers = _rows(store, ids[:1])[0][2].shape[0]
    if layer is not None or num_layers == 1:
        sums = utterance_sums(store, ids).layer(layer)
        n = np.maximum(sums.count, 1)[:, None, None]
        var = (sums.m2.astype(np.float64) / n).astype(np.float32)
        return (sums.total.astype(np.float64) / n).astype(np.float32), list(var)
    rows = _rows(store, ids, covariance=True)
    mean = np.stack([(r[2].astype(np.float64) / max(r[0], 1)).astype(np.float32) for r in rows])
    return mean, [r[5] for r in rows]


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
