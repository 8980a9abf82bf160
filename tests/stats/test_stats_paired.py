"""Sign-flip permutation test against enumeration and scipy; paired bootstrap; Holm by hand."""

import itertools

import numpy as np
import pytest
from scipy import stats

from bench.stats import bootstrap_ci, holm, paired_bootstrap_ci, sign_flip_test


def slow_sign_flip_p(d):
    observed = abs(sum(d) / len(d))
    hits = total = 0
    for signs in itertools.product([1, -1], repeat=len(d)):
        total += 1
        hits += abs(sum(s * x for s, x in zip(signs, d)) / len(d)) >= observed - 1e-12
    return hits / total


@pytest.mark.parametrize("seed", range(4))
def test_exact_matches_enumeration_and_scipy(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(0.74, 0.03, 9), rng.normal(0.72, 0.03, 9)
    result = sign_flip_test(a, b)
    assert result.exact and result.n_permutations == 2**9
    assert result.pvalue == pytest.approx(slow_sign_flip_p(list(a - b)), abs=1e-12)
    ref = stats.permutation_test((a - b,), np.mean, permutation_type="samples", n_resamples=np.inf, vectorized=True)
    assert result.pvalue == pytest.approx(ref.pvalue, abs=1e-12)


def test_monte_carlo_close_to_scipy_for_many_folds():
    rng = np.random.default_rng(5)
    d = rng.normal(0.004, 0.02, 30)
    ours = sign_flip_test(d, n_resamples=4000, seed=0)
    ref = stats.permutation_test(
        (d,), np.mean, permutation_type="samples", n_resamples=4000, vectorized=True, rng=np.random.default_rng(1)
    )
    assert not ours.exact and ours.n_permutations == 4000
    assert abs(ours.pvalue - ref.pvalue) < 4 * np.sqrt(ref.pvalue * (1 - ref.pvalue) / 4000) + 0.01


def test_smallest_exact_p_and_null_difference():
    assert sign_flip_test(np.full(5, 0.01)).pvalue == pytest.approx(2 / 32)
    assert sign_flip_test(np.zeros(5)).pvalue == 1.0


def test_paired_bootstrap_is_bootstrap_of_differences():
    rng = np.random.default_rng(2)
    a, b = rng.normal(0.7, 0.02, 8), rng.normal(0.69, 0.02, 8)
    assert paired_bootstrap_ci(a, b, n_resamples=300, seed=4) == bootstrap_ci(a - b, n_resamples=300, seed=4)


def test_holm_against_hand_computation():
    p = [0.01, 0.04, 0.03, np.nan, 0.20]
    # sorted finite: 0.01, 0.03, 0.04, 0.20 (m = 4) -> 4*0.01, 3*0.03, 2*0.04 -> max so far, 1*0.20
    expected = [0.04, 0.09, 0.09, np.nan, 0.20]
    np.testing.assert_allclose(holm(p), expected)
    np.testing.assert_allclose(holm([0.5, 0.6]), [1.0, 1.0])  # capped at 1
    assert holm([]).shape == (0,)
