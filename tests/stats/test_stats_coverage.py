"""The default interval holds its coverage at the fold counts SER uses; the percentile bootstrap does not."""

import numpy as np
import pytest

from bench.report.intervals import CISettings
from bench.stats import bootstrap_ci, t_ci
from bench.stats.coverage import BetaFoldScores, coverage

REPS = 4000  # binomial SE of a 0.95 coverage: 0.0034


def test_default_interval_covers_at_ten_folds():
    settings = CISettings()  # what `bench report` uses unless told otherwise
    result = coverage(settings.interval, BetaFoldScores(0.65, 0.06), n=10, reps=REPS, rng=np.random.default_rng(0))
    assert 0.93 <= result.coverage <= 0.97
    assert settings.kind == "t"


def test_percentile_bootstrap_undercovers_at_eight_folds():
    """The reason for the default: the same simulation shows the percentile bootstrap too narrow."""
    sampler, rng = BetaFoldScores(0.65, 0.06), np.random.default_rng(1)
    boot = coverage(lambda v: bootstrap_ci(v, n_resamples=400, seed=rng), sampler, n=8, reps=1500, rng=rng)
    t = coverage(t_ci, sampler, n=8, reps=1500, rng=np.random.default_rng(1))
    assert boot.coverage < 0.92 < t.coverage
    assert boot.mean_width < t.mean_width


def test_coverage_counts_against_a_slow_loop():
    sampler = BetaFoldScores(0.5, 0.1)
    result = coverage(t_ci, sampler, n=5, reps=200, rng=np.random.default_rng(3))
    studies = sampler(np.random.default_rng(3), (200, 5))
    hits = sum(1 for v in studies if t_ci(v).low <= 0.5 <= t_ci(v).high)
    assert result.coverage == pytest.approx(hits / 200)
    assert BetaFoldScores(0.65, 0.06)(np.random.default_rng(0), 200000).std() == pytest.approx(0.06, rel=0.02)
