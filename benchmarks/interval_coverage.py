"""Coverage of 95% intervals of a mean over folds: Student t against the percentile and BCa bootstraps.

    .venv/bin/python benchmarks/interval_coverage.py                     # 8, 10, 40 folds, 2000 studies each
    .venv/bin/python benchmarks/interval_coverage.py --folds 5 8 10 30 40 --reps 4000 --resamples 1999

Each simulated study draws one UA per fold from a Beta distribution (mean 0.65, SD 0.06 across
held-out speakers: bounded and slightly skewed, like real per-speaker accuracies), computes each
interval, and checks whether it holds the true mean 0.65. Coverage is the share of studies that
do; ``se`` its binomial standard error. The interval functions are those `bench report` uses
(``bench.stats``), simulated by ``bench.stats.coverage``. Results: docs/report.md.
"""

from __future__ import annotations

import argparse

import numpy as np

from bench.stats import bootstrap_ci, t_ci
from bench.stats.coverage import BetaFoldScores, coverage


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, nargs="+", default=[8, 10, 40])
    parser.add_argument("--reps", type=int, default=2000, help="simulated studies per fold count")
    parser.add_argument("--resamples", type=int, default=1999, help="bootstrap resamples per interval")
    parser.add_argument("--mean", type=float, default=0.65)
    parser.add_argument("--sd", type=float, default=0.06)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sampler = BetaFoldScores(args.mean, args.sd)
    methods = {
        "student-t": lambda rng: t_ci,
        "percentile bootstrap": lambda rng: lambda v: bootstrap_ci(v, 0.95, "percentile", args.resamples, rng),
        "BCa bootstrap": lambda rng: lambda v: bootstrap_ci(v, 0.95, "bca", args.resamples, rng),
    }
    print(
        f"95% intervals of the mean, fold UA ~ Beta(mean {args.mean}, SD {args.sd}), {args.reps} studies per cell, "
        f"{args.resamples} bootstrap resamples, seed {args.seed}"
    )
    print(f"{'folds':>5}  " + "  ".join(f"{name:>22}" for name in methods))
    for n in args.folds:
        cells = []
        for make in methods.values():
            rng = np.random.default_rng([args.seed, n])  # the same studies for every method
            result = coverage(make(np.random.default_rng([args.seed, n, 1])), sampler, n, args.reps, rng)
            cells.append(f"{result.coverage:.3f} ± {result.se:.3f} (w {100 * result.mean_width:.1f})")
        print(f"{n:>5}  " + "  ".join(f"{c:>22}" for c in cells))
    print("coverage ± binomial SE; w: mean interval width in UA points")


if __name__ == "__main__":
    main()
