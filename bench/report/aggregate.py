"""From results.csv rows to per-fold scores and per-cell means with confidence intervals."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from bench.report.intervals import CISettings
from bench.report.metric_specs import metric_spec


def finished(results: pd.DataFrame) -> pd.DataFrame:
    """Rows of finished jobs (all rows when there is no status column)."""
    return results[results["status"] == "ok"] if "status" in results.columns else results


def cell_order(results: pd.DataFrame) -> list[str]:
    """Grid cells in the order they first appear in results.csv."""
    return list(dict.fromkeys(results["cell"].astype(str)))


def fold_scores(results: pd.DataFrame, column: str) -> pd.DataFrame:
    """Per-fold scores ``[folds, cells]``: the mean over seeds of ``column`` within each fold.

    Only finished jobs count; a fold a cell has not finished is NaN in that cell's column.
    Values keep results.csv units (fractions for accuracies).
    """
    ok = finished(results)
    if column not in ok.columns:
        raise KeyError(f"results.csv has no column {column!r}")
    table = ok.assign(cell=ok["cell"].astype(str)).groupby(["fold", "cell"])[column].mean().unstack("cell")
    return table.reindex(columns=[c for c in cell_order(ok) if c in table.columns]).sort_index()


def summary_table(
    results_df: pd.DataFrame,
    ci: str = "t",
    metrics: Sequence[str] = ("ua", "wa"),
    confidence: float = 0.95,
    n_resamples: int = 9999,
    seed: int = 0,
    bootstrap_method: str = "percentile",
) -> pd.DataFrame:
    """Per-cell mean and CI over folds (seeds averaged within each fold first).

    results_df: results.csv as a DataFrame (failed rows are ignored). ci: "t" (Student t, the
    default) or "bootstrap".
    Returns one row per cell, columns ``cell, n_folds, n_jobs`` and for each metric m
    ``m_mean, m_low, m_high`` in display units (percent for ua, wa, macro_f1; raw for CCC, MAE).
    ``.attrs["caption"]`` states the metrics, the interval method and over how many folds;
    ``.attrs["intervals"]`` maps (cell, metric) to the ``bench.stats.Interval`` (raw units).
    """
    settings = CISettings(
        kind=ci, bootstrap_method=bootstrap_method, confidence=confidence, n_resamples=n_resamples, seed=seed
    )
    ok = finished(results_df)
    cells = cell_order(ok)
    rows = {
        c: {
            "cell": c,
            "n_folds": int(ok.loc[ok["cell"].astype(str) == c, "fold"].nunique()),
            "n_jobs": int((ok["cell"].astype(str) == c).sum()),
        }
        for c in cells
    }
    intervals = {}
    for name in metrics:
        spec = metric_spec(name)
        scores = fold_scores(ok, spec.column)
        for cell in cells:
            values = scores[cell].dropna().to_numpy() if cell in scores else []
            if len(values) == 0:
                rows[cell].update(
                    {f"{name}_mean": float("nan"), f"{name}_low": float("nan"), f"{name}_high": float("nan")}
                )
                continue
            iv = settings.interval(values)
            intervals[(cell, name)] = iv
            rows[cell].update(
                {
                    f"{name}_mean": iv.estimate * spec.scale,
                    f"{name}_low": iv.low * spec.scale,
                    f"{name}_high": iv.high * spec.scale,
                }
            )
    table = pd.DataFrame(list(rows.values()))
    labels = ", ".join(metric_spec(m).label for m in metrics)
    table.attrs["caption"] = f"{labels}: mean and {settings.describe(table['n_folds'])}"
    table.attrs["intervals"] = intervals
    table.attrs["settings"] = settings
    return table
