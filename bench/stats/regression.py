"""Dimensional (valence, arousal) metrics: concordance correlation coefficient and MAE.

Both take ``y_true`` and ``y_pred``: 1-D float arrays ``[N]``. Pairs where either value is NaN
(corpora without dimensional labels) are dropped first; with no pair left the result is NaN.
"""

from __future__ import annotations

import numpy as np


def _finite_pairs(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.ndim != 1 or y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must be 1-D of equal length; got shapes {y_true.shape} and {y_pred.shape}")
    keep = ~(np.isnan(y_true) | np.isnan(y_pred))
    return y_true[keep], y_pred[keep]


def ccc(y_true, y_pred) -> float:
    """Lin's concordance correlation coefficient, with population (1/N) moments:

        CCC = 2 cov(t, p) / (var(t) + var(p) + (mean(t) - mean(p))^2)

    1 means perfect agreement, 0 none, -1 perfect inverse. NaN when undefined: no finite pair,
    or both series constant and equal (0 / 0).
    """
    t, p = _finite_pairs(y_true, y_pred)
    if len(t) == 0:
        return float("nan")
    mt, mp = t.mean(), p.mean()
    cov = np.mean((t - mt) * (p - mp))
    denom = t.var() + p.var() + (mt - mp) ** 2
    return float(2 * cov / denom) if denom > 0 else float("nan")


def mae(y_true, y_pred) -> float:
    """Mean absolute error ``mean(|t - p|)`` over finite pairs, in the labels' units."""
    t, p = _finite_pairs(y_true, y_pred)
    return float(np.mean(np.abs(t - p))) if len(t) else float("nan")
