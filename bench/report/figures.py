"""Figures of a report (matplotlib, Agg backend): each function writes ``<stem>.png`` and
``<stem>.pdf`` under ``folder`` and returns the PNG path (None when there is nothing to draw)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bench.stats import confusion_matrix  # noqa: E402


def slug(text: str) -> str:
    """A file-name-safe form of a cell name: ``fbank|webrtc|sr`` -> ``fbank_webrtc_sr``."""
    return re.sub(r"[^A-Za-z0-9.=-]+", "_", text).strip("_")


def _save(fig, folder: Path, stem: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / f"{stem}.png"
    fig.savefig(png, dpi=150, bbox_inches="tight")
    fig.savefig(folder / f"{stem}.pdf", bbox_inches="tight")
    plt.close(fig)
    return png


def confusion_figure(y_true, y_pred, labels: Sequence[str], title: str, folder: Path, stem: str) -> Path:
    """Row-normalised confusion matrix ``[C, C]`` (rows: true class, sum to 100%), as the
    SAP paper's Figure 2; each cell shows the percentage."""
    matrix = confusion_matrix(y_true, y_pred, labels=labels, normalize="true") * 100
    fig, ax = plt.subplots(figsize=(1.1 * len(labels) + 2, 1.1 * len(labels) + 1.5))
    ax.imshow(np.nan_to_num(matrix), cmap="Blues", vmin=0, vmax=100)
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, "–" if np.isnan(value) else f"{value:.1f}", ha="center", va="center",
                color="white" if value > 60 else "black", fontsize=9)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    return _save(fig, folder, stem)


def forest_figure(summary: pd.DataFrame, metrics: Sequence[tuple[str, str]], caption: str, folder: Path) -> Path:
    """Means and CIs per cell, one panel per metric. metrics: (column prefix, axis label)."""
    cells = list(summary["cell"])
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 0.45 * len(cells) + 1.5), squeeze=False)
    y = np.arange(len(cells))[::-1]
    for ax, (prefix, label) in zip(axes[0], metrics):
        mean = summary[f"{prefix}_mean"].to_numpy(float)
        err = np.vstack([mean - summary[f"{prefix}_low"].to_numpy(float), summary[f"{prefix}_high"].to_numpy(float) - mean])
        ax.errorbar(mean, y, xerr=np.nan_to_num(err), fmt="o", capsize=3)
        ax.set_yticks(y, cells)
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[0][1:]:
        ax.tick_params(labelleft=False)
    fig.suptitle(caption, fontsize=8, wrap=True)
    return _save(fig, folder, "forest")


def paired_folds_figure(scores: dict[str, pd.DataFrame], folder: Path) -> Path:
    """Per-fold scores ``[folds, cells]`` joined by a line per fold, one panel per metric label."""
    fig, axes = plt.subplots(1, len(scores), figsize=(4.5 * len(scores), 4), squeeze=False)
    for ax, (label, table) in zip(axes[0], scores.items()):
        x = np.arange(len(table.columns))
        for fold, row in table.iterrows():
            ax.plot(x, row.to_numpy(float), marker="o", alpha=0.6, lw=1)
        ax.plot(x, table.mean().to_numpy(float), color="black", lw=2.5, label="mean over folds")
        ax.set_xticks(x, table.columns, rotation=30, ha="right")
        ax.set_ylabel(label)
        ax.legend(fontsize=8)
    fig.suptitle("Per-fold scores (seeds averaged within fold); one line per fold", fontsize=9)
    return _save(fig, folder, "paired_folds")


def training_curves_figure(history: pd.DataFrame, folder: Path, column: str = "valid_loss") -> Path | None:
    """Mean over folds (seeds averaged within fold) of ``column`` per epoch, one line per cell (epochs a job did
    not reach, because of early stopping, are averaged over the jobs that did)."""
    if history is None or history.empty or column not in history.columns or history[column].isna().all():
        return None
    per_fold = history.groupby(["cell", "fold", "epoch"])[column].mean()  # seeds averaged within fold
    curves = per_fold.groupby(["cell", "epoch"]).mean().unstack("cell")
    fig, ax = plt.subplots(figsize=(6, 4))
    for cell in curves.columns:
        ax.plot(curves.index, curves[cell], marker=".", label=str(cell))
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{column.replace('_', ' ')} (mean over folds and seeds)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, folder, "training_curves")
