"""Paired comparisons over folds: bootstrap CI of the mean difference, sign-flip permutation test.

Inputs are per-fold scores of two systems on the same folds, ``a`` and ``b`` ``[n]``, or their
differences ``d = a - b`` ``[n]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.stats.intervals import Interval, as_generator, bootstrap_ci

EXACT_MAX_N = 16  # 2**16 = 65536 sign patterns: enumerating them is cheaper than sampling


@dataclass(frozen=True)
class PermutationResult:
    """statistic: mean difference; pvalue: two-sided; exact: all 2^n sign patterns enumerated
    (else Monte Carlo); n_permutations: patterns used; n: number of pairs."""

    statistic: float
    pvalue: float
    exact: bool
    n_permutations: int
    n: int


def _differences(a, b=None) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    d = a if b is None else a - np.asarray(b, dtype=float)
    if d.ndim != 1 or len(d) == 0:
        raise ValueError(f"paired scores must be non-empty 1-D arrays of equal length; got shape {d.shape}")
    if np.isnan(d).any():
        raise ValueError("paired scores contain NaN; keep only folds scored by both systems")
    return d


def paired_bootstrap_ci(
    a, b, confidence: float = 0.95, method: str = "percentile", n_resamples: int = 9999, seed=None
) -> Interval:
    """Bootstrap CI of mean(a - b), resampling folds (pairs stay together)."""
    return bootstrap_ci(_differences(a, b), confidence, method, n_resamples, seed)


def _all_signs(n: int) -> np.ndarray:
    """Every sign pattern ``[2^n, n]`` of +1/-1 (row k = binary digits of k)."""
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    return 1 - 2 * bits


def sign_flip_test(a, b=None, n_resamples: int = 9999, seed=None, exact_max_n: int = EXACT_MAX_N) -> PermutationResult:
    """Two-sided paired permutation test of H0: the differences are symmetric about 0.

    Statistic: mean difference. Under H0 each difference keeps or flips its sign with equal
    probability. For n <= exact_max_n all 2^n patterns are enumerated and
    p = #{|mean(s * d)| >= |mean(d)|} / 2^n (exact; the smallest possible p is 2 / 2^n).
    Otherwise ``n_resamples`` random patterns from ``seed`` give p = (count + 1) / (n_resamples + 1).
    Pass ``a`` and ``b`` (per-fold scores) or the differences alone as ``a``.
    """
    d = _differences(a, b)
    n, observed = len(d), float(d.mean())
    exact = n <= exact_max_n
    if exact:
        signs = _all_signs(n)
    else:
        signs = 1 - 2 * as_generator(seed).integers(0, 2, (n_resamples, n))
    null = (signs * d).mean(axis=1)
    tolerance = 100 * np.finfo(float).eps * abs(observed)  # ties up to rounding count as extreme
    count = int(np.sum(np.abs(null) >= abs(observed) - tolerance))
    pvalue = count / len(null) if exact else (count + 1) / (n_resamples + 1)
    return PermutationResult(observed, min(float(pvalue), 1.0), exact, len(null), n)
