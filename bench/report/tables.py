"""The display forms of the report's tables (strings, percent) built from the numeric ones."""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np
import pandas as pd

from bench.report.metric_specs import header, metric_spec


def _fmt(value, digits: int = 2) -> str:
    return "–" if value is None or pd.isna(value) else f"{value:.{digits}f}"


def _mean_ci(mean, low, high, digits: int = 2) -> str:
    if pd.isna(mean):
        return "–"
    return f"{mean:.{digits}f} (n/a)" if pd.isna(low) else f"{mean:.{digits}f} ({low:.{digits}f}, {high:.{digits}f})"


def performance_display(
    summary: pd.DataFrame, metrics: Sequence[str], level: str = "95% CI", training: Callable[[str], str] | None = None
) -> pd.DataFrame:
    """Tables 1 and 3 of the SAP paper: Method | folds | UA (%) mean (95% CI) | WA (%) ... and, with
    ``training`` (cell -> status text, e.g. ``TrainingCheck.status``), a Training column."""
    out = pd.DataFrame({"Method": summary["cell"], "Folds": summary["n_folds"].astype(int)})
    for m in metrics:
        out[f"{header(metric_spec(m))} mean ({level})"] = [
            _mean_ci(a, b, c, metric_spec(m).digits)
            for a, b, c in zip(summary[f"{m}_mean"], summary[f"{m}_low"], summary[f"{m}_high"])
        ]
    if training is not None:
        out["Training"] = [training(c) for c in summary["cell"]]
    return out


def _p(value) -> str:
    if pd.isna(value):
        return "–"
    return f"{value:.2g}" if value < 0.001 else f"{value:.3f}"


def comparison_display(
    table: pd.DataFrame, metric: str, level: str = "95% CI", under_trained: Sequence[str] = ()
) -> pd.DataFrame:
    """Relative-improvement table: difference in points, relative %, raw and Holm p-values.
    Cells named in ``under_trained`` (method or baseline) carry "(under-trained)" after their name."""
    mark = lambda cell: f"{cell} (under-trained)" if cell in under_trained else cell  # noqa: E731
    spec = metric_spec(metric)
    unit = "pts" if spec.unit == "%" else spec.label
    rows, k = [], spec.digits
    for r in table.to_dict("records"):
        rows.append(
            {
                "Method": mark(r["cell"]),
                "Baseline": mark(r["baseline"]),
                "Folds": int(r["n_folds"]),
                f"{header(spec)} mean": _fmt(r.get("mean"), k),
                "Baseline mean": _fmt(r.get("baseline_mean"), k),
                f"Δ ({unit}) ({level})": _mean_ci(
                    r.get("diff_points", np.nan), r.get("diff_low", np.nan), r.get("diff_high", np.nan), k
                ),
                "Relative (%)": "–" if pd.isna(r.get("relative_pct")) else f"{r['relative_pct']:+.2f}",
                "p (sign-flip)": _p(r.get("p_sign_flip")),
                "p (Holm)": _p(r.get("p_holm")),
            }
        )
    return pd.DataFrame(rows)


def per_class_display(table: pd.DataFrame, classes: Sequence[str]) -> pd.DataFrame:
    """Method | <class> recall mean (CI) ... from ``per_class_table``."""
    out = pd.DataFrame({"Method": table["cell"]})
    for c in classes:
        out[f"{c} (%)"] = [
            _mean_ci(a, b, d) for a, b, d in zip(table[f"{c}_mean"], table[f"{c}_low"], table[f"{c}_high"])
        ]
    return out
