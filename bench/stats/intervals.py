"""Confidence intervals of a mean: bootstrap (percentile, BCa) and Student t.

``values`` is a 1-D array ``[n]`` of per-fold scores (one number per fold, seeds already
averaged). Degenerate inputs are handled, not raised:

- n = 1: there is no spread to estimate; the interval is (NaN, NaN) and tables print "n/a".
- zero variance (all values equal, n >= 2): the interval is (mean, mean), width 0. That is what
  the data say, not certainty: report n beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

BOOTSTRAP_METHODS = ("percentile", "bca")


@dataclass(frozen=True)
class Interval:
    """A point estimate with its two-sided interval.

    estimate: the mean of the values; low/high: interval bounds (NaN when undefined);
    method: "percentile", "bca" or "t"; confidence: e.g. 0.95; n: number of values;
    n_resamples: bootstrap resamples (0 for "t").
    """

    estimate: float
    low: float
    high: float
    method: str
    confidence: float
    n: int
    n_resamples: int = 0

    @property
    def half_width(self) -> float:
        """Half the interval's width (for symmetric intervals, the "±" value)."""
        return (self.high - self.low) / 2


def as_generator(seed) -> np.random.Generator:
    """A Generator from an int seed, None (fresh entropy) or an existing Generator (used as is)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _values(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or len(v) == 0:
        raise ValueError(f"values must be a non-empty 1-D array; got shape {v.shape}")
    if np.isnan(v).any():
        raise ValueError("values contain NaN; drop the missing folds first")
    return v


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), e.g. 0.95; got {confidence}")


def _degenerate(v: np.ndarray, method: str, confidence: float, n_resamples: int) -> Interval | None:
    """The interval for n = 1 or zero variance, or None when the data are not degenerate."""
    mean = float(v.mean())
    if len(v) == 1:
        return Interval(mean, float("nan"), float("nan"), method, confidence, 1, n_resamples)
    if np.all(v == v[0]):
        value = float(v[0])  # exact: the mean of equal floats can be off by rounding
        return Interval(value, value, value, method, confidence, len(v), n_resamples)
    return None


def t_ci(values, confidence: float = 0.95) -> Interval:
    """Student-t interval ``mean ± t_{(1+c)/2, n-1} * s / sqrt(n)`` (s: sample SD, ddof=1).

    Equals ``scipy.stats.t.interval(confidence, n - 1, loc=mean, scale=sem)``.
    """
    _check_confidence(confidence)
    v = _values(values)
    degenerate = _degenerate(v, "t", confidence, 0)
    if degenerate:
        return degenerate
    n, mean = len(v), float(v.mean())
    half = stats.t.ppf((1 + confidence) / 2, n - 1) * v.std(ddof=1) / np.sqrt(n)
    return Interval(mean, float(mean - half), float(mean + half), "t", confidence, n)


def bootstrap_distribution(values, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``n_resamples`` resamples with replacement: ``[n_resamples]``.

    Indices are drawn as ``rng.integers(0, n, (n_resamples, n))``, the same draw as
    ``scipy.stats.bootstrap``, so equal seeds give equal distributions.
    """
    v = np.asarray(values, dtype=float)
    idx = rng.integers(0, len(v), (n_resamples, len(v)))
    return v[idx].mean(axis=-1)


def _bca_levels(v: np.ndarray, boot: np.ndarray, alpha: float) -> tuple[float, float]:
    """BCa-adjusted quantile levels (Efron & Tibshirani 1993, eq. 14.10 and 14.15)."""
    theta = v.mean()
    z0 = special.ndtri(((boot < theta).sum() + (boot <= theta).sum()) / (2 * len(boot)))
    jack = (v.sum() - v) / (len(v) - 1)  # leave-one-out means
    u = (len(v) - 1) * (jack.mean() - jack)
    n = float(len(v))
    a = (np.sum(u**3) / n**3) / (6 * (np.sum(u**2) / n**2) ** 1.5)
    z_alpha = float(special.ndtri(alpha))
    low, high = (float(special.ndtr(z0 + (z0 + z) / (1 - a * (z0 + z)))) for z in (z_alpha, -z_alpha))
    return low, high


def bootstrap_ci(
    values, confidence: float = 0.95, method: str = "percentile", n_resamples: int = 9999, seed=None
) -> Interval:
    """Bootstrap interval of the mean of ``values`` ``[n]``.

    method: "percentile" (quantiles of the bootstrap means) or "bca" (bias-corrected and
    accelerated: quantile levels shifted by the bootstrap median bias z0 and the jackknife
    acceleration a). seed: int, None or a ``numpy.random.Generator`` (never the global RNG).
    With the same seed this reproduces ``scipy.stats.bootstrap(..., method=method, rng=seed)``
    exactly (same index draw, same linear quantiles).
    """
    _check_confidence(confidence)
    if method not in BOOTSTRAP_METHODS:
        raise ValueError(f"method must be one of {BOOTSTRAP_METHODS}; got {method!r}")
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be positive; got {n_resamples}")
    v = _values(values)
    degenerate = _degenerate(v, method, confidence, n_resamples)
    if degenerate:
        return degenerate
    boot = bootstrap_distribution(v, n_resamples, as_generator(seed))
    alpha = (1 - confidence) / 2
    levels = _bca_levels(v, boot, alpha) if method == "bca" else (alpha, 1 - alpha)
    low, high = np.quantile(boot, levels)
    return Interval(float(v.mean()), float(low), float(high), method, confidence, len(v), n_resamples)
