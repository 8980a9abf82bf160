"""Coverage of an interval method: how often it contains the true mean, by simulation.

    coverage(interval, sampler, n, reps, rng) -> CoverageResult

``sampler(rng, shape)`` draws fold scores ``[reps, n]`` from a distribution whose mean is
``sampler.mean``; ``interval(values [n]) -> Interval``. Used by benchmarks/interval_coverage.py
(the table in docs/report.md) and by the test that pins the default interval's coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from bench.stats.intervals import Interval


@dataclass(frozen=True)
class BetaFoldScores:
    """Per-fold accuracies as Beta draws with the given mean and SD: bounded in (0, 1) and a little skewed,
    like the UA of one held-out speaker (e.g. mean 0.65, SD 0.06 across speakers)."""

    mean: float = 0.65
    sd: float = 0.06

    def __call__(self, rng: np.random.Generator, shape) -> np.ndarray:
        concentration = self.mean * (1 - self.mean) / self.sd**2 - 1
        return rng.beta(self.mean * concentration, (1 - self.mean) * concentration, size=shape)


@dataclass(frozen=True)
class CoverageResult:
    """coverage: share of simulated studies whose interval holds the true mean; se: its binomial
    standard error; mean_width: average interval width; n: folds per study; reps: studies."""

    coverage: float
    se: float
    mean_width: float
    n: int
    reps: int


def coverage(
    interval: Callable[[np.ndarray], Interval], sampler, n: int, reps: int, rng: np.random.Generator
) -> CoverageResult:
    """Simulate ``reps`` studies of ``n`` folds each and count the intervals that hold ``sampler.mean``."""
    studies = sampler(rng, (reps, n))
    hits, widths = 0, 0.0
    for values in studies:
        iv = interval(values)
        hits += bool(iv.low <= sampler.mean <= iv.high)
        widths += iv.high - iv.low
    share = hits / reps
    return CoverageResult(share, float(np.sqrt(share * (1 - share) / reps)), widths / reps, n, reps)
