"""Bootstrap intervals against scipy.stats.bootstrap, t intervals against scipy.stats.t."""

import math

import numpy as np
import pytest
from scipy import stats

from bench.stats import bootstrap_ci, t_ci


@pytest.fixture
def folds():
    return np.random.default_rng(11).normal(0.72, 0.035, 10)  # 10 fold scores


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_bootstrap_equals_scipy_with_same_seed(folds, method):
    ours = bootstrap_ci(folds, 0.95, method, n_resamples=2000, seed=42)
    ref = stats.bootstrap((folds,), np.mean, method=method, n_resamples=2000, rng=np.random.default_rng(42))
    np.testing.assert_allclose([ours.low, ours.high], ref.confidence_interval, rtol=1e-12)
    assert ours.estimate == pytest.approx(folds.mean()) and ours.n == 10


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_bootstrap_agrees_with_scipy_across_seeds_within_monte_carlo_error(folds, method):
    ours = bootstrap_ci(folds, 0.9, method, n_resamples=4000, seed=1)
    ref = stats.bootstrap(
        (folds,), np.mean, method=method, confidence_level=0.9, n_resamples=4000, rng=np.random.default_rng(2)
    ).confidence_interval
    sd = folds.std(ddof=1) / np.sqrt(len(folds))
    assert abs(ours.low - ref.low) < 0.15 * sd and abs(ours.high - ref.high) < 0.15 * sd


def test_bootstrap_uses_no_global_rng(folds):
    np.random.seed(0)
    state = np.random.get_state()[1].copy()
    a = bootstrap_ci(folds, n_resamples=500, seed=3)
    assert np.array_equal(state, np.random.get_state()[1])
    gen = np.random.default_rng(3)
    assert bootstrap_ci(folds, n_resamples=500, seed=gen) == a


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_t_interval_equals_scipy(folds, confidence):
    iv = t_ci(folds, confidence)
    ref = stats.t.interval(confidence, len(folds) - 1, loc=folds.mean(), scale=stats.sem(folds))
    np.testing.assert_allclose([iv.low, iv.high], ref, rtol=1e-12)


def test_sap_paper_half_width_is_consistent_with_t_over_ten_folds():
    # Table 1, GAP UA: 73.87 (71.34, 76.39): symmetric, half-width 2.525 points over 10 folds.
    # A t interval needs a fold SD of 2.525 * sqrt(10) / t(0.975, 9); check the round trip.
    sd = 2.525 * np.sqrt(10) / stats.t.ppf(0.975, 9)
    values = 73.87 + sd * stats.zscore(np.arange(10.0), ddof=1)
    assert t_ci(values).half_width == pytest.approx(2.525, abs=1e-9)


@pytest.mark.parametrize(
    "make",
    [
        lambda v: t_ci(v),
        lambda v: bootstrap_ci(v, n_resamples=50, seed=0),
        lambda v: bootstrap_ci(v, method="bca", n_resamples=50, seed=0),
    ],
)
def test_degenerate_inputs(make):
    one = make([0.7])
    assert one.estimate == 0.7 and math.isnan(one.low) and math.isnan(one.high) and one.n == 1
    flat = make([0.7, 0.7, 0.7])
    assert (flat.low, flat.high) == (0.7, 0.7)


def test_bad_inputs():
    with pytest.raises(ValueError, match="NaN"):
        t_ci([0.5, np.nan])
    with pytest.raises(ValueError, match="method"):
        bootstrap_ci([0.1, 0.2], method="basic")
    with pytest.raises(ValueError, match="confidence"):
        t_ci([0.1, 0.2], confidence=95)
