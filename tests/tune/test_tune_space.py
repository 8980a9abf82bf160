"""The loss-weight simplex parametrisation and the search-space file."""

import numpy as np
import pytest

from bench.errors import BenchError
from bench.tune.space import load_space, simplex_point


@pytest.mark.parametrize(
    "u1,u2", [(0.0, 0.0), (0.0, 0.7), (0.3, 0.4), (0.999, 0.001), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0)]
)
def test_simplex_points_sum_to_one_and_lie_in_unit_interval(u1, u2):
    point = simplex_point(u1, u2)
    assert sum(point) == pytest.approx(1.0, abs=1e-12)
    assert all(0.0 <= w <= 1.0 for w in point)


def test_simplex_corners_are_reachable():
    assert simplex_point(0.0, 0.5) == pytest.approx((1.0, 0.0, 0.0))
    assert simplex_point(1.0, 0.0) == pytest.approx((0.0, 1.0, 0.0))
    assert simplex_point(1.0, 1.0) == pytest.approx((0.0, 0.0, 1.0))
    assert simplex_point(1 - 1e-12, 0.0)[1] == pytest.approx(1.0)


def test_simplex_is_uniform_for_uniform_inputs():
    rng = np.random.default_rng(0)
    points = np.array([simplex_point(a, b) for a, b in rng.random((20000, 2))])
    # Dirichlet(1, 1, 1): each mean 1/3, each variance 1/18, P(alpha < 1/2) = 3/4
    assert points.mean(axis=0) == pytest.approx([1 / 3] * 3, abs=0.01)
    assert points.var(axis=0) == pytest.approx([1 / 18] * 3, abs=0.004)
    assert (points[:, 0] < 0.5).mean() == pytest.approx(0.75, abs=0.015)
    with pytest.raises(ValueError):
        simplex_point(1.5, 0.0)


def test_default_space_and_pooler_specific_entries():
    space = load_space()
    assert space.loss_weights and "lr" in space.params
    assert "pooler.heads" in space.active_params("sap", 768)
    assert space.active_params("sap", 40)["pooler.heads"]["choices"] == [1, 2, 4, 8]
    assert space.active_params("sap", 6)["pooler.heads"]["choices"] == [1, 2]  # only divisors of D
    assert "pooler.heads" not in space.active_params("gap", 768)  # gap has no heads


@pytest.mark.parametrize(
    "text,message",
    [
        ("params:\n  alpha: {type: float, low: 0, high: 1}\n", "simplex"),
        ("params:\n  vad.aggressiveness: {type: int, low: 0, high: 3}\n", "cannot be tuned"),
        ("params:\n  bogus: {type: float, low: 0, high: 1}\n", "unknown parameter"),
        ("params:\n  lr: {type: float, low: 1, high: 0}\n", "low < high"),
        ("params:\n  proj_dim: {type: categorical}\n", "choices"),
        ("other: 1\n", "loss_weights"),
    ],
)
def test_bad_space_files_say_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "space.yaml"
    path.write_text(text)
    with pytest.raises(BenchError, match=message):
        load_space(path)
