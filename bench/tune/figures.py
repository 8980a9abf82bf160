"""Figures of a study: optimisation history, parameter importances and the loss-weight simplex.

Each function writes one PNG and returns its path, or returns None with a reason when the study
cannot support the figure (too few complete trials, nothing tuned)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

MIN_TRIALS_IMPORTANCE = 3


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _complete(study):
    import optuna

    return [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]


def _relabel(ax, title: str, xlabel: str, ylabel: str, legend: list[str] | None) -> None:
    """Optuna's generic labels ("Objective Value", "Trial") replaced by what they are in this study."""
    for loc in ("left", "right"):  # optuna puts some titles there
        ax.set_title("", loc=loc)
    ax.set_title(title, fontsize=11)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if legend is None:
        if ax.get_legend() is not None:
            ax.get_legend().remove()
    else:
        ax.legend(ax.get_legend_handles_labels()[0], legend, loc="best", fontsize=8)


def history_figure(study, path: Path, objective_label: str) -> tuple[Path | None, str]:
    """Each complete trial's objective (``objective_label``, e.g. "validation UA") against its number."""
    if not _complete(study):
        return None, "no complete trial"
    from matplotlib.ticker import MaxNLocator
    from optuna.visualization.matplotlib import plot_optimization_history

    plt = _plt()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ax = plot_optimization_history(study)
    best = "highest" if study.direction.name == "MAXIMIZE" else "lowest"
    _relabel(
        ax,
        f"{objective_label} per trial",
        "trial (number, in the order run)",
        objective_label,
        [f"{objective_label} of the trial", f"{best} so far"],
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=120)
    plt.close(ax.figure)
    return path, ""


def importance_figure(study, path: Path, objective_label: str) -> tuple[Path | None, str]:
    """Optuna's parameter importances (fANOVA, its default) for ``objective_label``."""
    complete = _complete(study)
    if len(complete) < MIN_TRIALS_IMPORTANCE:
        return None, f"{len(complete)} complete trial(s); importances need at least {MIN_TRIALS_IMPORTANCE}"
    if not complete[0].params:
        return None, "no tuned parameter"
    from optuna.visualization.matplotlib import plot_param_importances

    plt = _plt()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ax = plot_param_importances(study)
    except (RuntimeError, ValueError, ZeroDivisionError) as exc:  # e.g. all objective values equal
        return None, f"importances could not be computed: {exc}"
    _relabel(
        ax,
        f"Parameter importance for {objective_label} ({len(complete)} trials)",
        f"share of the variance of {objective_label} (fANOVA)",
        "tuned parameter",
        None,
    )
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=120)
    plt.close(ax.figure)
    return path, ""


def _ternary_xy(alpha: float, beta: float, gamma: float) -> tuple[float, float]:
    """Barycentric -> Cartesian in the triangle alpha (0, 0), beta (1, 0), gamma (1/2, sqrt(3)/2)."""
    return beta + gamma / 2.0, gamma * math.sqrt(3) / 2.0


def simplex_figure(study, path: Path, objective_label: str) -> tuple[Path | None, str]:
    """Complete trials as points on the (alpha, beta, gamma) triangle, coloured by objective value."""
    points = [
        (t.user_attrs["alpha"], t.user_attrs["beta"], t.user_attrs["gamma"], t.value)
        for t in _complete(study)
        if all(k in t.user_attrs for k in ("alpha", "beta", "gamma"))
    ]
    if not points:
        return None, "no complete trial with tuned loss weights"
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    corners = [(0, 0), (1, 0), (0.5, math.sqrt(3) / 2), (0, 0)]
    ax.plot(*zip(*corners), color="black", linewidth=1)
    for (x, y), label, (dx, dy, ha) in zip(
        corners[:3],
        ("alpha = 1\n(classification)", "beta = 1\n(valence)", "gamma = 1 (arousal)"),
        ((-0.02, -0.04, "right"), (0.02, -0.04, "left"), (0, 0.03, "center")),
    ):
        ax.text(x + dx, y + dy, label, ha=ha, va="top" if dy < 0 else "bottom", fontsize=9)
    xy = [_ternary_xy(a, b, g) for a, b, g, _ in points]
    values = [v for *_, v in points]
    scatter = ax.scatter(
        [p[0] for p in xy],
        [p[1] for p in xy],
        c=values,
        cmap="viridis",
        s=36,
        edgecolors="black",
        linewidths=0.4,
        zorder=3,
    )
    best = (
        max(range(len(points)), key=lambda i: values[i])
        if study.direction.name == "MAXIMIZE"
        else min(range(len(points)), key=lambda i: values[i])
    )
    ax.scatter([xy[best][0]], [xy[best][1]], marker="*", s=220, color="red", edgecolors="black", zorder=4, label="best")
    paper = _ternary_xy(0.5, 0.25, 0.25)
    ax.scatter([paper[0]], [paper[1]], marker="x", s=60, color="black", zorder=4, label="paper (0.5, 0.25, 0.25)")
    fig.colorbar(scatter, ax=ax, shrink=0.7, label=objective_label)
    ax.legend(loc="lower center", ncol=2, fontsize=8, frameon=False)
    ax.set_xlim(-0.25, 1.25)
    ax.set_ylim(-0.3, 1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"Loss weights of {len(points)} complete trials", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path, ""


def study_figures(study, folder: Path, prefix: str, objective_label: str) -> dict[str, tuple[Path | None, str]]:
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "history": history_figure(study, folder / f"{prefix}history.png", objective_label),
        "importance": importance_figure(study, folder / f"{prefix}importance.png", objective_label),
        "simplex": simplex_figure(study, folder / f"{prefix}simplex.png", objective_label),
    }
