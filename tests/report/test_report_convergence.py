"""Issue 10, report side: probe cells are reference rows, an under-trained cell (one epoch) is flagged in
the tables and in the console summary with its fix, and the counts stand above the tables. The run
folder is read from jobs/ alone, as `bench report` sees a run that is still going."""

import pandas as pd
import pytest

from bench.report import load_run, run_status, write_report
from bench.report.convergence import training_check
from report_jobs_folder import console_summary, SPEAKERS, UA, build_jobs_run

SAP, GAP, SR = "fbank|webrtc|sap", "fbank|webrtc|gap", "fbank|webrtc|sr"


@pytest.fixture(scope="module")
def jobs_run(tmp_path_factory):
    root = build_jobs_run(tmp_path_factory.mktemp("jobs") / "run", expected_jobs=len(UA) * len(SPEAKERS) + 3)
    return root, write_report(root, n_resamples=200)


def test_running_run_is_read_from_job_records(jobs_run):
    root, _ = jobs_run
    assert not (root / "results.csv").exists()
    run = load_run(root)
    assert len(run.ok) == len(UA) * len(SPEAKERS) and {"train_ua", "steps", "still_improving"} <= set(run.results)
    assert run.predictions is not None and run.history is not None and len(run.records) == len(run.ok)
    status = run_status(run)
    assert (status.ok, status.pending) == (30, 3)


def test_under_trained_cell_is_flagged_against_its_probe(jobs_run):
    check = training_check(load_run(jobs_run[0]).ok)
    rows = check.cells.set_index("cell")
    assert check.under_trained == [SAP]
    assert rows.at[SAP, "probe"] == "fbank|webrtc|probe-sap-noattn"
    assert rows.at[SR, "probe"] == "fbank|webrtc|probe-sap-noattn"  # the better of gap and sap-noattn
    assert rows.at[GAP, "probe"] == "fbank|webrtc|probe-gap"
    ok = load_run(jobs_run[0]).ok
    sap_mean, probe_mean = (ok[ok["cell"] == c]["ua"].mean() for c in (SAP, "fbank|webrtc|probe-sap-noattn"))
    assert rows.at[SAP, "gap_points"] == pytest.approx(100 * (sap_mean - probe_mean))
    assert rows.at[SAP, "fix"].endswith("--set min_steps=6 --out <new folder>")  # 2 x the median 3 steps
    assert (check.still_improving, check.n_jobs) == (len(SPEAKERS), 3 * len(SPEAKERS))
    assert check.status("fbank|webrtc|probe-stats") == "reference (convex probe)"


def test_report_states_counts_above_the_tables_and_marks_the_cell(jobs_run):
    root, report = jobs_run
    text = report.markdown.read_text()
    counts = "5 of 15 trained jobs hit the epoch limit while the validation loss was still improving; 1 of 3 cells"
    assert counts in text and text.index(counts) < text.index("## Performance per grid cell")
    assert "`fbank|webrtc|sap` is under-trained" in text and "--set min_steps=6" in text
    performance = text.split("## Performance per grid cell")[1].split("##")[0]
    assert "| fbank\\|webrtc\\|sap | 5 |" in performance and "under-trained (" in performance
    assert performance.count("reference (convex probe)") == 3
    rows = [line for line in performance.splitlines() if line.startswith("| fbank")]
    assert ["probe-" in r.split(" | ")[0] for r in rows] == [False] * 3 + [True] * 3  # probes after the trained cells
    comparison = text.split("## UA against baseline `gap`")[1].split("##")[0]
    assert "sap (under-trained)" in comparison and "probe-" not in comparison
    assert "3 grid cells and 3 probe cells, 5 folds, 1 seed." in text


def test_console_summary_flags_the_cell_with_the_fix(jobs_run, monkeypatch):
    root, _ = jobs_run
    out = console_summary(root, monkeypatch)
    assert "5 of 15 trained jobs hit the epoch limit" in out
    assert f"under-trained: {SAP}" in out and "fix: bench run <this run's options> --set min_steps=6" in out
    assert "95% Student-t CI over 5 folds" in out


def test_per_class_recall_equals_a_loop_over_predictions(jobs_run):
    root, _ = jobs_run
    table = pd.read_csv(root / "tables" / "per_class.csv").set_index("cell")
    preds = load_run(root).predictions
    for cell in (SAP, GAP):
        part = preds[preds["cell"] == cell]
        per_fold = []
        for _, fold in part.groupby("fold"):
            angry = fold[fold["true"] == "angry"]
            per_fold.append((angry["pred"] == "angry").mean())
        assert table.at[cell, "angry_mean"] == pytest.approx(100 * sum(per_fold) / len(per_fold))
        assert table.at[cell, "angry_n"] == len(SPEAKERS)
    assert "Recall per class (%): mean and 95% Student-t CI" in (root / "report.md").read_text()


def test_layer_weights_and_curves_over_common_epochs(jobs_run):
    root, report = jobs_run
    assert "layer_weights.png" in {p.name for p in report.figures}
    from bench.report.figures import common_epochs

    history = load_run(root).history
    kept = common_epochs(history)
    for cell, part in kept.groupby("cell"):
        assert part.groupby("job")["epoch"].max().nunique() == 1  # every job reaches each kept epoch
    assert kept["epoch"].max() == 29 and history["epoch"].max() == 30  # odd folds stop one epoch early


def test_bench_report_console_names_the_under_trained_cell(tmp_path):
    from click.testing import CliRunner

    from bench.cli import cli

    root = build_jobs_run(tmp_path / "run")
    result = CliRunner().invoke(cli, ["report", str(root), "--no-figures", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "5 of 15 trained jobs hit the epoch limit" in result.output
    assert f"under-trained: {SAP} (" in result.output and "--set min_steps=6" in result.output


def test_job_records_win_over_a_stale_results_csv(tmp_path):
    """results.csv is rebuilt only at the end of `bench run`; a resumed run's jobs/ holds more."""
    root = build_jobs_run(tmp_path / "run")
    stale = load_run(root).results.head(4)
    stale.to_csv(root / "results.csv", index=False)
    assert len(load_run(root).results) == len(UA) * len(SPEAKERS)


def test_a_cell_below_the_probe_that_fits_training_is_not_called_under_trained(jobs_run):
    ok = load_run(jobs_run[0]).ok.copy()
    ok.loc[ok["cell"] == SAP, "train_ua"] = 0.99  # fits its training speakers better than the probe does
    check = training_check(ok)
    rows = check.cells.set_index("cell")
    assert check.under_trained == [] and bool(rows.at[SAP, "below_probe"]) and rows.at[SAP, "fix"] is None
    assert check.status(SAP).startswith("below probe (fits training)")
    assert "1 more are below it but fit training at least as well" in check.headline()


def test_a_cell_that_early_stopping_ended_everywhere_is_stopped_early_not_under_trained(jobs_run):
    # below the probe and a worse training fit, but no job reached the epoch limit still improving:
    # more steps give the same kept weights, so the suggestion is a learning-rate grid
    ok = load_run(jobs_run[0]).ok.copy()
    ok["still_improving"] = ok["still_improving"].astype(object)
    ok.loc[ok["cell"] == SAP, "still_improving"] = False
    check = training_check(ok)
    rows = check.cells.set_index("cell")
    assert check.under_trained == [] and bool(rows.at[SAP, "stopped_early"])
    assert (
        rows.at[SAP, "fix"] == "bench run <this run's options> --grid poolers=sap lr=3e-4,1e-3,3e-3 --out <new folder>"
    )
    assert check.status(SAP).startswith("below probe (stopped early) (")
    assert "0 of 3 cells" in check.headline() and "1 more are below it and fit worse" in check.headline()
    assert any(
        line.startswith(f"stopped early: {SAP} (") and "try: bench run" in line for line in check.console_lines()
    )
    # one job still improving, or a record that does not say: under-trained as before
    ok.loc[ok.index[ok["cell"] == SAP][0], "still_improving"] = True
    assert training_check(ok).under_trained == [SAP]
    ok.loc[ok["cell"] == SAP, "still_improving"] = None
    assert training_check(ok).under_trained == [SAP]
