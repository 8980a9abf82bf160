"""The grid runner: `bench run` (see run.py for the order of work and resume rules)."""

from bench.runner.run import run_grid

__all__ = ["run_grid"]
