"""Which confidence interval a report uses, and the words that describe it in captions."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bench.stats import Interval, bootstrap_ci, t_ci

CI_KINDS = ("auto", "t", "bootstrap")
# Below this many folds the percentile bootstrap covers the mean clearly less than its nominal level
# (benchmarks/interval_coverage.py: 0.88 at 8 folds, 0.91 at 10) while Student t holds it.
T_BELOW_FOLDS = 30


@dataclass(frozen=True)
class CISettings:
    """kind: "auto" (default: Student t when the fewest folds of a table is below 30, else the
    bootstrap), "t" or "bootstrap"; bootstrap_method: "percentile" (default) or "bca";
    seed: every cell's bootstrap starts from this seed (common random numbers, reproducible)."""

    kind: str = "auto"
    bootstrap_method: str = "percentile"
    confidence: float = 0.95
    n_resamples: int = 9999
    seed: int = 0

    def __post_init__(self):
        if self.kind not in CI_KINDS:
            raise ValueError(f"ci must be one of {CI_KINDS}; got {self.kind!r}")

    def for_folds(self, fold_counts) -> "CISettings":
        """The settings one table uses: "auto" becomes "t" when its fewest folds is below
        ``T_BELOW_FOLDS`` (or unknown), else "bootstrap"; an explicit kind is kept."""
        if self.kind != "auto":
            return self
        counts = [int(c) for c in fold_counts]
        kind = "t" if not counts or min(counts) < T_BELOW_FOLDS else "bootstrap"
        return replace(self, kind=kind)

    def interval(self, values) -> Interval:
        """The interval of the mean of ``values`` ``[n]`` under these settings ("auto": by len(values))."""
        if self.kind == "auto":
            return self.for_folds([len(values)]).interval(values)
        if self.kind == "t":
            return t_ci(values, self.confidence)
        return bootstrap_ci(values, self.confidence, self.bootstrap_method, self.n_resamples, self.seed)

    @property
    def method_words(self) -> str:
        """E.g. "95% percentile bootstrap CI (9999 resamples)" or "95% Student-t CI"."""
        level = f"{100 * self.confidence:g}%"
        if self.kind == "auto":
            return f"{level} CI (Student t below {T_BELOW_FOLDS} folds, else bootstrap)"
        if self.kind == "t":
            return f"{level} Student-t CI"
        name = "BCa" if self.bootstrap_method == "bca" else self.bootstrap_method
        return f"{level} {name} bootstrap CI ({self.n_resamples} resamples)"

    def describe(self, fold_counts) -> str:
        """Caption text: method, and over what, e.g. "... over 10 folds (seeds averaged within fold)"."""
        counts = sorted({int(c) for c in fold_counts})
        over = f"{counts[0]}" if len(counts) == 1 else f"{counts[0]}–{counts[-1]}"
        text = f"{self.method_words} over {over} folds (seeds averaged within fold)"
        if counts and counts[0] < T_BELOW_FOLDS and self.kind == "bootstrap":
            text += (f"; with fewer than {T_BELOW_FOLDS} folds bootstrap intervals cover the mean less often than "
                     "stated (docs/report.md), see --ci t")
        return text

