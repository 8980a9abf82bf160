"""The table printed at the end of `bench run`: per cell, mean UA/WA over folds with 95% CIs, the
training check (cells below their convex probe, with the command that fixes them) and the data
accounting (files skipped at extraction, utterances where the VAD found no speech)."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd


def _interval(mean, low, high) -> str:
    return f"{mean:.2f} (n/a)" if pd.isna(low) else f"{mean:.2f} ({low:.2f}, {high:.2f})"


def print_summary(results: pd.DataFrame, run_dir: Path) -> None:
    from bench.report import accounting, summary_table
    from bench.report.convergence import training_check

    run_dir = Path(run_dir)
    failed = int((results["status"] != "ok").sum())
    skipped = accounting.skipped_summary(run_dir)
    if skipped:
        click.echo(f"\n{skipped.sentence()}; the list is in {run_dir / 'skipped.csv'}")
    speech = accounting.speech_summary(run_dir)
    if speech is not None:
        for row in speech.to_dict("records"):
            if row["No speech found"]:
                click.echo(
                    f"VAD {row['VAD']} found no speech in {row['No speech found']} of {row['Utterances']} "
                    f"utterances ({row['Backbone']}); speech-only poolers used all their frames"
                )
    cross_corpus = (results["protocol"] == "cross-corpus").any() if "protocol" in results else False
    if cross_corpus and (run_dir / "cross_corpus.csv").is_file():
        from bench.report import cross_corpus as pairs

        click.echo(f"\n{pairs.CAPTION}")
        click.echo(pairs.display(pd.read_csv(run_dir / pairs.PAIR_FILE)).to_string(index=False))
    elif (results["status"] == "ok").any():
        check = training_check(results)
        table = check.reference_last(summary_table(results))
        click.echo("")
        click.echo(table.attrs["caption"])
        shown = pd.DataFrame(
            {
                "cell": table["cell"],
                "folds": table["n_folds"],
                "UA % (95% CI)": [_interval(r.ua_mean, r.ua_low, r.ua_high) for r in table.itertuples()],
                "WA % (95% CI)": [_interval(r.wa_mean, r.wa_low, r.wa_high) for r in table.itertuples()],
            }
        )
        if check.probe_cells:
            shown["training"] = [check.status(c) for c in table["cell"]]
        click.echo(shown.to_string(index=False))
        lines = check.console_lines()
        if lines:
            click.echo("")
        for line in lines:
            click.echo(line)
    if failed:
        click.echo(
            f"\n{failed} job(s) failed: see the error column of {run_dir / 'results.csv'}; "
            f"`bench run ... --out {run_dir} --retry-failed` runs them again."
        )
    click.echo(f"\nrun folder: {run_dir}\nnext: bench report {run_dir}")
