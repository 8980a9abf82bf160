"""Multiple-comparison correction."""

from __future__ import annotations

import numpy as np


def holm(pvalues) -> np.ndarray:
    """Holm–Bonferroni adjusted p-values ``[m]`` in the input order.

    Sorting the m finite p-values ascending, p_(1) <= ... <= p_(m), the adjusted value is
    ``max_{j <= i} min(1, (m - j + 1) p_(j))``. Reject H_(i) at level alpha when the adjusted
    p <= alpha; this controls the family-wise error rate under any dependence. NaN entries
    (comparisons that could not be made) stay NaN and do not count in m.
    """
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ValueError(f"pvalues must be 1-D; got shape {p.shape}")
    out = np.full_like(p, np.nan)
    finite = np.flatnonzero(~np.isnan(p))
    m = len(finite)
    if m == 0:
        return out
    order = finite[np.argsort(p[finite], kind="stable")]
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out
