"""CCC against a slow textbook formula; MAE against scikit-learn."""

import math

import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error

from bench.stats import ccc, mae


def slow_ccc(t, p):
    n = len(t)
    mt, mp = sum(t) / n, sum(p) / n
    vt = sum((x - mt) ** 2 for x in t) / n
    vp = sum((y - mp) ** 2 for y in p) / n
    cov = sum((x - mt) * (y - mp) for x, y in zip(t, p)) / n
    return 2 * cov / (vt + vp + (mt - mp) ** 2)


@pytest.mark.parametrize("seed", range(5))
def test_ccc_and_mae_on_random_inputs(seed):
    rng = np.random.default_rng(seed)
    t = rng.uniform(1, 5, 100)
    p = 0.6 * t + rng.normal(0.5, 0.5, 100)
    assert ccc(t, p) == pytest.approx(slow_ccc(list(t), list(p)), abs=1e-12)
    assert mae(t, p) == pytest.approx(mean_absolute_error(t, p), abs=1e-12)


def test_ccc_edge_cases():
    t = np.array([1.0, 2.0, 3.0, np.nan])
    assert ccc(t, t) == pytest.approx(1.0)  # NaN pair dropped
    assert ccc(t[:3], -t[:3] + 4) == pytest.approx(-1.0)
    assert math.isnan(ccc([2.0, 2.0], [2.0, 2.0]))  # 0 / 0
    assert math.isnan(ccc([np.nan], [1.0])) and math.isnan(mae([np.nan], [1.0]))
