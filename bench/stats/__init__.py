"""Statistics for SER benchmarks: metrics, confidence intervals, paired tests, multiplicity.

Everything here works on plain NumPy arrays and knows nothing about run folders (that is
``bench.report``). Random numbers come from an explicit ``numpy.random.Generator`` (or a seed
that builds one), never from NumPy's global state.
"""

from bench.stats.classification import (
    confusion_matrix,
    macro_f1,
    per_class_recall,
    unweighted_accuracy,
    weighted_accuracy,
)
from bench.stats.intervals import Interval, bootstrap_ci, t_ci
from bench.stats.multiple import holm
from bench.stats.paired import PermutationResult, paired_bootstrap_ci, sign_flip_test
from bench.stats.regression import ccc, mae

__all__ = [
    "Interval",
    "PermutationResult",
    "bootstrap_ci",
    "ccc",
    "confusion_matrix",
    "holm",
    "macro_f1",
    "mae",
    "paired_bootstrap_ci",
    "per_class_recall",
    "sign_flip_test",
    "t_ci",
    "unweighted_accuracy",
    "weighted_accuracy",
]
