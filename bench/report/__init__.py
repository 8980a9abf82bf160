"""Reports of a run folder: per-cell tables with CIs, baseline comparisons, literature, figures.

Public API:
    summary_table(results_df, ci="t", metrics=("ua", "wa"), confidence=0.95,
                  n_resamples=9999, seed=0, bootstrap_method="percentile") -> DataFrame
    write_report(run_dir, baseline=None, ci="t", formats=("md", "tex", "csv"),
                 metrics=("ua", "wa"), ...) -> Report
    load_run(path) -> RunFolder;  comparison_table(results, metric, baseline, settings) -> DataFrame

Importing this package does not import matplotlib (figures load only when drawn).
"""

from bench.report.aggregate import fold_scores, summary_table
from bench.report.build import Report, write_report
from bench.report.compare import baseline_map, comparison_table
from bench.report.intervals import CISettings
from bench.report.literature import literature_table, load_literature
from bench.report.rundir import RunFolder, load_run, run_status

__all__ = [
    "CISettings",
    "Report",
    "RunFolder",
    "baseline_map",
    "comparison_table",
    "fold_scores",
    "literature_table",
    "load_literature",
    "load_run",
    "run_status",
    "summary_table",
    "write_report",
]
