"""Comparisons of each grid cell against a baseline cell, paired over folds.

For a metric, each cell is compared with its baseline on the folds both finished:
difference of means in points, relative improvement in percent of the baseline, a paired
bootstrap CI of the mean difference, a sign-flip permutation test, and Holm's correction
across the comparisons of that table (one table per metric).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.errors import BenchError
from bench.report.aggregate import cell_order, finished, fold_scores
from bench.report.intervals import CISettings
from bench.report.metric_specs import metric_spec
from bench.stats import holm, paired_bootstrap_ci, sign_flip_test, t_ci
from bench.train.probes import is_probe

# results.csv columns that do not describe a grid cell
NON_DESCRIPTORS = {
    "job",
    "cell",
    "fold",
    "test_speaker",
    "seed",
    "ua",
    "wa",
    "macro_f1",
    "valence_ccc",
    "arousal_ccc",
    "valence_mae",
    "arousal_mae",
    "n_test",
    "epochs",
    "best_epoch",
    "seconds",
    "status",
    "error",
    "train_ua",
    "train_loss",
    "max_epochs",
    "steps",
    "still_improving",
    "probe_C",
}


def cell_descriptors(results: pd.DataFrame) -> pd.DataFrame:
    """One row per cell (index: cell) with the columns that define it: backbone, vad, pooler, ...
    (the columns not in NON_DESCRIPTORS that hold one value within every cell; a per-job outcome
    the record format gains later is not mistaken for a setting)."""
    results = results.assign(cell=results["cell"].astype(str))
    candidates = [c for c in results.columns if c not in NON_DESCRIPTORS]
    varying = results.groupby("cell")[candidates].nunique(dropna=False).max()
    cols = [c for c in candidates if varying.get(c, 1) <= 1]
    return results.drop_duplicates("cell").set_index("cell")[cols]


def _same(a, b) -> bool:
    """Equal descriptor values; a missing value (a hyper-parameter the other pooler lacks) matches."""
    return pd.isna(a) or pd.isna(b) or str(a) == str(b)


def _baseline_by_pooler(desc: pd.DataFrame, cell: str, pooler: str) -> str | None:
    """The cell with pooler ``pooler`` and every other descriptor equal (VAD relaxed if needed)."""
    candidates = desc[desc["pooler"].astype(str) == pooler]
    others = [c for c in desc.columns if c != "pooler"]
    for ignore in ((), ("vad",)):
        keys = [c for c in others if c not in ignore]
        matches = [b for b in candidates.index if all(_same(desc.at[cell, k], candidates.at[b, k]) for k in keys)]
        if matches:
            return matches[0]
    return None


def baseline_map(results: pd.DataFrame, baseline: str = "gap") -> dict[str, str | None]:
    """For each cell, the name of its baseline cell (None when there is none).

    ``baseline`` names a cell (used for every cell) or a pooler (each cell is compared with the
    cell of that pooler whose other descriptors are equal). The baseline cells themselves map
    to None.
    """
    ok = finished(results)
    cells = cell_order(ok)
    if baseline in cells:
        return {c: (None if c == baseline else baseline) for c in cells}
    desc = cell_descriptors(ok)
    if "pooler" not in desc.columns or baseline not in set(desc["pooler"].astype(str)):
        poolers = sorted(set(desc["pooler"].astype(str))) if "pooler" in desc.columns else []
        raise BenchError(
            f"baseline {baseline!r} is neither a cell nor a pooler of this run; "
            f"poolers: {', '.join(poolers) or 'none'}; cells: {', '.join(cells)}"
        )
    # probe cells are reference rows (bench.report.convergence), compared only when named as the baseline
    skip = {
        c
        for c in cells
        if str(desc.at[c, "pooler"]) == baseline or (is_probe(str(desc.at[c, "pooler"])) and not is_probe(baseline))
    }
    return {c: (None if c in skip else _baseline_by_pooler(desc, c, baseline)) for c in cells}


def _compare(a: np.ndarray, b: np.ndarray, settings: CISettings, scale: float) -> dict:
    """Numbers of one paired comparison; a, b: per-fold scores ``[n]`` on shared folds."""
    if settings.kind == "t":
        iv = t_ci(a - b, settings.confidence)
    else:
        iv = paired_bootstrap_ci(
            a, b, settings.confidence, settings.bootstrap_method, settings.n_resamples, settings.seed
        )
    test = sign_flip_test(a, b, n_resamples=settings.n_resamples, seed=settings.seed)
    base_mean = b.mean()
    return {
        "n_folds": len(a),
        "mean": a.mean() * scale,
        "baseline_mean": base_mean * scale,
        "diff_points": (a.mean() - base_mean) * scale,
        "diff_low": iv.low * scale,
        "diff_high": iv.high * scale,
        "relative_pct": 100 * (a.mean() - base_mean) / abs(base_mean) if base_mean != 0 else float("nan"),
        "p_sign_flip": test.pvalue,
        "exact": test.exact,
    }


def comparison_table(
    results: pd.DataFrame, metric: str = "ua", baseline: str = "gap", settings: CISettings | None = None
) -> pd.DataFrame:
    """One row per (cell, its baseline) for ``metric``.

    Columns: cell, baseline, n_folds (shared folds), mean, baseline_mean, diff_points
    (cell − baseline, in the metric's display unit: percentage points for accuracies),
    diff_low, diff_high (paired CI of the mean difference), relative_pct (100 × difference /
    baseline mean: percent, not points), p_sign_flip (two-sided), exact (enumerated or
    Monte Carlo), p_holm (Holm-adjusted across the rows of this table).
    """
    settings = settings or CISettings()
    spec = metric_spec(metric)
    scores = fold_scores(results, spec.column)
    pairs = {
        cell: scores[[cell, base]].dropna()
        for cell, base in baseline_map(results, baseline).items()
        if base is not None
    }
    rows = []
    for cell, pair in pairs.items():
        base = pair.columns[1]
        row = {"cell": cell, "baseline": base}
        if len(pair) == 0:
            row.update({"n_folds": 0, "p_sign_flip": float("nan")})
        else:
            row.update(_compare(pair[cell].to_numpy(), pair[base].to_numpy(), settings, spec.scale))
        rows.append(row)
    table = pd.DataFrame(
        rows,
        columns=[
            "cell",
            "baseline",
            "n_folds",
            "mean",
            "baseline_mean",
            "diff_points",
            "diff_low",
            "diff_high",
            "relative_pct",
            "p_sign_flip",
            "exact",
        ],
    )
    table["p_holm"] = holm(table["p_sign_flip"].to_numpy(dtype=float)) if len(table) else []
    table.attrs["caption"] = _caption(spec, settings, table)
    return table


def _caption(spec, settings: CISettings, table: pd.DataFrame) -> str:
    unit = "percentage points" if spec.unit == "%" else spec.label + " units"
    if table.get("exact", pd.Series(dtype=bool)).all():
        n_min = int(table["n_folds"].min()) if len(table) else 0
        kind = f"exact (all 2^n sign patterns; with n = {n_min} folds the smallest possible p is {2 / 2**n_min:.2g})"
    else:
        kind = f"exact for n <= 16, else Monte Carlo with {settings.n_resamples} patterns"
    direction = "" if spec.higher_is_better else " (lower is better: a negative Δ is an improvement)"
    return (
        f"{spec.label}{direction}: each cell minus its baseline over the folds both finished (seeds averaged within fold). "
        f"Δ in {unit} with its paired {settings.method_words}; relative improvement = 100 × Δ / baseline mean (%). "
        f"p: two-sided paired sign-flip permutation test of the mean difference, {kind}; "
        f"p (Holm): Holm–Bonferroni adjusted across the {len(table)} comparisons of this table."
    )
