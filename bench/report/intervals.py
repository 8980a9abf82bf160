"""Which confidence interval a report uses, and the words that describe it in captions."""

from __future__ import annotations

from dataclasses import dataclass

from bench.stats import Interval, bootstrap_ci, t_ci

CI_KINDS = ("t", "bootstrap")
# Below this many folds a bootstrap caption warns: the percentile bootstrap covers the mean clearly less
# than its nominal level there (benchmarks/interval_coverage.py: 0.88 at 8 folds, 0.90 at 10, 0.93 at 30).
WARN_BELOW_FOLDS = 30


@dataclass(frozen=True)
class CISettings:
    """kind: "t" (default: Student t over folds, which holds its coverage at every fold count SER
    uses; docs/report.md) or "bootstrap"; bootstrap_method: "percentile" (default) or "bca";
    seed: every cell's bootstrap starts from this seed (common random numbers, reproducible)."""

    kind: str = "t"
    bootstrap_method: str = "percentile"
    confidence: float = 0.95
    n_resamples: int = 9999
    seed: int = 0

    def __post_init__(self):
        if self.kind not in CI_KINDS:
            raise ValueError(f"ci must be one of {CI_KINDS}; got {self.kind!r}")

    def interval(self, values) -> Interval:
        """The interval of the mean of ``values`` ``[n]`` under these settings."""
        if self.kind == "t":
            return t_ci(values, self.confidence)
        return bootstrap_ci(values, self.confidence, self.bootstrap_method, self.n_resamples, self.seed)

    @property
    def method_words(self) -> str:
        """E.g. "95% percentile bootstrap CI (9999 resamples)" or "95% Student-t CI"."""
        level = f"{100 * self.confidence:g}%"
        if self.kind == "t":
            return f"{level} Student-t CI"
        name = "BCa" if self.bootstrap_method == "bca" else self.bootstrap_method
        return f"{level} {name} bootstrap CI ({self.n_resamples} resamples)"

    def describe(self, fold_counts) -> str:
        """Caption text: method, and over what, e.g. "... over 10 folds (seeds averaged within fold)"."""
        counts = sorted({int(c) for c in fold_counts})
        over = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
        text = f"{self.method_words} over {over} folds (seeds averaged within fold)"
        if counts and counts[0] < WARN_BELOW_FOLDS and self.kind == "bootstrap":
            text += (
                f"; with fewer than {WARN_BELOW_FOLDS} folds bootstrap intervals cover the mean less often than "
                "stated (docs/report.md), see --ci t"
            )
        return text
