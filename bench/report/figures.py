"""Figures of a report (matplotlib, Agg backend): each function writes ``<stem>.png`` and
``<stem>.pdf`` under ``folder`` and returns the PNG path (None when there is nothing to draw).
Captions belong in report.md, not in the images: figures carry axis labels and legends only."""

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


def confusion_figure(y_true, y_pred, labels: Sequence[str], folder: Path, stem: str) -> Path:
    """Row-normalised confusion matrix ``[C, C]`` (rows: true class, sum to 100%), as the
    SAP paper's Figure 2; each cell shows the percentage."""
    matrix = confusion_matrix(y_true, y_pred, labels=labels, normalize="true") * 100
    fig, ax = plt.subplots(figsize=(1.1 * len(labels) + 2, 1.1 * len(labels) + 1.5))
    ax.imshow(np.nan_to_num(matrix), cmap="Blues", vmin=0, vmax=100)
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            "–" if np.isnan(value) else f"{value:.1f}",
            ha="center",
            va="center",
            color="white" if value > 60 else "black",
            fontsize=9,
        )
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    return _save(fig, folder, stem)


def _limits(values: np.ndarray) -> tuple[float, float]:
    """Axis limits that hold every finite value with a margin (a zero-width interval stays visible)."""
    finite = values[np.isfinite(values)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    pad = 0.08 * (high - low) if high > low else max(abs(high) * 0.05, 0.5)
    return low - pad, high + pad


def forest_figure(
    summary: pd.DataFrame, metrics: Sequence[tuple[str, str]], folder: Path, reference: Sequence[str] = ()
) -> Path:
    """Means and CIs per cell, one panel per metric. metrics: (column prefix, axis label). The axis
    holds every interval end; a cell without an interval (one fold) shows its mean alone.
    reference: cells drawn as grey squares (the convex probes)."""
    cells = list(summary["cell"])
    fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 0.45 * len(cells) + 1.5), squeeze=False)
    y = np.arange(len(cells))[::-1]
    for ax, (prefix, label) in zip(axes[0], metrics):
        mean = summary[f"{prefix}_mean"].to_numpy(float)
        err = np.vstack(
            [mean - summary[f"{prefix}_low"].to_numpy(float), summary[f"{prefix}_high"].to_numpy(float) - mean]
        )
        probe = np.isin(np.asarray(cells, dtype=object), list(reference))
        for rows, style in ((~probe, dict(fmt="o", color="C0")), (probe, dict(fmt="s", color="0.45"))):
            if rows.any():
                ax.errorbar(mean[rows], y[rows], xerr=np.nan_to_num(err[:, rows]), capsize=4, clip_on=False, **style)
        ax.set_xlim(
            *_limits(
                np.concatenate(
                    [mean, summary[f"{prefix}_low"].to_numpy(float), summary[f"{prefix}_high"].to_numpy(float)]
                )
            )
        )
        ax.set_yticks(y, cells)
        ax.set_xlabel(label)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[0][1:]:
        ax.tick_params(labelleft=False)
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
    return _save(fig, folder, "paired_folds")


def common_epochs(history: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``history`` at epochs that every job of their cell reached (early stopping ends jobs at
    different epochs; averaging past the first stop would average a changing set of folds)."""
    last = history.groupby(["cell", "job"])["epoch"].max().groupby("cell").min()
    return history[history["epoch"] <= history["cell"].map(last)]


def training_curves_figure(history: pd.DataFrame, folder: Path, column: str = "valid_loss") -> Path | None:
    """Mean over folds (seeds averaged within fold) of ``column`` per epoch, one line per cell, over the
    epochs every job of the cell reached (``common_epochs``)."""
    if history is None or history.empty or column not in history.columns or history[column].isna().all():
        return None
    per_fold = common_epochs(history).groupby(["cell", "fold", "epoch"])[column].mean()  # seeds averaged within fold
    curves = per_fold.groupby(["cell", "epoch"]).mean().unstack("cell")
    fig, ax = plt.subplots(figsize=(6, 4))
    for cell in curves.columns:
        ax.plot(curves.index, curves[cell], marker=".", label=str(cell))
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"{column.replace('_', ' ')} (mean over folds)")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, folder, "training_curves")


def layer_weights_figure(weights: dict[str, np.ndarray], folder: Path) -> Path | None:
    """Learned softmax layer weights per cell: weights maps cell -> ``[jobs, L]``; one line per cell
    (mean over its jobs) with the range over jobs shaded."""
    if not weights:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for cell, w in weights.items():
        layers = np.arange(w.shape[1])
        ax.plot(layers, w.mean(axis=0), marker=".", label=cell)
        ax.fill_between(layers, w.min(axis=0), w.max(axis=0), alpha=0.15)
    ax.set_xticks(range(max(w.shape[1] for w in weights.values())))
    ax.set_xlabel("hidden state (0: conv/embedding output)")
    ax.set_ylabel("layer weight (softmax)")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, folder, "layer_weights")
