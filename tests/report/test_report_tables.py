"""Tables of a hand-made run: numbers equal means computed independently, captions say what they are."""

import csv
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bench.errors import BenchError
from bench.report import comparison_table, load_run, run_status, summary_table, write_report
from report_run_folder import FOLDS


def independent_fold_means(root, metric):
    """{cell: [fold mean over ok seeds, ...]} with plain loops over the CSV text."""
    sums = defaultdict(lambda: defaultdict(list))
    with open(root / "results.csv") as f:
        for row in csv.DictReader(f):
            if row["status"] == "ok":
                sums[row["cell"]][int(row["fold"])].append(float(row[metric]))
    return {cell: [sum(v) / len(v) for _, v in sorted(folds.items())] for cell, folds in sums.items()}


def test_summary_means_and_t_intervals_equal_independent_computation(run_dir):
    results = pd.read_csv(run_dir / "results.csv")
    table = summary_table(results, ci="t", metrics=("ua", "wa")).set_index("cell")
    for metric in ("ua", "wa"):
        for cell, values in independent_fold_means(run_dir, metric).items():
            assert table.at[cell, f"{metric}_mean"] == pytest.approx(100 * sum(values) / len(values), abs=1e-9)
            low, high = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
            assert table.at[cell, f"{metric}_low"] == pytest.approx(100 * low, abs=1e-9)
            assert table.at[cell, f"{metric}_high"] == pytest.approx(100 * high, abs=1e-9)
    assert table["n_folds"].tolist() == [5, 5, 5] and table["n_jobs"].tolist() == [10, 10, 9]
    assert "Student-t CI over 5 folds (seeds averaged within fold)" in table.attrs["caption"]


def test_bootstrap_caption_and_reproducibility(run_dir):
    results = pd.read_csv(run_dir / "results.csv")
    a = summary_table(results, ci="bootstrap", n_resamples=300, seed=1)
    b = summary_table(results, ci="bootstrap", n_resamples=300, seed=1)
    pd.testing.assert_frame_equal(a, b)
    assert "95% percentile bootstrap CI (300 resamples) over 5 folds" in a.attrs["caption"]
    assert "cover the mean less often than stated" in a.attrs["caption"]  # 5 < 30 folds: warned
    assert (a["ua_low"] <= a["ua_mean"]).all() and (a["ua_mean"] <= a["ua_high"]).all()


def test_comparison_points_relative_and_holm(run_dir):
    results = pd.read_csv(run_dir / "results.csv")
    table = comparison_table(results, "ua", "gap").set_index("cell")
    assert "paired 95% Student-t CI" in table.attrs["caption"]  # the default for 5 folds
    folds = independent_fold_means(run_dir, "ua")
    base = folds["fbank|webrtc|gap"]
    for cell in ("fbank|webrtc|sap", "fbank|webrtc|sr"):
        d = [x - y for x, y in zip(folds[cell], base)]
        assert table.at[cell, "baseline"] == "fbank|webrtc|gap"
        assert table.at[cell, "diff_points"] == pytest.approx(100 * np.mean(d), abs=1e-9)
        assert table.at[cell, "relative_pct"] == pytest.approx(100 * np.mean(d) / np.mean(base), abs=1e-9)
        assert table.at[cell, "exact"]
        low, high = stats.t.interval(0.95, len(d) - 1, loc=np.mean(d), scale=stats.sem(d))
        assert (table.at[cell, "diff_low"], table.at[cell, "diff_high"]) == pytest.approx((100 * low, 100 * high))
    raw = table["p_sign_flip"].to_numpy()
    m = len(raw)
    order = np.argsort(raw)
    expected = np.maximum.accumulate(np.minimum(1, (m - np.arange(m)) * raw[order]))
    np.testing.assert_allclose(table["p_holm"].to_numpy()[order], expected)
    assert "gap" not in " ".join(table.index.str.split("|").str[-1])


def test_baseline_by_cell_name_and_unknown_baseline(run_dir):
    results = pd.read_csv(run_dir / "results.csv")
    table = comparison_table(results, "wa", "fbank|webrtc|sr")
    assert set(table["cell"]) == {"fbank|webrtc|gap", "fbank|webrtc|sap"}
    assert (table["n_folds"] == len(FOLDS)).all()
    with pytest.raises(BenchError, match="neither a cell nor a pooler"):
        comparison_table(results, "ua", "attention")


def test_status_of_incomplete_run(run_dir):
    status = run_status(load_run(run_dir))
    assert (status.ok, status.failed, status.expected, status.pending) == (29, 1, 32, 2)


def test_report_markdown_states_status_metric_and_method(reported_run):
    root, report = reported_run
    text = report.markdown.read_text()
    assert "**Incomplete run:** 29 jobs ok, 1 failed; 32 expected, 2 not finished yet" in text
    assert "CUDA out of memory" in text
    assert "95% Student-t CI over 5 folds (seeds averaged within fold)" in text  # the default below 30 folds
    assert "sign-flip permutation test" in text and "Holm" in text
    summary = pd.read_csv(root / "tables" / "performance.csv").set_index("cell")
    for cell, values in independent_fold_means(root, "ua").items():
        mean = 100 * sum(values) / len(values)
        assert summary.at[cell, "ua_mean"] == pytest.approx(mean, abs=1e-9)
        escaped = cell.replace("|", "\\|")  # pipes inside a Markdown cell are escaped
        assert f"| {escaped} | 5 | {mean:.2f} (" in text
    for name in ("performance", "comparison_ua", "comparison_wa"):
        assert "\\begin{table" in (root / "tables" / f"{name}.tex").read_text()
        assert (root / "tables" / f"{name}.csv").stat().st_size > 0


def test_errors_for_empty_or_missing_run(tmp_path):
    with pytest.raises(BenchError, match="does not exist"):
        load_run(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BenchError, match="no results"):
        write_report(tmp_path / "empty")
    with pytest.raises(BenchError, match="unknown report format"):
        write_report(tmp_path / "empty", formats=["html"])
