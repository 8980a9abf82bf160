"""What `bench layers` writes: the summary with 95% t intervals over folds, tables (markdown and
CSV), the figure (PNG and PDF) and the report section ``layers.md``.

Files under the output folder ``OUT``:
    layer_scores.csv          one row per (backbone, pooler, layer, fold): test UA and the probe's C
    tables/layers.csv, .md    one row per (backbone, pooler, layer): mean UA, 95% t interval, n folds
    figures/layers.png, .pdf  UA per layer with its interval, one panel per pooler; the mixes at the right
    layers.md, source.txt     the report section; `bench report RUN` includes RUN/layers/ when it exists
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from bench.layers.profile import LEARNED, MEAN

SECTION_FILE = "layers.md"
SCORES_FILE = "layer_scores.csv"
SOURCE_FILE = "source.txt"  # one line: corpus, protocol, folds, classes (the section's first sentence)


def _layer_order(layer) -> tuple:
    """Single layers by index, then the mean mix, then the learned mix."""
    if str(layer).lstrip("-").isdigit():
        return (0, int(layer))
    return (1, [MEAN, LEARNED].index(layer) if layer in (MEAN, LEARNED) else 2)


def summarise(scores: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """One row per (backbone, pooler, layer): ua_mean, ua_low, ua_high (t interval over folds), n_folds.
    UA in percent."""
    from bench.stats.intervals import t_ci

    rows = []
    for (backbone, pooler, layer), part in scores.groupby(
        ["backbone", "pooler", scores["layer"].astype(str)], sort=False
    ):
        ci = t_ci(part["ua"].to_numpy() * 100, confidence)
        rows.append(
            {
                "backbone": backbone,
                "pooler": pooler,
                "layer": layer,
                "ua_mean": ci.estimate,
                "ua_low": ci.low,
                "ua_high": ci.high,
                "n_folds": ci.n,
            }
        )
    table = pd.DataFrame(rows)
    order = table["layer"].map(_layer_order)
    return (
        table.assign(_o=order)
        .sort_values(["backbone", "pooler", "_o"], kind="stable")
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def _fmt(x: float) -> str:
    return "n/a" if pd.isna(x) else f"{x:.1f}"


def markdown_table(summary: pd.DataFrame) -> list[str]:
    lines = ["| backbone | pooler | layer | UA % | 95% CI | folds | best |", "|---|---|---|---|---|---|---|"]
    for (backbone, pooler), part in summary.groupby(["backbone", "pooler"], sort=False):
        single = part[part["layer"].map(_is_single)]
        best = single.loc[single["ua_mean"].idxmax(), "layer"] if not single.empty else None
        for r in part.itertuples():
            lines.append(
                f"| {backbone} | {pooler} | {r.layer} | {_fmt(r.ua_mean)} | [{_fmt(r.ua_low)}, {_fmt(r.ua_high)}] "
                f"| {r.n_folds} | {'best layer' if r.layer == best else ''} |"
            )
    return lines


def _is_single(layer) -> bool:
    return _layer_order(layer)[0] == 0


def figure(summary: pd.DataFrame, folder: Path) -> Path:
    """UA per layer with 95% bars, a line per backbone, one panel per pooler; the mixes as separate,
    labelled markers at panel-wide positions right of the panel's largest layer index (backbones of
    different depths share them) -> the PNG path (a PDF beside it)."""
    from bench.report import figures as report_figures  # sets the Agg backend

    plt = report_figures.plt
    poolers = list(dict.fromkeys(summary["pooler"]))
    fig, axes = plt.subplots(1, len(poolers), figsize=(4.5 * len(poolers), 3.6), squeeze=False, sharey=True)
    for ax, pooler in zip(axes[0], poolers):
        part = summary[summary["pooler"] == pooler]
        last = int(part.loc[part["layer"].map(_is_single), "layer"].astype(int).max())
        mixes = [mix for mix in (MEAN, LEARNED) if (part["layer"] == mix).any()]
        where = {mix: last + 1.5 + j for j, mix in enumerate(mixes)}  # one x per mix for the whole panel
        for k, (backbone, rows) in enumerate(part.groupby("backbone", sort=False)):
            single = rows[rows["layer"].map(_is_single)]
            x = single["layer"].astype(int).to_numpy()
            err = [single["ua_mean"] - single["ua_low"], single["ua_high"] - single["ua_mean"]]
            line = ax.errorbar(x + 0.08 * k, single["ua_mean"], yerr=err, marker="o", capsize=3, label=backbone)
            for mix in mixes:
                m = rows[rows["layer"] == mix]
                if not m.empty:
                    ax.errorbar(
                        [where[mix] + 0.08 * k],
                        m["ua_mean"],
                        capsize=3,
                        linestyle="none",
                        yerr=[m["ua_mean"] - m["ua_low"], m["ua_high"] - m["ua_mean"]],
                        marker="s" if mix == MEAN else "D",
                        color=line[0].get_color(),
                    )
        if mixes:
            ax.axvline(last + 0.75, color="0.6", linewidth=0.8, linestyle=":")  # layers | mixes
        ticks = [*range(last + 1), *where.values()]
        step = max(1, (last + 1) // 12)  # at most ~12 layer labels on deep backbones
        names = [str(t) if t % step == 0 else "" for t in range(last + 1)] + [f"{mix}\nmix" for mix in mixes]
        ax.set_xticks(ticks, names, fontsize=8)
        ax.set_title(pooler)
        ax.set_xlabel("hidden state (0: CNN output)")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("UA % (mean, 95% t CI over folds)")
    axes[0][-1].legend(fontsize=8)
    return report_figures._save(fig, folder, "layers")


def write_outputs(scores: pd.DataFrame, out: Path, source: str) -> pd.DataFrame:
    """Write every file of the profile into ``out``; ``source`` describes the corpus and folds."""
    from bench.runner.store import atomic_write_text

    out = Path(out)
    summary = summarise(scores)
    (out / "tables").mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / SCORES_FILE, scores.to_csv(index=False))
    atomic_write_text(out / "tables" / "layers.csv", summary.to_csv(index=False))
    table = markdown_table(summary)
    atomic_write_text(out / "tables" / "layers.md", "\n".join(table) + "\n")
    png = figure(summary, out / "figures")
    atomic_write_text(out / SOURCE_FILE, source + "\n")
    atomic_write_text(out / SECTION_FILE, "\n".join(section(summary, source, png.relative_to(out))) + "\n")
    return summary


def report_section(folder: Path, relative_to: Path) -> list[str]:
    """The section of a profile written in ``folder``, its figure linked relative to ``relative_to``
    (the report's folder); [] when ``folder`` holds no profile."""
    folder = Path(folder)
    if not (folder / "tables" / "layers.csv").is_file():
        return []
    summary = pd.read_csv(folder / "tables" / "layers.csv", dtype={"layer": str})
    source = (folder / SOURCE_FILE).read_text().strip() if (folder / SOURCE_FILE).is_file() else "Profile"
    png = (folder / "figures" / "layers.png").resolve().relative_to(Path(relative_to).resolve())
    return section(summary, source, png)


def section(summary: pd.DataFrame, source: str, png: Path) -> list[str]:
    table = markdown_table(summary)
    return [
        "## Per-layer profile",
        "",
        f"{source}. Each layer: a parameter-free pooler on that hidden state alone (standardised with the "
        "fold's training frames), then the convex probe (logistic regression, C chosen on the validation "
        f"speakers). `{MEAN}`: the probe on the average of the standardised layers; `{LEARNED}`: a trained head "
        "with that pooler and learned softmax layer weights. UA in %, mean and 95% t interval over folds; "
        "the best layer is the highest mean, which with overlapping intervals is not a significant winner.",
        "",
        *table,
        "",
        "*Figure: UA per hidden state, mean and 95% t interval over folds; squares: the mean mix, "
        "diamonds: the learned mix.*",
        "",
        f"![per-layer profile]({png.as_posix()})",
        "",
    ]
