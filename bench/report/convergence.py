"""Did each cell train? Its mean UA against the convex probes on the same representation.

A probe cell (pooler ``probe-gap``, ``probe-sap-noattn``, ``probe-stats``; bench/train/probes.py) is
logistic regression on parameter-free pooled vectors: convex, so it reaches its optimum whatever
the step budget. A trained cell whose mean UA over folds is more than ``MARGIN`` (2 points) below
the best mean UA among the probes its pooler can represent, in the same (backbone, vad), is
"below the probe". It is "under-trained" when it also fits its own training speakers worse than
that probe does (mean training UA below the probe's): the optimiser did not get as far as a
convex fit on the same vectors; the fix is the same run with twice the cell's median optimiser
steps as ``--set min_steps=N``. Two cells below the probe are not under-trained, as more steps do
not cure them:
- one that fits its training set at least as well generalises worse: "below probe (fits training)";
- one that fits worse but whose every job was ended by early stopping (none reached the epoch limit
  still improving) stopped because its validation loss rose before its training fit caught up with
  the convex probe's: "below probe (stopped early)". A longer schedule gives the same kept weights
  (asp on the demo: 0.402 test / 0.550 training UA at 1000 steps, 0.406 / 0.555 at 3000;
  docs/training.md); the suggestion is a learning-rate grid instead.
Records without training UA (older runs) fall back to the test-UA rule alone; records without
``still_improving`` never count as stopped early.

    training_check(results) -> TrainingCheck
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bench.report.aggregate import cell_order, finished
from bench.train.probes import is_probe, representable_probes

MARGIN = 0.02  # UA fraction: 2 points


def _flag(value) -> bool:
    """A still_improving value from JSON (bool) or CSV ("True"/"False"/NaN)."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value) if pd.notna(value) else False


LR_GRID = "3e-4,1e-3,3e-3"  # around the frozen default 1e-3 (docs/training.md)


def _fix_command(median_steps) -> str | None:
    if pd.isna(median_steps) or median_steps <= 0:
        return None
    return f"bench run <this run's options> --set min_steps={2 * int(round(median_steps))} --out <new folder>"


def _lr_command(pooler: str) -> str:
    return f"bench run <this run's options> --grid poolers={pooler} lr={LR_GRID} --out <new folder>"


@dataclass
class TrainingCheck:
    """cells: one row per non-probe cell (columns below); probe_cells: the reference cells;
    still_improving: jobs (non-probe, ok) that ended at the epoch limit while still improving, of n_jobs.

    cells columns: cell, backbone, vad, pooler, ua_mean (fraction), probe (the reference probe cell
    or None), probe_ua_mean, gap_points (cell − probe, UA points), train_ua_mean,
    probe_train_ua_mean, below_probe (bool), stopped_early (bool: below, fits training worse, every
    job ended by early stopping), under_trained (bool), median_steps, still_improving (jobs of this
    cell), fix (command or None: more steps for under-trained, an lr grid for stopped early).
    """

    cells: pd.DataFrame
    probe_cells: list[str]
    still_improving: int
    n_jobs: int
    recorded: bool = True  # the records carry still_improving (older runs do not)

    @property
    def under_trained(self) -> list[str]:
        return list(self.cells.loc[self.cells["under_trained"], "cell"])

    def status(self, cell: str) -> str:
        """Short text for a table's Training column: "reference (convex probe)", "under-trained (-5.2 vs ...)"."""
        if cell in self.probe_cells:
            return "reference (convex probe)"
        row = self.cells.set_index("cell").loc[cell]
        if row["probe"] is None or pd.isna(row["probe_ua_mean"]):
            return "no probe"
        if row["under_trained"]:
            word = "under-trained"
        elif row["stopped_early"]:
            word = "below probe (stopped early)"
        else:
            word = "below probe (fits training)" if row["below_probe"] else "ok"
        return f"{word} ({row['gap_points']:+.1f} pts vs {row['probe'].split('|')[-1]})"

    def headline(self) -> str:
        """The sentence above the tables: how many jobs did not converge and how many cells sit below the probe."""
        checked = int(self.cells["probe"].notna().sum())
        improving = (
            f"{self.still_improving} of {self.n_jobs} trained jobs hit the epoch limit while the validation "
            "loss was still improving"
            if self.recorded
            else "the job records do not say whether training stopped while still improving (a run from before "
            "this was recorded)"
        )
        early = int(self.cells["stopped_early"].sum())
        below_only = int(self.cells["below_probe"].sum()) - len(self.under_trained) - early
        below = (
            f"{len(self.under_trained)} of {checked} cells with a convex probe are more than {100 * MARGIN:g} "
            "points UA below it and fit their training speakers worse than it (under-trained)"
            + (
                f"; {early} more are below it and fit worse, but early stopping ended every one of their jobs "
                "(stopped early: more steps do not help, the learning rate may)"
                if early
                else ""
            )
            + (
                f"; {below_only} more are below it but fit training at least as well (generalisation, not optimisation)"
                if below_only
                else ""
            )
            if self.probe_cells
            else "this run has no convex probe cells, so no cell is checked against one"
        )
        return f"{improving[0].upper()}{improving[1:]}; {below}."

    def reference_last(self, summary: pd.DataFrame) -> pd.DataFrame:
        """``summary`` (a ``cell`` column per row) with the trained cells first, the probe cells after them."""
        is_probe_row = summary["cell"].isin(self.probe_cells)
        out = pd.concat([summary[~is_probe_row], summary[is_probe_row]]).reset_index(drop=True)
        out.attrs = summary.attrs
        return out

    def console_lines(self) -> list[str]:
        """What `bench run` and `bench report` print: the headline and one line per under-trained cell with its fix
        ([] when there is nothing to say: no trained cell, or neither probes nor convergence records)."""
        if self.cells.empty or not (self.recorded or self.probe_cells):
            return []
        lines = [self.headline()]
        for row in self.cells[self.cells["under_trained"] | self.cells["stopped_early"]].to_dict("records"):
            word, verb = ("under-trained", "fix") if row["under_trained"] else ("stopped early", "try")
            lines.append(
                f"{word}: {row['cell']} ({row['gap_points']:+.2f} UA points vs {row['probe']})"
                + (f"; {verb}: {row['fix']}" if row["fix"] else "")
            )
        return lines


def training_check(results: pd.DataFrame) -> TrainingCheck:
    """Compare every trained cell with its probes (see module docstring); results: results.csv rows."""
    ok = finished(results).assign(cell=lambda d: d["cell"].astype(str))
    poolers = ok.drop_duplicates("cell").set_index("cell")
    fold_ua = ok.groupby(["cell", "fold"])["ua"].mean()  # seeds averaged within fold
    mean_ua = fold_ua.groupby("cell").mean()
    has_train = "train_ua" in ok and ok["train_ua"].notna().any()
    train_ua = ok.groupby(["cell", "fold"])["train_ua"].mean().groupby("cell").mean() if has_train else None
    probes = [c for c in cell_order(ok) if is_probe(str(poolers.at[c, "pooler"]))]
    trained = ok[~ok["cell"].isin(probes)]
    rows = []
    for cell in cell_order(trained):
        desc = poolers.loc[cell]
        same = [
            p
            for p in probes
            if str(poolers.at[p, "backbone"]) == str(desc["backbone"])
            and str(poolers.at[p, "vad"]) == str(desc["vad"])
            and str(poolers.at[p, "pooler"]) in representable_probes(str(desc["pooler"]))
        ]
        best = max(same, key=lambda p: mean_ua[p]) if same else None
        jobs = trained[trained["cell"] == cell]
        steps = float(jobs["steps"].median()) if "steps" in jobs and jobs["steps"].notna().any() else np.nan
        gap = (mean_ua[cell] - mean_ua[best]) if best else np.nan
        below = bool(best) and gap < -MARGIN
        fit_train = train_ua.get(cell, np.nan) if train_ua is not None else np.nan
        fit_probe = train_ua.get(best, np.nan) if train_ua is not None and best else np.nan
        # under-trained: below the probe AND a worse fit of the training speakers (unknown: test rule alone),
        # unless early stopping ended every job (stopped early: more steps give the same kept weights)
        fits_worse = below and not (pd.notna(fit_train) and pd.notna(fit_probe) and fit_train >= fit_probe)
        flags = jobs["still_improving"] if "still_improving" in jobs else pd.Series(dtype=object)
        improving = int(flags.map(_flag).sum())
        early = fits_worse and bool(flags.notna().all()) and len(flags) > 0 and improving == 0
        under = fits_worse and not early
        rows.append(
            {
                "cell": cell,
                "backbone": desc["backbone"],
                "vad": desc["vad"],
                "pooler": desc["pooler"],
                "ua_mean": mean_ua[cell],
                "probe": best,
                "probe_ua_mean": mean_ua[best] if best else np.nan,
                "gap_points": 100 * gap,
                "train_ua_mean": fit_train,
                "probe_train_ua_mean": fit_probe,
                "below_probe": below,
                "stopped_early": early,
                "under_trained": under,
                "median_steps": steps,
                "still_improving": improving,
                "fix": _fix_command(steps) if under else _lr_command(str(desc["pooler"])) if early else None,
            }
        )
    columns = [
        "cell",
        "backbone",
        "vad",
        "pooler",
        "ua_mean",
        "probe",
        "probe_ua_mean",
        "gap_points",
        "train_ua_mean",
        "probe_train_ua_mean",
        "below_probe",
        "stopped_early",
        "under_trained",
        "median_steps",
        "still_improving",
        "fix",
    ]
    cells = pd.DataFrame(rows, columns=columns)
    recorded = "still_improving" in trained.columns and trained["still_improving"].notna().any()
    return TrainingCheck(cells, probes, int(cells["still_improving"].sum()), len(trained), bool(recorded))
