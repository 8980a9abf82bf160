"""Recall per emotion class: per job from its test predictions, seeds averaged within each fold, then
the mean and interval over folds (the report's interval method).

    per_class_table(predictions, classes, settings) -> DataFrame
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from bench.report.intervals import CISettings
from bench.stats import per_class_recall


def fold_recalls(predictions: pd.DataFrame, classes: Sequence[str]) -> pd.DataFrame:
    """``[cell, fold] x classes``: recall of each class per fold (mean over the fold's seeds; NaN
    where the fold's test set has no utterance of the class)."""
    rows = []
    for (cell, fold, seed), part in predictions.groupby(["cell", "fold", "seed"], sort=False):
        recall = per_class_recall(
            part["true"].astype(str).to_numpy(), part["pred"].astype(str).to_numpy(), labels=list(classes)
        )
        rows.append({"cell": str(cell), "fold": fold, "seed": seed, **{c: recall.get(c, np.nan) for c in classes}})
    table = pd.DataFrame(rows)
    return table.groupby(["cell", "fold"], sort=False)[list(classes)].mean()


def per_class_table(predictions: pd.DataFrame, classes: Sequence[str], settings: CISettings) -> pd.DataFrame:
    """One row per cell: ``cell``, then per class ``<class>_mean, <class>_low, <class>_high, <class>_n``
    (percent; n: folds whose test set holds the class). A recall lies in [0, 100], so interval ends
    are clipped to that range (a t interval of a few coarse per-fold recalls can pass it).
    ``.attrs["settings"]``: the interval used."""
    recalls = fold_recalls(predictions, classes)
    rows = []
    for cell, part in recalls.groupby(level="cell", sort=False):
        row = {"cell": cell}
        for c in classes:
            values = part[c].dropna().to_numpy()
            iv = settings.interval(values) if len(values) else None
            low, high = (np.clip([iv.low, iv.high], 0, 1) * 100) if iv else (np.nan, np.nan)
            row.update(
                {
                    f"{c}_mean": 100 * iv.estimate if iv else np.nan,
                    f"{c}_low": low,
                    f"{c}_high": high,
                    f"{c}_n": len(values),
                }
            )
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs["settings"] = settings
    return table
