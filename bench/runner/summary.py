"""The table printed at the end of `bench run`: per cell, mean UA/WA over folds with 95% CIs."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd


def print_summary(results: pd.DataFrame, run_dir: Path) -> None:
    from bench.report import summary_table

    failed = int((results["status"] != "ok").sum())
    if (results["status"] == "ok").any():
        table = summary_table(results)
        click.echo("")
        click.echo(table.attrs["caption"])
        shown = pd.DataFrame({
            "cell": table["cell"],
            "folds": table["n_folds"],
            "UA % (95% CI)": [f"{r.ua_mean:.2f} ({r.ua_low:.2f}, {r.ua_high:.2f})" for r in table.itertuples()],
            "WA % (95% CI)": [f"{r.wa_mean:.2f} ({r.wa_low:.2f}, {r.wa_high:.2f})" for r in table.itertuples()],
        })
        click.echo(shown.to_string(index=False))
    if failed:
        click.echo(f"\n{failed} job(s) failed: see the error column of {run_dir / 'results.csv'}; "
                   f"`bench run ... --out {run_dir} --retry-failed` runs them again.")
    click.echo(f"\nrun folder: {run_dir}\nnext: bench report {run_dir}")
