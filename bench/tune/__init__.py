"""Hyper-parameter tuning with Optuna: `bench tune` (see docs/tuning.md).

run_tune(config, TuneOptions(pooler=..., trials=..., out=...)) -> (out, best params)
simplex_point(u1, u2) -> (alpha, beta, gamma)
load_space(path=None) -> Space
"""

from bench.tune.driver import TuneOptions, run_tune
from bench.tune.space import Space, load_space, simplex_point

__all__ = ["Space", "TuneOptions", "load_space", "run_tune", "simplex_point"]
